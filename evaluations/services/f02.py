"""F-02 writes: an evaluator's levels (autosaved), their submission, and the field visit.

Every level change lands in the audit history; saves use optimistic concurrency
(`save_versioned`), so two tabs or two people saving the same row never overwrite each other
silently: the later one is told and shown both values.
"""

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import filetypes, virus_scan
from ..models import (
    SCORING_STATUSES,
    VISIT_STATUSES,
    Assessment,
    AuditAction,
    EvaluatorAssignment,
    FieldVisit,
    FieldVisitPhoto,
    Indicator,
    Phase,
    Score,
)
from ..notifications import notify_team_submitted
from ..rules import today
from .audit import audit_record
from .versioned import save_versioned
from .workflow import (
    Status,
    WorkflowError,
    require_plain_text,
    require_status,
    require_window,
    set_status,
)


class ScoreConflict(Exception):
    """The row changed since the version the evaluator's page holds; nothing was written."""

    def __init__(self, current: Score):
        self.current = current
        super().__init__(_("Nilai ini telah diubah di tempat lain."))


@dataclass(frozen=True)
class ScoreSaved:
    version: int
    saved_at: dt.datetime | None
    level_changed: bool


def scores_ensure(
    assignment: EvaluatorAssignment, indicator_ids: Iterable[int] | None = None
) -> None:
    """Create the empty Score rows of an assignment that do not exist yet (one INSERT).

    `indicator_ids` limits the rows to those indicators (the F-02 page knows which are
    missing); without it every scored indicator of the cycle's instrument is covered.
    Rows that already exist are left alone, so concurrent calls are harmless.
    """
    if indicator_ids is None:
        indicator_ids = Indicator.objects.filter(
            instrument_id=assignment.assessment.cycle.instrument_id, supplementary=False
        ).values_list("pk", flat=True)
    Score.objects.bulk_create(
        [Score(assignment=assignment, indicator_id=pk) for pk in indicator_ids],
        ignore_conflicts=True,
    )


def _require_own_open_assignment(assignment: EvaluatorAssignment, by) -> None:
    if by is None or assignment.evaluator_id != by.pk:
        raise PermissionDenied(_("Hanya evaluator yang ditugaskan yang dapat mengubah F-02 ini."))
    if assignment.submitted_at is not None:
        raise WorkflowError(
            _("F-02 Anda sudah diserahkan pada %(when)s dan tidak dapat diubah lagi.")
            % {"when": timezone.localtime(assignment.submitted_at).strftime("%d-%m-%Y %H:%M")}
        )


def _clean_level(level) -> int | None:
    if level in (None, ""):
        return None
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = -1
    if not 0 <= value <= 5:
        raise WorkflowError(_("Tingkat harus bilangan bulat 0–5."))
    return value


def score_autosave(
    *,
    score: Score,
    version: int,
    level: int | str | None,
    note: str,
    recommendation: str,
    by,
) -> ScoreSaved:
    """Save one evaluator's level, note and recommendation for one indicator as they type.

    `score` comes with its assignment, assessment and indicator (one query:
    selectors_f02.score_for_autosave); the evaluation window is read here. Only the
    assignment's own evaluator, before submitting, while the assessment is submitted or in
    evaluation and the evaluation window is open.
    The first save of an assessment moves it from submitted to in evaluation. A level change
    is recorded in the audit history. Raises ScoreConflict when `version` is not the row's.

    A new level and its audit entry are written in one transaction: the history never misses
    a level that was saved. A note or recommendation alone is one conditional UPDATE, which
    either writes or reports a conflict. The rare first save, which also changes the status,
    runs in one transaction with it.
    """
    assignment = score.assignment
    assessment = assignment.assessment
    _require_own_open_assignment(assignment, by)
    require_status(assessment, *SCORING_STATUSES)
    require_window(assessment, Phase.EVALUATION)
    require_plain_text((_("Catatan"), note), (_("Rekomendasi"), recommendation))
    values = {
        "level": _clean_level(level),
        "note": note or "",
        "recommendation": recommendation or "",
    }
    if version != score.version:
        # The row as fetched a moment ago is already newer than the page: no UPDATE needed.
        raise ScoreConflict(score)
    if all(getattr(score, name) == value for name, value in values.items()):
        return ScoreSaved(version=score.version, saved_at=score.updated_at, level_changed=False)
    if assessment.status == Status.SUBMITTED:
        with transaction.atomic():
            saved = _write(score, version, values, by)
            _start_evaluation(assessment, by)
        return saved
    return _write(score, version, values, by)


