"""The F-02 page's reads in SQL: the evaluator's own assignment with its assessment, claims
with scores, evidence, clarifications, team and window.

Why SQL and not the ORM: the F-02 page has a target of 100 requests/s per worker core, at
most 10 ms of CPU for the whole page. Building and compiling an ORM query costs 0.5–1 ms of
CPU on the reference machine whatever it returns (2 ms for the assignment with five related
models, 3 ms for the team with the phase window's subqueries), and making 30 model instances
about as much again. Each read below costs 0.1–0.2 ms (`bench/f02_load.py`), and every
round trip to the database also costs the worker system time, so claims and scores come in
one. Each reads a few tables by an indexed key, in SQL that PostgreSQL and SQLite both run,
into small read-only rows or, for the assignment, model instances (pekppp/lib/sqlmodels.py);
tests/evaluations/test_f02_rows.py checks them against the same data read through the
models. Writes stay in the ORM (services), but for the page's own last_viewed_at UPDATE.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from pekppp.lib.sqlmodels import ModelColumns, fetch, load_joined
from units.models import Agency, ServiceUnit, User
from units.permissions import roles_of

from .models import (
    Assessment,
    ClarificationStatus,
    Cycle,
    EvaluatorAssignment,
    Indicator,
    InstrumentVersion,
    Phase,
    Score,
)
from .services.workflow import window_from

PDF = "application/pdf"
IMAGES = ("image/jpeg", "image/png")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp as the ORM gives it: PostgreSQL returns it aware, SQLite as naive UTC."""
    if value is not None and timezone.is_naive(value):
        return timezone.make_aware(value, dt.UTC)
    return value


def _date(value: dt.date | str | None) -> dt.date | None:
    """A date column; SQLite gives a computed one (MAX) as ISO text."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _display_name(username: str, full_name: str, first_name: str, last_name: str) -> str:
    """User.display_name from the four columns it reads (an unsaved User, no query)."""
    person = User(
        username=username, full_name=full_name, first_name=first_name, last_name=last_name
    )
    return person.display_name


@dataclass(frozen=True)
class Claim:
    """The unit's F-01 answer to one indicator."""

    level: int | None
    explanation: str
    updated_at: dt.datetime | None


_ASSIGNMENT = ModelColumns(EvaluatorAssignment, "ea")
_ASSESSMENT = ModelColumns(Assessment, "a")
_CYCLE = ModelColumns(Cycle, "c")
_INSTRUMENT = ModelColumns(InstrumentVersion, "i")
_UNIT = ModelColumns(ServiceUnit, "u")
_AGENCY = ModelColumns(Agency, "g")
_SCORE = ModelColumns(Score, "s")
_INDICATOR = ModelColumns(Indicator, "ind")

# A phase's window for the unit of assessment `a`, joined as `w`: the cycle's dates and the
# latest end this unit was given (as workflow.window_of). SQLite gives MAX() as text: _date.
_WINDOW_COLUMNS = (
    "w.starts_on, w.ends_on, (SELECT MAX(x.ends_on) FROM evaluations_phaseextension x"
    " WHERE x.assessment_id = a.id AND x.phase = w.phase)"
)
_WINDOW_JOIN = " LEFT JOIN evaluations_phasewindow w ON w.cycle_id = a.cycle_id AND w.phase = %s"


def own_assignment(*, user, assessment_id: int) -> EvaluatorAssignment | None:
    """The person's assignment on an assessment, with the assessment, its cycle, instrument,
    unit and agency attached as select_related would; None when they are not assigned to it.
    Whether they still hold the evaluator role is the caller's check (roles_of, read with the
    user: an EXISTS here tripled PostgreSQL's planning time)."""
    tables = (_ASSIGNMENT, _ASSESSMENT, _CYCLE, _INSTRUMENT, _UNIT, _AGENCY)
    found = fetch(
        f"SELECT {', '.join(t.sql for t in tables)}"
        " FROM evaluations_evaluatorassignment ea"
        " JOIN evaluations_assessment a ON a.id = ea.assessment_id"
        " JOIN evaluations_cycle c ON c.id = a.cycle_id"
        " JOIN evaluations_instrumentversion i ON i.id = c.instrument_id"
        " JOIN units_serviceunit u ON u.id = a.unit_id"
        " JOIN units_agency g ON g.id = u.agency_id"
        " WHERE ea.assessment_id = %s AND ea.evaluator_id = %s",
        [assessment_id, user.pk],
    )
    if not found:
        return None
    assignment, assessment, cycle, instrument, unit, agency = load_joined(found[0], *tables)
    EvaluatorAssignment.assessment.field.set_cached_value(assignment, assessment)
    Assessment.cycle.field.set_cached_value(assessment, cycle)
    Assessment.unit.field.set_cached_value(assessment, unit)
    Cycle.instrument.field.set_cached_value(cycle, instrument)
    ServiceUnit.agency.field.set_cached_value(unit, agency)
    return assignment


