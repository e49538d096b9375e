"""Agencies, service units (UPP), people and their scoped roles."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Province(models.Model):
    code = models.CharField(_("kode BPS"), max_length=4, unique=True)
    name = models.CharField(_("nama"), max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("provinsi")
        verbose_name_plural = pgettext_lazy("plural", "provinsi")

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    KEMENTERIAN = "kementerian", _("Kementerian")
    LEMBAGA = "lembaga", _("Lembaga")
    PROVINSI = "provinsi", _("Pemerintah Provinsi")
    KABUPATEN = "kabupaten", _("Pemerintah Kabupaten")
    KOTA = "kota", _("Pemerintah Kota")
    POLRI = "polri", _("POLRI")
    BUMN = "bumn", _("BUMN")


class RankingGroup(models.TextChoices):
    """The groups results are ranked within (domain §5)."""

    KL = "kl", _("Kementerian/Lembaga")
    PROVINSI = "provinsi", _("Provinsi")
    KABKOTA = "kabkota", _("Kabupaten/Kota")
    POLRI = "polri", _("POLRI")
    BUMN = "bumn", _("BUMN")


RANKING_GROUP_OF_KIND = {
    AgencyKind.KEMENTERIAN: RankingGroup.KL,
    AgencyKind.LEMBAGA: RankingGroup.KL,
    AgencyKind.PROVINSI: RankingGroup.PROVINSI,
    AgencyKind.KABUPATEN: RankingGroup.KABKOTA,
    AgencyKind.KOTA: RankingGroup.KABKOTA,
    AgencyKind.POLRI: RankingGroup.POLRI,
    AgencyKind.BUMN: RankingGroup.BUMN,
}
REGIONAL_KINDS = (AgencyKind.PROVINSI, AgencyKind.KABUPATEN, AgencyKind.KOTA)


class Agency(models.Model):
    """Instansi / organisasi penyelenggara."""

    code = models.CharField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=200)
    kind = models.CharField(_("jenis"), max_length=16, choices=AgencyKind.choices)
    # Derived by the database from kind, so rankings group and filter on an indexed column
    # and bulk imports (which skip save()) cannot leave it stale.
    ranking_group = models.GeneratedField(
        expression=models.Case(
            *[
                models.When(kind=kind.value, then=models.Value(group.value))
                for kind, group in RANKING_GROUP_OF_KIND.items()
            ],
            output_field=models.CharField(max_length=16),
        ),
        output_field=models.CharField(max_length=16, choices=RankingGroup.choices),
        db_persist=True,
        verbose_name=_("kelompok"),
    )
    province = models.ForeignKey(
        Province,
        verbose_name=_("provinsi"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
    )
    # Whom the result letter is addressed to, e.g. "Bupati Lampung Selatan"; empty: "Pimpinan
    # <name>".
    head_title = models.CharField(_("jabatan pimpinan"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instansi")
        verbose_name_plural = pgettext_lazy("plural", "instansi")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind__in=[k.value for k in REGIONAL_KINDS])
                | Q(province__isnull=False),
                name="agency_regional_has_province",
                violation_error_message=_("Instansi daerah wajib memiliki provinsi."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class ServiceType(models.Model):
    """Jenis layanan: Disdukcapil, DPMPTSP, RSUD, Samsat, Puskesmas, Kecamatan, …"""

    code = models.SlugField(_("kode"), max_length=32, unique=True)
    name = models.CharField(_("nama"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jenis layanan")
        verbose_name_plural = pgettext_lazy("plural", "jenis layanan")

    def __str__(self) -> str:
        return self.name


class ServiceScope(models.TextChoices):
    ADMINISTRATIF = "administratif", _("Administratif")
    BARANG = "barang", _("Barang")
    JASA = "jasa", _("Jasa")


class ServiceUnit(models.Model):
    """UPP — Unit Penyelenggara Pelayanan Publik."""

    code = models.CharField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=255)
    agency = models.ForeignKey(
        Agency, verbose_name=_("instansi"), on_delete=models.PROTECT, related_name="units"
    )
    service_type = models.ForeignKey(
        ServiceType, verbose_name=_("jenis layanan"), on_delete=models.PROTECT, related_name="units"
    )
    scope = models.CharField(_("ruang lingkup"), max_length=16, choices=ServiceScope.choices)
    address = models.CharField(_("alamat"), max_length=255, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit pelayanan (UPP)")
        verbose_name_plural = pgettext_lazy("plural", "unit pelayanan (UPP)")
        indexes = [models.Index(fields=["agency", "service_type"])]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person. Their home agency decides conflicts of interest in Nasional cycles."""

    full_name = models.CharField(_("nama lengkap"), max_length=200, blank=True)
    nip = models.CharField(_("NIP"), max_length=18, blank=True)
    phone = models.CharField(_("telepon"), max_length=30, blank=True)
    # The language the person chose in the portal: their mails are written in it ("" = the
    # portal's, Bahasa Indonesia).
    language = models.CharField(_("bahasa"), max_length=8, choices=settings.LANGUAGES, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("instansi asal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
    )

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = pgettext_lazy("plural", "pengguna")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class Role(models.TextChoices):
    MINISTRY_ADMIN = "ministry_admin", _("Admin KemenPANRB")
    COORDINATOR = "coordinator", _("Koordinator (Biro/Bagian Organisasi)")
    EVALUATOR = "evaluator", _("Evaluator")
    UNIT_OPERATOR = "unit_operator", _("Operator UPP")
    LEADERSHIP = "leadership", _("Pimpinan")


# Which scope each role needs: national roles have none, agency roles one agency, the
# unit operator one unit. Evaluators reach only the assessments assigned to them.
ROLE_SCOPE = {
    Role.MINISTRY_ADMIN: None,
    Role.COORDINATOR: "agency",
    Role.EVALUATOR: None,
    Role.UNIT_OPERATOR: "unit",
    Role.LEADERSHIP: "agency",
}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("pengguna"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("instansi"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )
    unit = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("unit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
    )

    class Meta:
        verbose_name = _("peran pengguna")
        verbose_name_plural = pgettext_lazy("plural", "peran pengguna")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        role__in=["ministry_admin", "evaluator"],
                        agency__isnull=True,
                        unit__isnull=True,
                    )
                    | Q(
                        role__in=["coordinator", "leadership"],
                        agency__isnull=False,
                        unit__isnull=True,
                    )
                    | Q(role="unit_operator", agency__isnull=True, unit__isnull=False)
                ),
                name="role_scope_matches_role",
                violation_error_message=_(
                    "Cakupan peran tidak sesuai: koordinator dan pimpinan memerlukan instansi, "
                    "operator UPP memerlukan unit, admin dan evaluator tanpa cakupan."
                ),
            ),
            # One constraint per scope shape: NULLs are distinct in unique indexes.
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(agency__isnull=True, unit__isnull=True),
                name="role_unique_national",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                condition=Q(agency__isnull=False),
                name="role_unique_agency",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "unit"],
                condition=Q(unit__isnull=False),
                name="role_unique_unit",
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.agency
        label = self.get_role_display()
        return f"{self.user} — {label}" + (f" ({scope})" if scope else "")
