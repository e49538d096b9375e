"""In-portal notifications: every mail the portal sends is also one of these, and a reminder
is one with a `key` that makes it unique for its person (sent once, never twice)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Penugasan evaluator")
    F01_SUBMITTED = "f01_submitted", _("F-01 diajukan")
    CLARIFICATION_ASKED = "clarification_asked", _("Klarifikasi diminta")
    CLARIFICATION_ANSWERED = "clarification_answered", _("Klarifikasi dijawab")
    F02_SUBMITTED = "f02_submitted", _("F-02 diserahkan seluruh tim")
    FINAL = "final", _("Penilaian final")
    PUBLICATION = "publication", _("Publikasi hasil")
    FOLLOWUP_DUE = "followup_due", _("Tenggat tindak lanjut")
    COACHING = "coaching", _("Jadwal pendampingan")
    REMINDER = "reminder", _("Pengingat tenggat tahap")


class Notification(models.Model):
    """One message to one person, in the language they chose, with a link to act on it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("penerima"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("jenis"), max_length=32, choices=NotificationKind.choices)
    title = models.CharField(_("judul"), max_length=255)
    body = models.TextField(_("isi"))
    url = models.CharField(_("tautan"), max_length=500, blank=True)
    # A reminder's identity (e.g. "f01:<assessment>:<phase end>:3d"): one per person, so a
    # second run of the job, or a retried worker, adds nothing and sends nothing.
    key = models.CharField(_("kunci"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("dibuat pada"), auto_now_add=True)
    read_at = models.DateTimeField(_("dibaca pada"), null=True, blank=True)
    # Claimed before the mail is handed to the mail server: a mail is sent at most once.
    emailed_at = models.DateTimeField(_("dikirim lewat email pada"), null=True, blank=True)
    mail_error = models.CharField(_("galat email"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikasi")
        verbose_name_plural = pgettext_lazy("plural", "notifikasi")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="notification_key_once"
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return self.title
