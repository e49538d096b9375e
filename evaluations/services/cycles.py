"""Cycle set-up: opening a cycle with its phase windows, picking loci, assigning teams.

Refusals come in three kinds, so each caller can show them where they belong:
- `PermissionDenied`: the person may not do this at all (views check first; this is defence);
- `ValidationError` keyed by the argument at fault ("name", "windows", …): bad input for a form;
- `WorkflowError`: a rule of the cycle refuses the change (a Mandiri locus of another agency,
  a locus that already holds work, a conflicting evaluator…), with a message naming what.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from import_export import widgets

from units.importing import FileFormat, ImportReport, import_file
from units.models import Agency, Role, RoleAssignment, ServiceUnit
from units.permissions import roles_of
from units.resources import CodeWidget, SpreadsheetResource, cell_text

from ..models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditAction,
    Cycle,
    EvaluatorAssignment,
    Evidence,
    FieldVisit,
    FinalLevel,
    InstrumentVersion,
    Phase,
    PhaseWindow,
    Scheme,
    Score,
    SurveyResponse,
)
from ..notifications import notify_assignment
from ..permissions import can_manage_cycle, evaluator_conflict
from ..resources import LocusResource
from .audit import audit_record
from .workflow import WorkflowError, require_status

Windows = Mapping[str, tuple[dt.date, dt.date]]

TEAM_MIN = 1
TEAM_MAX = 5
# A team may change until moderation starts; after that the levels of its members are final.
TEAM_EDITABLE = (
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.IN_EVALUATION,
    AssessmentStatus.CLARIFICATION,
)


# --- Who may open which cycle ---------------------------------------------------------------


def can_create_cycle(user, scheme: str, owner_agency: Agency | None) -> bool:
    """Admins open cycles of every scheme; a coordinator only Mandiri cycles of their agency."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return True
    return (
        scheme == Scheme.MANDIRI
        and owner_agency is not None
        and owner_agency.pk in roles.coordinator_agencies
    )


def window_order_problem(phase: str, starts_on: dt.date, ends_on: dt.date) -> str | None:
    """Why a phase window is not a window (its start after its end), naming the phase."""
    if starts_on > ends_on:
        return _(
            "Jadwal tahap %(phase)s: tanggal mulai (%(start)s) tidak boleh setelah tanggal "
            "selesai (%(end)s)."
        ) % {
            "phase": Phase(phase).label,
            "start": starts_on.strftime("%d-%m-%Y"),
            "end": ends_on.strftime("%d-%m-%Y"),
        }
    return None


def _check_windows(windows: Windows) -> None:
    problems = []
    for phase, (starts_on, ends_on) in windows.items():
        if phase not in Phase.values:
            problems.append(_("Tahap “%(phase)s” tidak dikenal.") % {"phase": phase})
            continue
        problem = window_order_problem(phase, starts_on, ends_on)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError({"windows": problems})


def _check_settings(survey_weight: Decimal | None, min_respondents: int | None) -> None:
    errors = {}
    if survey_weight is not None and not (0 <= survey_weight <= 1):
        errors["survey_weight"] = _("Bobot survei (σ) harus antara 0 dan 1.")
    if min_respondents is not None and min_respondents < 1:
        errors["min_respondents"] = _("Minimum responden (m) paling sedikit 1.")
    if errors:
        raise ValidationError(errors)


def _check_name(cycle: Cycle) -> None:
    clash = Cycle.objects.filter(
        year=cycle.year,
        scheme=cycle.scheme,
        owner_agency_id=cycle.owner_agency_id,
        name__iexact=cycle.name,
    ).exclude(pk=cycle.pk)
    if clash.exists():
        raise ValidationError(
            {
                "name": _(
                    "Periode bernama “%(name)s” sudah ada untuk instansi, tahun dan skema ini."
                )
                % {"name": cycle.name}
            }
        )


def _save_windows(cycle: Cycle, windows: Windows) -> None:
    existing = {w.phase: w for w in cycle.windows.all()}
    for phase, (starts_on, ends_on) in windows.items():
        window = existing.get(phase) or PhaseWindow(cycle=cycle, phase=phase)
        if window.pk and (window.starts_on, window.ends_on) == (starts_on, ends_on):
            continue
        window.starts_on, window.ends_on = starts_on, ends_on
        window.save()


