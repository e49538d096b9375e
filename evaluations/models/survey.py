"""F-03: the public survey links of a locus and the service users' responses."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .cycles import Assessment
from .evidence import EvidenceRevision


def new_survey_token() -> str:
    """Short and unguessable: 80 random bits in 16 URL-safe characters."""
    return secrets.token_urlsafe(12)[:16]


class SurveyLink(models.Model):
    """The public address `/s/<token>/` of one locus's survey. Issuing a new token revokes the
    old one, which then stops working; at most one link of a locus is live."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="survey_links"
    )
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_survey_token)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("dicabut pada"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "-created_at"]
        verbose_name = _("tautan survei F-03")
        verbose_name_plural = pgettext_lazy("plural", "tautan survei F-03")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"],
                condition=Q(revoked_at__isnull=True),
                name="survey_link_one_live_per_locus",
            )
        ]

    def __str__(self) -> str:
        return f"/s/{self.token}/"


class SurveyChannel(models.TextChoices):
    ONLINE = "online", _("Daring (tautan/QR)")
    PAPER = "paper", _("Kertas, diinput operator")


# Optional profile questions of the SKM practice (PermenPANRB 14/2017). None is required and
# nothing that identifies a person (name, phone, NIK) is ever asked.
class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class AgeBand(models.TextChoices):
    UNDER_20 = "lt20", _("Di bawah 20 tahun")
    FROM_20 = "20-29", _("20–29 tahun")
    FROM_30 = "30-39", _("30–39 tahun")
    FROM_40 = "40-49", _("40–49 tahun")
    FROM_50 = "50-59", _("50–59 tahun")
    FROM_60 = "60+", _("60 tahun ke atas")


class Education(models.TextChoices):
    SD = "sd", _("SD atau di bawahnya")
    SMP = "smp", _("SMP/sederajat")
    SMA = "sma", _("SMA/SMK/sederajat")
    DIPLOMA = "diploma", _("D1–D4")
    S1 = "s1", _("S1")
    S2 = "s2", _("S2 atau S3")


class Occupation(models.TextChoices):
    CIVIL_SERVANT = "asn", _("PNS/ASN, TNI, Polri")
    PRIVATE = "swasta", _("Pegawai swasta")
    SELF_EMPLOYED = "wirausaha", _("Wirausaha")
    STUDENT = "pelajar", _("Pelajar/mahasiswa")
    HOMEMAKER = "rumah_tangga", _("Mengurus rumah tangga")
    OTHER = "lainnya", _("Lainnya")


class SurveyResponseQuerySet(models.QuerySet):
    def valid(self) -> "SurveyResponseQuerySet":
        """The responses that count: every one not voided."""
        return self.filter(voided_at__isnull=True)


class SurveyResponse(models.Model):
    """One service user's F-03 answers: a list of item values 0–5 in item order.

    Public responses are never edited; a paper response typed in by an operator can be voided
    with a reason (it then stops counting and stays on record)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="survey_responses"
    )
    answers = models.JSONField(_("jawaban"))
    channel = models.CharField(_("saluran"), max_length=10, choices=SurveyChannel.choices)
    submitted_at = models.DateTimeField(_("dikirim pada"), auto_now_add=True)
    link = models.ForeignKey(
        SurveyLink,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responses",
        verbose_name=_("tautan survei"),
    )
    gender = models.CharField(_("jenis kelamin"), max_length=1, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("usia"), max_length=8, choices=AgeBand.choices, blank=True)
    education = models.CharField(
        _("pendidikan terakhir"), max_length=8, choices=Education.choices, blank=True
    )
    occupation = models.CharField(
        _("pekerjaan"), max_length=16, choices=Occupation.choices, blank=True
    )
    service_used = models.CharField(_("layanan yang diterima"), max_length=120, blank=True)
    # Paper forms: who typed the sheet in, and the scanned sheet as an evidence revision.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diinput oleh"),
    )
    sheet = models.ForeignKey(
        EvidenceRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pindaian lembar survei"),
    )
    voided_at = models.DateTimeField(_("dibatalkan pada"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    void_reason = models.TextField(_("alasan pembatalan"), blank=True)

    objects = SurveyResponseQuerySet.as_manager()

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("respons survei F-03")
        verbose_name_plural = pgettext_lazy("plural", "respons survei F-03")
        indexes = [models.Index(fields=["assessment", "voided_at"], name="survey_valid")]
        constraints = [
            # Only typed-in paper responses can be voided; public answers stand as given.
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | Q(channel="paper"),
                name="survey_void_paper_only",
            ),
        ]

    def __str__(self) -> str:
        return f"F-03 #{self.pk} ({self.assessment_id})"