def _write(score: Score, version: int, values: dict, by) -> ScoreSaved:
    now = timezone.now()
    old_level = score.level
    changed = values["level"] != old_level
    # A level change and its audit entry: both or neither. (savepoint=False: inside the
    # first save's transaction no savepoint is needed; a failure undoes that one whole.)
    with transaction.atomic(savepoint=False) if changed else nullcontext():
        new_version = save_versioned(
            Score.objects.filter(pk=score.pk), version=version, values=values | {"updated_at": now}
        )
        if new_version is not None and changed:
            # The version matched, so the row still held what was fetched: `old_level` is exact.
            audit_record(
                assessment=score.assignment.assessment,
                actor=by,
                action=AuditAction.SCORE,
                indicator=score.indicator,
                old=old_level,
                new=values["level"],
            )
    if new_version is None:
        raise ScoreConflict(Score.objects.get(pk=score.pk))
    for name, value in values.items():
        setattr(score, name, value)
    score.version, score.updated_at = new_version, now
    return ScoreSaved(version=new_version, saved_at=now, level_changed=changed)


def _start_evaluation(assessment: Assessment, by) -> None:
    """submitted → in evaluation, once, even when two evaluators save their first level at once."""
    current = (
        Assessment.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=assessment.pk)
    )
    if current == Status.SUBMITTED:
        set_status(assessment, Status.IN_EVALUATION, actor=by, reason=_("Evaluasi F-02 dimulai."))
    else:
        assessment.status = current


def assignment_mark_viewed(
    *, assignment: EvaluatorAssignment, at: dt.datetime | None = None
) -> None:
    """Remember when the evaluator last opened F-02 (one UPDATE): later changes are marked."""
    at = at or timezone.now()
    EvaluatorAssignment.objects.filter(pk=assignment.pk).update(last_viewed_at=at)
    assignment.last_viewed_at = at


def score_problems(assignment: EvaluatorAssignment) -> list[str]:
    """What keeps an evaluator's F-02 from being submitted, indicator by indicator."""
    indicators = Indicator.objects.filter(
        instrument_id=assignment.assessment.cycle.instrument_id, supplementary=False
    ).order_by("number")
    scores = {s.indicator_id: s for s in Score.objects.filter(assignment=assignment)}
    problems = []
    for ind in indicators:
        score = scores.get(ind.pk)
        label = f"{ind.number} ({ind.code})"
        if score is None or score.level is None:
            problems.append(
                _("Indikator %(indicator)s: tingkat belum diisi.") % {"indicator": label}
            )
        elif score.level < 5 and not score.recommendation.strip():
            problems.append(
                _("Indikator %(indicator)s: rekomendasi wajib diisi untuk tingkat di bawah 5.")
                % {"indicator": label}
            )
    return problems


def submission_check(assignment: EvaluatorAssignment, by) -> None:
    """WorkflowError with everything that keeps `by` from handing in this F-02 now (reads
    only; the confirmation page asks this first)."""
    _require_own_open_assignment(assignment, by)
    require_status(assignment.assessment, Status.IN_EVALUATION)
    require_window(assignment.assessment, Phase.EVALUATION)
    problems = score_problems(assignment)
    if problems:
        raise WorkflowError(*problems)


@transaction.atomic
def evaluator_submit(*, assignment: EvaluatorAssignment, by) -> EvaluatorAssignment:
    """Hand in an evaluator's F-02: every level set, a recommendation for each level below 5.

    Refused with the whole list of what is missing. Afterwards the form is read-only and the
    evaluator sees the team's levels (blind scoring ends for them only).
    """
    assessment = assignment.assessment
    _require_own_open_assignment(assignment, by)
    # Team members submitting at once queue here, so the last one sees everyone's submission
    # and exactly one of them tells the moderators.
    assessment.status = (
        Assessment.objects.select_for_update(of=("self",))
        .values_list("status", flat=True)
        .get(pk=assessment.pk)
    )
    submission_check(assignment, by)
    now = timezone.now()
    taken = EvaluatorAssignment.objects.filter(pk=assignment.pk, submitted_at__isnull=True).update(
        submitted_at=now
    )
    if not taken:
        raise WorkflowError(_("F-02 Anda sudah diserahkan."))
    assignment.submitted_at = now
    name = by.display_name
    audit_record(
        assessment=assessment,
        actor=by,
        action=AuditAction.STATUS,
        old=_("F-02 %(name)s: belum diserahkan") % {"name": name},
        new=_("F-02 %(name)s: diserahkan") % {"name": name},
    )
    if not assessment.assignments.filter(submitted_at__isnull=True).exists():
        notify_team_submitted(assessment)
    return assignment