@transaction.atomic
def cycle_create(
    *,
    by,
    year: int,
    scheme: str,
    name: str,
    instrument: InstrumentVersion,
    owner_agency: Agency,
    windows: Windows,
    survey_weight: Decimal | None = None,
    min_respondents: int | None = None,
) -> Cycle:
    """Open a cycle with its phase windows.

    Ministry admins open Nasional and Khusus cycles (and Mandiri ones on an agency's behalf);
    a coordinator opens Mandiri cycles of their own agency only.
    """
    if not can_create_cycle(by, scheme, owner_agency):
        raise PermissionDenied(
            _("Anda hanya dapat membuka periode Mandiri untuk instansi Anda sendiri.")
        )
    _check_windows(windows)
    _check_settings(survey_weight, min_respondents)
    cycle = Cycle(
        year=year,
        scheme=scheme,
        name=(name or "").strip(),
        instrument=instrument,
        owner_agency=owner_agency,
        survey_weight=survey_weight,
        min_respondents=min_respondents,
    )
    _check_name(cycle)
    cycle.save()
    PhaseWindow.objects.bulk_create(
        PhaseWindow(cycle=cycle, phase=phase, starts_on=start, ends_on=end)
        for phase, (start, end) in windows.items()
    )
    return cycle


@transaction.atomic
def cycle_update(
    *,
    cycle: Cycle,
    by,
    name: str,
    windows: Windows,
    survey_weight: Decimal | None = None,
    min_respondents: int | None = None,
) -> Cycle:
    """Rename a cycle, change its σ/m overrides (None = the instrument's) and its windows.

    Per-unit extensions are kept: a unit's window ends at the later of the two dates.
    """
    if not can_manage_cycle(by, cycle):
        raise PermissionDenied
    _check_windows(windows)
    _check_settings(survey_weight, min_respondents)
    cycle.name = (name or "").strip()
    cycle.survey_weight = survey_weight
    cycle.min_respondents = min_respondents
    _check_name(cycle)
    cycle.save(update_fields=["name", "survey_weight", "min_respondents"])
    _save_windows(cycle, windows)
    return cycle


# --- Loci ------------------------------------------------------------------------------------


@transaction.atomic
def loci_add(*, cycle: Cycle, units: Iterable[ServiceUnit], by) -> list[Assessment]:
    """Make units loci of the cycle (status draft). Units already loci are left as they are.

    A Mandiri cycle takes only units of its owner agency; inactive units are refused.
    """
    if not can_manage_cycle(by, cycle):
        raise PermissionDenied
    units = list(units)
    if cycle.scheme == Scheme.MANDIRI:
        foreign = [u for u in units if u.agency_id != cycle.owner_agency_id]
        if foreign:
            raise WorkflowError(
                _(
                    "Periode Mandiri hanya untuk unit milik %(agency)s; unit berikut bukan milik "
                    "instansi tersebut: %(units)s."
                )
                % {
                    "agency": cycle.owner_agency.name,
                    "units": ", ".join(u.name for u in foreign),
                }
            )
    inactive = [u for u in units if not u.is_active]
    if inactive:
        raise WorkflowError(
            _("Unit tidak aktif tidak dapat menjadi lokus: %(units)s.")
            % {"units": ", ".join(u.name for u in inactive)}
        )
    present = set(
        cycle.assessments.filter(unit__in=[u.pk for u in units]).values_list("unit_id", flat=True)
    )
    new = [Assessment(cycle=cycle, unit=u) for u in units if u.pk not in present]
    return Assessment.objects.bulk_create(new)


def _saved_work(assessments) -> list[tuple[Assessment, list[str]]]:
    """Each assessment with what has been saved for it (empty list: nothing)."""
    a = OuterRef("pk")
    rows = assessments.select_related("unit").annotate(
        has_answers=Exists(
            Answer.objects.filter(assessment=a).filter(
                Q(claimed_level__isnull=False) | ~Q(explanation="")
            )
        ),
        has_evidence=Exists(Evidence.objects.filter(assessment=a)),
        has_scores=Exists(
            Score.objects.filter(assignment__assessment=a).filter(
                Q(level__isnull=False) | ~Q(note="") | ~Q(recommendation="")
            )
        ),
        has_visits=Exists(FieldVisit.objects.filter(assignment__assessment=a)),
        has_survey=Exists(SurveyResponse.objects.filter(assessment=a)),
        has_final=Exists(FinalLevel.objects.filter(assessment=a)),
    )
    labels = [
        ("has_answers", _("jawaban F-01")),
        ("has_evidence", _("bukti dukung")),
        ("has_scores", _("nilai F-02")),
        ("has_visits", _("kunjungan lapangan")),
        ("has_survey", _("respons survei F-03")),
        ("has_final", _("tingkat final")),
    ]
    return [(row, [label for attr, label in labels if getattr(row, attr)]) for row in rows]