@dataclass(frozen=True)
class ScoreState:
    """One evaluator's level, note and recommendation for one indicator, with the version the
    next autosave must send (0 for a row not created yet)."""

    indicator_id: int
    level: int | None = None
    note: str = ""
    recommendation: str = ""
    version: int = 0
    updated_at: dt.datetime | None = None


def scores(assignment_id: int) -> dict[int, ScoreState]:
    """An evaluator's score rows by indicator id."""
    return {
        row[0]: ScoreState(*row[:5], _aware(row[5]))
        for row in fetch(
            "SELECT indicator_id, level, note, recommendation, version, updated_at"
            " FROM evaluations_score WHERE assignment_id = %s",
            [assignment_id],
        )
    }


def score_for_autosave(*, user, assessment_id: int, indicator_id: int) -> Score | None:
    """The person's own Score row with everything an autosave checks, in one query.

    Carries its assignment with the assessment, its indicator, and the evaluation window with
    this unit's latest extension as `window_starts`, `window_ends`, `window_extended_to`
    (what workflow.window_annotated reads). None when the person has no such row: not theirs,
    no longer an evaluator (roles_of, read with the user), or the row was never created.
    """
    if not roles_of(user).evaluator:
        return None
    tables = (_SCORE, _ASSIGNMENT, _ASSESSMENT, _INDICATOR)
    found = fetch(
        f"SELECT {', '.join(t.sql for t in tables)}, {_WINDOW_COLUMNS}"
        " FROM evaluations_score s"
        " JOIN evaluations_evaluatorassignment ea ON ea.id = s.assignment_id"
        " JOIN evaluations_assessment a ON a.id = ea.assessment_id"
        " JOIN evaluations_indicator ind ON ind.id = s.indicator_id"
        f"{_WINDOW_JOIN}"
        " WHERE ea.assessment_id = %s AND ea.evaluator_id = %s AND s.indicator_id = %s",
        [Phase.EVALUATION, assessment_id, user.pk, indicator_id],
    )
    if not found:
        return None
    score, assignment, assessment, indicator = load_joined(found[0], *tables)
    Score.assignment.field.set_cached_value(score, assignment)
    Score.indicator.field.set_cached_value(score, indicator)
    EvaluatorAssignment.assessment.field.set_cached_value(assignment, assessment)
    starts, ends, extended = found[0][-3:]  # _WINDOW_COLUMNS, last
    score.window_starts, score.window_ends, score.window_extended_to = starts, ends, _date(extended)
    return score


def claims_and_scores(
    assessment_id: int, assignment_id: int
) -> tuple[dict[int, Claim], dict[int, ScoreState]]:
    """The unit's answers and an evaluator's score rows, by indicator id, in one query."""
    claims: dict[int, Claim] = {}
    scores: dict[int, ScoreState] = {}
    for is_score, indicator_id, level, text, recommendation, version, updated_at in fetch(
        "SELECT 0, indicator_id, claimed_level, explanation, '', 0, updated_at"
        " FROM evaluations_answer WHERE assessment_id = %s"
        " UNION ALL SELECT 1, indicator_id, level, note, recommendation, version, updated_at"
        " FROM evaluations_score WHERE assignment_id = %s",
        [assessment_id, assignment_id],
    ):
        if is_score:
            scores[indicator_id] = ScoreState(
                indicator_id, level, text, recommendation, version, _aware(updated_at)
            )
        else:
            claims[indicator_id] = Claim(level, text, _aware(updated_at))
    return claims, scores


