"""F-03 writes: the locus's public link, a service user's answers, paper sheets typed in by
the unit's operator, and voiding them.

The survey is an input of the IPP, so every change of a locus's responses brings its stored
result up to date in the same transaction (`results.result_refresh`; nothing is stored while
the final levels are incomplete) — never when a page is read. That is why these writes are
scoring's, as moderation is; the models, forms, reads and permission predicates are
evaluations'. The locus row is locked first: concurrent answers of one locus are counted in
turn, and each recompute sees the responses committed before it.
"""

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import (
    AgeBand,
    Assessment,
    AuditAction,
    Education,
    Gender,
    Occupation,
    Phase,
    SurveyChannel,
    SurveyItem,
    SurveyLink,
    SurveyResponse,
)
from evaluations.permissions import can_run_survey, is_operator_of
from evaluations.services.audit import audit_record
from evaluations.services.evidence import clean_file_name, survey_sheet_store
from evaluations.services.workflow import WorkflowError, require_plain_text, require_window

from .results import result_refresh

PROFILE_KEYS = ("gender", "age_band", "education", "occupation", "service_used")
PROFILE_CHOICES = {
    "gender": Gender,
    "age_band": AgeBand,
    "education": Education,
    "occupation": Occupation,
}


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)


def _check_answers(assessment: Assessment, answers) -> list[int]:
    """The answers as the engine takes them: one integer 0–5 per item of the instrument."""
    count = SurveyItem.objects.filter(instrument_id=assessment.cycle.instrument_id).count()
    if count == 0:
        raise WorkflowError(_("Instrumen periode ini tidak memiliki butir survei F-03."))
    if not isinstance(answers, (list, tuple)) or len(answers) != count:
        raise WorkflowError(_("Jawaban harus berisi %(count)d butir.") % {"count": count})
    problems = [
        _("Butir %(number)d: jawaban harus salah satu nilai 0 sampai 5.") % {"number": n}
        for n, value in enumerate(answers, start=1)
        if type(value) is not int or not 0 <= value <= 5
    ]
    if problems:
        raise WorkflowError(*problems)
    return list(answers)


def _profile(profile: dict | None) -> dict[str, str]:
    values = {key: str((profile or {}).get(key) or "").strip() for key in PROFILE_KEYS}
    values["service_used"] = values["service_used"][:120]
    require_plain_text((_("Layanan yang diterima"), values["service_used"]))
    # Checked here too, not only by the forms: a caller passing an unknown code (the demo, a
    # script) is refused before anything is stored, instead of a database error on PostgreSQL
    # (the code is wider than its column) or an invalid code stored on SQLite.
    unknown = [
        _("Pilihan untuk “%(question)s” tidak dikenal.")
        % {"question": SurveyResponse._meta.get_field(key).verbose_name}
        for key, choices in PROFILE_CHOICES.items()
        if values[key] and values[key] not in choices.values
    ]
    if unknown:
        raise WorkflowError(*unknown)
    return values


def _changed(assessment: Assessment) -> None:
    """The responses changed: the stored result follows (it raises, rolling back, if the
    engine refused the stored inputs)."""
    result_refresh(assessment=assessment)


def survey_link(*, assessment: Assessment, by) -> SurveyLink:
    """The locus's live public link, made on first use."""
    if not can_run_survey(by, assessment):
        raise PermissionDenied
    with transaction.atomic():
        _lock(assessment)
        link = SurveyLink.objects.filter(assessment=assessment, revoked_at__isnull=True).first()
        return link or SurveyLink.objects.create(assessment=assessment, created_by=by)


@transaction.atomic
def survey_link_reissue(*, assessment: Assessment, by) -> SurveyLink:
    """A new public link; the old one stops working at once (posters must be printed again).
    Responses already given through the old link stay."""
    if not can_run_survey(by, assessment):
        raise PermissionDenied
    locked = _lock(assessment)
    old = list(SurveyLink.objects.filter(assessment=locked, revoked_at__isnull=True))
    SurveyLink.objects.filter(pk__in=[o.pk for o in old]).update(revoked_at=timezone.now())
    link = SurveyLink.objects.create(assessment=locked, created_by=by)
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.SURVEY,
        old=", ".join(f"/s/{o.token}/" for o in old),
        new=f"/s/{link.token}/",
        reason=_("Tautan survei diterbitkan ulang; tautan lama tidak berlaku lagi."),
    )
    return link


@transaction.atomic
def survey_answer(*, link: SurveyLink, answers, profile: dict | None = None) -> SurveyResponse:
    """A service user's answers through a live public link, while the survey window is open."""
    locked = _lock(link.assessment)
    live = SurveyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).exists()
    if not live:
        raise WorkflowError(_("Tautan survei ini sudah tidak berlaku."))
    require_window(locked, Phase.SURVEY)
    response = SurveyResponse.objects.create(
        assessment=locked,
        link=link,
        answers=_check_answers(locked, answers),
        channel=SurveyChannel.ONLINE,
        **_profile(profile),
    )
    _changed(locked)
    return response


@transaction.atomic
def survey_paper_enter(
    *, assessment: Assessment, answers, profile: dict | None = None, sheet: File, by
) -> SurveyResponse:
    """A paper sheet typed in by the unit's operator, within the survey window; its scan is
    kept as an evidence revision under the same checks as bukti dukung. Audited."""
    if not is_operator_of(by, assessment):
        raise PermissionDenied
    locked = _lock(assessment)
    require_window(locked, Phase.SURVEY)
    checked = _check_answers(locked, answers)
    values = _profile(profile)
    number = SurveyResponse.objects.filter(assessment=locked, channel=SurveyChannel.PAPER).count()
    revision = survey_sheet_store(
        assessment=locked,
        file=sheet,
        title=_("Lembar survei kertas %(n)d") % {"n": number + 1},
        by=by,
    )
    response = SurveyResponse.objects.create(
        assessment=locked,
        answers=checked,
        channel=SurveyChannel.PAPER,
        entered_by=by,
        sheet=revision,
        **values,
    )
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.SURVEY,
        new=_("Isian kertas #%(pk)d: %(answers)s")
        % {"pk": response.pk, "answers": " ".join(map(str, checked))},
        reason=_("Pindaian: %(name)s, SHA-256 %(sha)s")
        % {"name": clean_file_name(revision.original_name), "sha": revision.sha256},
    )
    _changed(locked)
    return response


@transaction.atomic
def survey_void(*, response: SurveyResponse, reason: str, by) -> SurveyResponse:
    """Void a typed-in paper response with a reason: it stops counting and stays on record.
    Public responses cannot be voided or edited."""
    assessment = response.assessment
    if not is_operator_of(by, assessment):
        raise PermissionDenied
    locked = _lock(assessment)
    response = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    if response.channel != SurveyChannel.PAPER:
        raise WorkflowError(_("Jawaban daring dari pengguna layanan tidak dapat diubah."))
    if response.voided_at is not None:
        raise WorkflowError(_("Isian ini sudah dibatalkan."))
    reason = (reason or "").strip()
    require_plain_text((_("Alasan pembatalan"), reason))
    if not reason:
        raise WorkflowError(_("Tuliskan alasan pembatalan isian ini."))
    require_window(locked, Phase.SURVEY)
    response.voided_at = timezone.now()
    response.voided_by = by
    response.void_reason = reason
    response.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(
        assessment=locked,
        actor=by,
        action=AuditAction.SURVEY,
        old=_("Isian kertas #%(pk)d berlaku") % {"pk": response.pk},
        new=_("dibatalkan"),
        reason=reason,
    )
    _changed(locked)
    return response