@transaction.atomic
def loci_remove(*, cycle: Cycle, assessments: Iterable[Assessment], by) -> int:
    """Take loci out of a cycle: only drafts for which nothing has been saved. All or none."""
    if not can_manage_cycle(by, cycle):
        raise PermissionDenied
    ids = [a.pk for a in assessments]
    chosen = Assessment.objects.filter(cycle=cycle, pk__in=ids).select_for_update(of=("self",))
    problems = []
    for assessment, saved in _saved_work(chosen):
        if assessment.status != AssessmentStatus.DRAFT:
            problems.append(
                _("%(unit)s tidak dapat dihapus dari lokus karena statusnya “%(status)s”.")
                % {"unit": assessment.unit.name, "status": assessment.get_status_display()}
            )
        elif saved:
            problems.append(
                _("%(unit)s tidak dapat dihapus dari lokus karena sudah ada %(saved)s.")
                % {"unit": assessment.unit.name, "saved": ", ".join(saved)}
            )
    if problems:
        raise WorkflowError(*problems)
    _deleted, by_model = Assessment.objects.filter(cycle=cycle, pk__in=ids).delete()
    return by_model.get(Assessment._meta.label, 0)


class _ThisCycleWidget(widgets.Widget):
    """The `periode` cell of a file imported for one cycle: blank means this cycle; a name
    or id must be this cycle's, so a file prepared for another cycle is caught."""

    def __init__(self, cycle: Cycle):
        super().__init__()
        self.cycle = cycle

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text or text.casefold() == self.cycle.name.casefold() or text == str(self.cycle.pk):
            return self.cycle
        raise ValueError(
            f"periode '{text}' bukan periode ini ({self.cycle.name}); kosongkan sel ini atau "
            "hapus kolom periode"
        )

    def render(self, value, obj=None, **kwargs):
        return value.name if value is not None else ""


class CycleLocusResource(LocusResource):
    """LocusResource bound to one cycle (`cycle`): only `kode_unit` is required, `periode`
    may be absent or blank, and a Mandiri cycle refuses units of other agencies."""

    cycle: Cycle  # set by `locus_resource_for`
    required_columns = ("kode_unit",)
    blank_when_absent = ("periode",)

    # django-import-export reads Meta options from a class's parent and grandparent only: the
    # per-cycle subclass would lose SpreadsheetResource's (bulk, skip unchanged). Spell both.
    class Meta(SpreadsheetResource.Meta, LocusResource.Meta):
        pass

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fields["cycle"].widget = _ThisCycleWidget(self.cycle)
        self.fields["unit"].widget = CodeWidget(
            ServiceUnit, label="unit", only=("id", "code", "name", "is_active", "agency")
        )

    def validate_row(self, number, cleaned):
        super().validate_row(number, cleaned)
        unit = cleaned.get("unit")
        if (
            unit is not None
            and self.cycle.scheme == Scheme.MANDIRI
            and unit.agency_id != self.cycle.owner_agency_id
        ):
            self.add_problem(
                number,
                "kode_unit",
                f"unit '{unit.code}' bukan milik {self.cycle.owner_agency.name}; periode "
                "Mandiri hanya untuk unit instansi penyelenggara",
            )


def locus_resource_for(cycle: Cycle) -> type[CycleLocusResource]:
    # import_file instantiates the class it is given without arguments: bind the cycle here.
    return type("CycleLocusResource", (CycleLocusResource,), {"cycle": cycle})


def loci_import(*, cycle: Cycle, file_bytes: bytes, format: FileFormat, by) -> ImportReport:
    """Add the units listed in a CSV/XLSX file as loci of `cycle`; every row valid or none.

    The file needs a `kode_unit` column. A `periode` column may be left out or blank; where
    it is filled it must name this cycle. Loci already in the cycle are left as they are.
    """
    if not can_manage_cycle(by, cycle):
        raise PermissionDenied
    return import_file(locus_resource_for(cycle), file_bytes, format)


# --- Evaluator teams -------------------------------------------------------------------------


def conflict_message(evaluator, assessment: Assessment) -> str:
    return _(
        "%(evaluator)s tidak dapat ditugaskan ke %(unit)s karena berasal dari instansi yang sama "
        "(%(agency)s); dalam skema Nasional evaluator tidak boleh menilai unit instansinya sendiri."
    ) % {
        "evaluator": evaluator.display_name,
        "unit": assessment.unit.name,
        "agency": assessment.unit.agency.name,
    }