@dataclass
class EvidenceItem:
    """The latest revision of one active evidence document."""

    revision_id: int
    title: str  # the document's
    original_name: str
    number: int
    size: int
    content_type: str
    changed: bool
    url: str = ""  # set by the view

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGES


def latest_evidence(assessment_id: int, since: dt.datetime | None) -> dict[int, list[EvidenceItem]]:
    """The latest revision of each active evidence document, by indicator id; `changed` when
    uploaded after `since`. Documents have a few revisions each: reading them all costs less
    than a correlated subquery for the latest."""
    latest: dict[int, tuple] = {}
    for row in fetch(
        "SELECT r.evidence_id, e.indicator_id, r.id, e.title, r.original_name, r.number,"
        " r.size, r.content_type, r.uploaded_at"
        " FROM evaluations_evidencerevision r"
        " JOIN evaluations_evidence e ON e.id = r.evidence_id"
        " WHERE e.assessment_id = %s AND e.removed_at IS NULL"
        " ORDER BY e.indicator_id, r.evidence_id, r.number",
        [assessment_id],
    ):
        latest[row[0]] = row
    items: dict[int, list[EvidenceItem]] = {}
    for _doc, indicator_id, pk, title, name, number, size, kind, uploaded in latest.values():
        changed = since is not None and _aware(uploaded) > since
        items.setdefault(indicator_id, []).append(
            EvidenceItem(pk, title, name, number, size, kind, changed)
        )
    return items


@dataclass(frozen=True)
class ClarificationItem:
    """A question the evaluators returned to the unit, and the unit's answer."""

    indicator_id: int
    question: str
    answer: str
    asked_at: dt.datetime
    answered_at: dt.datetime | None
    status_label: str
    asked_by: str  # display name
    is_new: bool  # answered after the evaluator last looked


def clarifications(assessment_id: int, since: dt.datetime | None) -> dict[int, list]:
    """The assessment's clarifications by indicator id, oldest first."""
    items: dict[int, list[ClarificationItem]] = {}
    for row in fetch(
        "SELECT c.indicator_id, c.question, c.answer, c.asked_at, c.answered_at, c.status,"
        " u.username, u.full_name, u.first_name, u.last_name"
        " FROM evaluations_clarification c JOIN units_user u ON u.id = c.asked_by_id"
        " WHERE c.assessment_id = %s ORDER BY c.asked_at, c.id",
        [assessment_id],
    ):
        indicator_id, question, answer, asked_at, answered_at, status = row[:6]
        answered_at = _aware(answered_at)
        items.setdefault(indicator_id, []).append(
            ClarificationItem(
                indicator_id=indicator_id,
                question=question,
                answer=answer,
                asked_at=_aware(asked_at),
                answered_at=answered_at,
                status_label=str(ClarificationStatus(status).label),
                asked_by=_display_name(*row[6:]),
                is_new=bool(since and answered_at and answered_at > since),
            )
        )
    return items


@dataclass(frozen=True)
class TeamMember:
    """One evaluator assigned to the assessment."""

    assignment_id: int
    name: str  # display name
    is_lead: bool
    submitted_at: dt.datetime | None


def team_and_window(
    assessment_id: int, phase: str
) -> tuple[list[TeamMember], tuple[dt.date, dt.date] | None]:
    """The assessment's evaluators, lead first, and the window of `phase` for this unit: the
    cycle's, ending later when the unit was given more time (as workflow.window_of)."""
    found = fetch(
        "SELECT ea.id, ea.is_lead, ea.submitted_at,"
        f" u.username, u.full_name, u.first_name, u.last_name, {_WINDOW_COLUMNS}"
        " FROM evaluations_evaluatorassignment ea"
        " JOIN units_user u ON u.id = ea.evaluator_id"
        f" JOIN evaluations_assessment a ON a.id = ea.assessment_id{_WINDOW_JOIN}"
        " WHERE ea.assessment_id = %s ORDER BY ea.is_lead DESC, u.username",
        [phase, assessment_id],
    )
    team = []
    for pk, is_lead, submitted_at, *person in (row[:7] for row in found):
        team.append(TeamMember(pk, _display_name(*person), bool(is_lead), _aware(submitted_at)))
    window = window_from(found[0][7], found[0][8], _date(found[0][9])) if found else None
    return team, window