# --- Field visit ------------------------------------------------------------------------------

# Photos of a field visit: JPEG or PNG, judged by content (evaluations.filetypes).
PHOTO_TYPES = (filetypes.JPEG, filetypes.PNG)


def _photo_problems(photos: Sequence[UploadedFile]) -> tuple[list[str], list[tuple]]:
    limit = settings.EVIDENCE_MAX_FILE_MB * 1024 * 1024
    problems, accepted = [], []
    for upload in photos:
        name = os.path.basename(upload.name or "foto")[:255]
        if upload.size > limit:
            problems.append(
                _("%(name)s: ukuran berkas melebihi %(mb)s MB.")
                % {"name": name, "mb": settings.EVIDENCE_MAX_FILE_MB}
            )
            continue
        try:
            kind = filetypes.detect(upload)
        except filetypes.UnsafeFileError as exc:
            if exc.kind not in PHOTO_TYPES:  # e.g. a PDF with active content: not a photo
                kind = None
            else:  # a JPEG/PNG, but an image bomb
                problems.append(f"{name}: {exc}")
                continue
        except filetypes.FileTypeError:
            kind = None
        if kind not in PHOTO_TYPES:
            problems.append(_("%(name)s: foto harus berupa berkas JPEG atau PNG.") % {"name": name})
            continue
        accepted.append((upload, name, kind.content_type, kind.extension))
    return problems, accepted


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


@transaction.atomic
def field_visit_save(
    *,
    assignment: EvaluatorAssignment,
    date: dt.date | None,
    people_met: str,
    observations: str,
    photos: Sequence[UploadedFile] = (),
    by,
) -> FieldVisit:
    """Record (or update) the evaluator's field visit and add photos to it.

    Photos must be JPEG or PNG by content, within EVIDENCE_MAX_FILE_MB and within the pixel
    limit of evaluations.filetypes (no image bombs); they are stored
    privately under generated names with their SHA-256, and served only by a checked view.
    """
    assessment = assignment.assessment
    _require_own_open_assignment(assignment, by)
    require_status(assessment, *VISIT_STATUSES)
    require_window(assessment, Phase.EVALUATION)
    problems = []
    people_met, observations = (people_met or "").strip(), (observations or "").strip()
    if date is None:
        problems.append(_("Tanggal kunjungan wajib diisi."))
    elif date > today():
        problems.append(_("Tanggal kunjungan tidak boleh di masa depan."))
    if not people_met:
        problems.append(_("Pihak yang ditemui wajib diisi."))
    if not observations:
        problems.append(_("Hasil pengamatan wajib diisi."))
    photo_problems, accepted = _photo_problems(photos)
    problems += photo_problems
    if not problems:  # only clean photos reach storage; scanned last, after the cheap checks
        problems += [
            f"{name}: {problem}"
            for upload, name, *_rest in accepted
            if (problem := virus_scan.upload_problem(upload))
        ]
    if problems:
        raise WorkflowError(*problems)
    visit, _created = FieldVisit.objects.update_or_create(
        assignment=assignment,
        defaults={"visit_date": date, "people_met": people_met, "observations": observations},
    )
    for upload, name, content_type, extension in accepted:
        photo = FieldVisitPhoto(
            visit=visit,
            original_name=name,
            content_type=content_type,
            extension=extension,
            size=upload.size,
            sha256=_sha256(upload),
        )
        # The storage name comes from visit_photo_path (a UUID); the given name is ignored.
        photo.file.save(f"foto{extension}", upload, save=False)
        photo.save()
    return visit