def team_shape_problems(evaluators: Sequence, lead) -> dict[str, str]:
    """What is wrong with the shape of a team, by the field at fault: its size
    ("evaluators": from TEAM_MIN to TEAM_MAX people) and its lead ("lead": one of them; None
    is taken as the only member). Told per field by the team form and the API, and as a
    refusal by `assignment_set`."""
    problems = {}
    if not TEAM_MIN <= len(evaluators) <= TEAM_MAX:
        problems["evaluators"] = _("Tim evaluator terdiri atas %(min)d sampai %(max)d orang.") % {
            "min": TEAM_MIN,
            "max": TEAM_MAX,
        }
    if lead is None and len(evaluators) == 1:
        lead = evaluators[0]
    if evaluators and (lead is None or lead.pk not in {e.pk for e in evaluators}):
        problems["lead"] = _("Ketua tim harus salah satu evaluator yang dipilih.")
    return problems


def _member_label(evaluator, lead: bool) -> str:
    return evaluator.display_name + (_(" (ketua)") if lead else "")


@transaction.atomic
def assignment_set(
    *, assessment: Assessment, evaluators: Sequence, lead, by, reason: str = ""
) -> list[EvaluatorAssignment]:
    """Set the evaluator team of a locus (1–5 people, one lead) and return it.

    Refused: people without the evaluator role, in a Nasional cycle people of the unit's own
    agency, removing someone who already saved F-02 work, and any change once the assessment
    is moderated. Each change is an audit entry; new members are e-mailed after commit.
    """
    assessment = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle", "cycle__owner_agency", "unit", "unit__agency")
        .get(pk=assessment.pk)
    )
    if not can_manage_cycle(by, assessment.cycle):
        raise PermissionDenied
    require_status(assessment, *TEAM_EDITABLE)
    evaluators = list({e.pk: e for e in evaluators}.values())
    shape = team_shape_problems(evaluators, lead)
    if shape:
        raise WorkflowError(*shape.values())
    lead = lead or evaluators[0]

    problems = []
    with_role = set(
        RoleAssignment.objects.filter(
            role=Role.EVALUATOR, user__in=[e.pk for e in evaluators], user__is_active=True
        ).values_list("user_id", flat=True)
    )
    for e in evaluators:
        if e.pk not in with_role:
            problems.append(
                _("%(evaluator)s tidak memiliki peran evaluator.") % {"evaluator": e.display_name}
            )
        elif evaluator_conflict(e, assessment):
            problems.append(conflict_message(e, assessment))

    current = {
        a.evaluator_id: a
        for a in assessment.assignments.select_related("evaluator").annotate(
            has_scores=Exists(
                Score.objects.filter(assignment=OuterRef("pk")).filter(
                    Q(level__isnull=False) | ~Q(note="") | ~Q(recommendation="")
                )
            ),
            has_visit=Exists(FieldVisit.objects.filter(assignment=OuterRef("pk"))),
        )
    }
    chosen = {e.pk for e in evaluators}
    leaving = [a for pk, a in current.items() if pk not in chosen]
    for a in leaving:
        if a.has_scores or a.has_visit or a.submitted_at:
            problems.append(
                _(
                    "%(evaluator)s tidak dapat dikeluarkan dari tim %(unit)s karena sudah "
                    "menyimpan nilai F-02."
                )
                % {"evaluator": a.evaluator.display_name, "unit": assessment.unit.name}
            )
    if problems:
        raise WorkflowError(*problems)

    for a in leaving:
        audit_record(
            assessment=assessment,
            actor=by,
            action=AuditAction.ASSIGNMENT,
            old=_member_label(a.evaluator, a.is_lead),
            new="",
            reason=reason,
        )
        a.delete()
    team, new = [], []
    for e in evaluators:
        is_lead = e.pk == lead.pk
        existing = current.get(e.pk)
        if existing is None:
            created = EvaluatorAssignment.objects.create(
                assessment=assessment, evaluator=e, is_lead=is_lead
            )
            audit_record(
                assessment=assessment,
                actor=by,
                action=AuditAction.ASSIGNMENT,
                old="",
                new=_member_label(e, is_lead),
                reason=reason,
            )
            new.append(created)
            team.append(created)
            continue
        if existing.is_lead != is_lead:
            audit_record(
                assessment=assessment,
                actor=by,
                action=AuditAction.ASSIGNMENT,
                old=_member_label(e, existing.is_lead),
                new=_member_label(e, is_lead),
                reason=reason,
            )
            existing.is_lead = is_lead
            existing.save(update_fields=["is_lead"])
        team.append(existing)
    notify_assignment(assessment, new)
    return sorted(team, key=lambda a: (not a.is_lead, a.evaluator.username))
