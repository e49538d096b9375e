"""Priority coaching (UPP prioritas pembinaan): the proposal after publication, the manager's
decisions on it, and the coaching sessions of the units on the list.

- `priority_propose` reads the cycle's current publication and proposes the units graded at
  or below a grade (`PRIORITY_MAX_GRADE`, default C-) or ranked in the bottom share of their
  ranking group (`PRIORITY_BOTTOM_SHARE`, default 0.10). Running it again adds only units that
  have no row yet: a proposal the manager removed keeps its row (`removed_at`, who, why), so
  it never comes back by itself.
- `priority_confirm`, `priority_remove`, `priority_add` are the manager's decisions, each
  recorded on the row (who, when; why for a removal or a unit added by hand).
- `coaching_session_record` and `coaching_file_add` record coaching of a confirmed unit, with
  attachments checked as bukti dukung are; a session dated after today is a scheduled one,
  and the unit's operators and its agency's leadership are notified of it.

Who may do what: `permissions.priority_access`.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluations.models import Assessment, Cycle, GradeBand
from evaluations.rules import today
from evaluations.services.evidence import (
    CheckedUpload,
    clean_file_name,
    files_store,
    upload_check,
)
from evaluations.services.workflow import WorkflowError, require_plain_text
from notifications.models import NotificationKind
from notifications.services import notify
from units.models import Role, ServiceUnit, User

from ..models import (
    CoachingFile,
    CoachingMode,
    CoachingSession,
    PriorityBasis,
    PriorityUnit,
    Publication,
    PublishedResult,
)
from ..permissions import priority_access

# A share above this would not pick out the weakest units any more.
MAX_BOTTOM_SHARE = Decimal("0.5")
MAX_FILES_PER_SESSION = 20
# A session is scheduled at most this far ahead, and recorded from the cycle's year on.
MAX_DAYS_AHEAD = 366


# --- The proposal rule (no database) ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Standing:
    """One unit in a publication: its ranking group, rank in the group and grade."""

    unit_id: int
    group: str
    rank: int
    grade: str


def grades_at_or_below(bands: Sequence[tuple[str, Decimal]], grade: str) -> frozenset[str]:
    """The grades of `bands` ((grade, highest IPP) pairs) no better than `grade`.

    Raises WorkflowError when `grade` is not one of them, naming the ones there are.
    """
    top = dict(bands).get(grade)
    if top is None:
        known = ", ".join(g for g, _max in sorted(bands, key=lambda b: b[1], reverse=True))
        raise WorkflowError(
            _("Predikat “%(grade)s” tidak ada dalam tabel predikat instrumen: pilih salah satu "
              "dari %(known)s.")
            % {"grade": grade[:10], "known": known}
        )  # fmt: skip
    return frozenset(g for g, highest in bands if highest <= top)


def bottom_cut(ranks: Sequence[int], share: Decimal) -> int | None:
    """The worst `share` of a ranking group with `ranks` (ties share a rank): every unit whose
    rank is the returned one or worse. The share is of the group's size, rounded down (none in
    a group too small for one unit); units tied with the last one taken are all taken."""
    count = int(len(ranks) * share)
    if count < 1:
        return None
    return sorted(ranks)[len(ranks) - count]


def proposal_basis(
    standings: Iterable[Standing], *, low_grades: frozenset[str], share: Decimal
) -> dict[int, PriorityBasis]:
    """Which units to propose, and why: a grade in `low_grades` (the reason given when both
    hold), or a rank in the bottom `share` of the unit's ranking group."""
    standings = list(standings)
    ranks: dict[str, list[int]] = defaultdict(list)
    for s in standings:
        ranks[s.group].append(s.rank)
    cuts = {group: bottom_cut(members, share) for group, members in ranks.items()}
    basis = {}
    for s in standings:
        if s.grade in low_grades:
            basis[s.unit_id] = PriorityBasis.GRADE
        elif cuts[s.group] is not None and s.rank >= cuts[s.group]:
            basis[s.unit_id] = PriorityBasis.BOTTOM_SHARE
    return basis


# --- The list ---------------------------------------------------------------------------------


def _lock(cycle: Cycle) -> Cycle:
    """The cycle's row, locked: proposals and decisions on one list queue (and queue with a
    publication, so a proposal reads one whole revision)."""
    return Cycle.objects.select_for_update().get(pk=cycle.pk)


def _managed(cycle: Cycle, by) -> Publication:
    """Lock the cycle for its manager and return its current publication (refused without)."""
    access = priority_access(by, cycle)
    if access is None or not access.manage:
        raise PermissionDenied
    _lock(cycle)
    publication = Publication.objects.filter(cycle=cycle, is_current=True).first()
    if publication is None:
        raise WorkflowError(
            _("Periode ini belum dipublikasikan: UPP prioritas diusulkan dari hasil publikasi.")
        )
    return publication


@dataclass(frozen=True, slots=True)
class Proposal:
    """What `priority_propose` did: the new rows, the units that qualified but were already
    on the list, and those that qualified but had been removed (left off)."""

    added: tuple[PriorityUnit, ...]
    already: int
    kept_off: int


@transaction.atomic
def priority_propose(
    *, cycle: Cycle, by, max_grade: str | None = None, bottom_share: Decimal | None = None
) -> Proposal:
    """Propose the units of `cycle`'s current publication graded `max_grade` or lower, or in
    the bottom `bottom_share` of their ranking group (defaults: the settings). Idempotent."""
    publication = _managed(cycle, by)
    max_grade = settings.PRIORITY_MAX_GRADE if max_grade is None else max_grade
    share = settings.PRIORITY_BOTTOM_SHARE if bottom_share is None else bottom_share
    if not 0 <= share <= MAX_BOTTOM_SHARE:
        raise WorkflowError(
            _("Porsi peringkat terbawah harus antara 0 dan %(max)s%%.")
            % {"max": int(MAX_BOTTOM_SHARE * 100)}
        )
    bands = GradeBand.objects.filter(instrument_id=publication.instrument_id)
    low = grades_at_or_below(list(bands.values_list("grade", "max_ipp")), max_grade)
    rows = PublishedResult.objects.filter(publication=publication).values_list(
        "pk", "unit_id", "ranking_group", "rank", "grade"
    )
    result_of, standings = {}, []
    for pk, unit_id, group, rank, grade in rows:
        result_of[unit_id] = pk
        standings.append(Standing(unit_id, group, rank, grade))
    basis = proposal_basis(standings, low_grades=low, share=share)
    present = dict(
        PriorityUnit.objects.filter(cycle=cycle, unit__in=list(basis)).values_list(
            "unit_id", "removed_at"
        )
    )
    added = PriorityUnit.objects.bulk_create(
        PriorityUnit(cycle=cycle, unit_id=unit, published_result_id=result_of[unit], basis=why)
        for unit, why in sorted(basis.items())
        if unit not in present
    )
    kept_off = sum(1 for removed_at in present.values() if removed_at is not None)
    return Proposal(added=tuple(added), already=len(present) - kept_off, kept_off=kept_off)


@transaction.atomic
def priority_confirm(*, cycle: Cycle, by, units: Iterable[int] | None = None) -> int:
    """Confirm proposals of `cycle` (the given units, or every pending proposal when None);
    a removed unit given by name is put back on the list. Returns how many were confirmed."""
    _managed(cycle, by)
    rows = PriorityUnit.objects.filter(cycle=cycle, confirmed_at__isnull=True)
    if units is None:
        rows = rows.filter(removed_at__isnull=True)
    else:
        units = list(units)
        rows = rows.filter(unit__in=units)
        if not units or rows.count() != len(set(units)):
            raise WorkflowError(_("Unit ini tidak ada dalam usulan atau sudah ditetapkan."))
    return rows.update(
        confirmed_at=timezone.now(),
        confirmed_by=by,
        removed_at=None,
        removed_by=None,
        removal_reason="",
    )


def _reason(reason: str, label: str) -> str:
    reason = (reason or "").strip()
    require_plain_text((label, reason))
    if not reason:
        raise WorkflowError(_("%(field)s wajib diisi.") % {"field": label})
    return reason


@transaction.atomic
def priority_remove(*, cycle: Cycle, unit: ServiceUnit, by, reason: str) -> PriorityUnit:
    """Take a unit off `cycle`'s list (proposed or confirmed) for `reason`; its row stays, so
    a later proposal leaves it off, and its coaching sessions stay on record."""
    _managed(cycle, by)
    reason = _reason(reason, _("Alasan dikeluarkan"))
    row = PriorityUnit.objects.filter(cycle=cycle, unit=unit, removed_at__isnull=True).first()
    if row is None:
        raise WorkflowError(_("Unit ini tidak ada dalam daftar prioritas."))
    row.removed_at, row.removed_by, row.removal_reason = timezone.now(), by, reason
    row.confirmed_at = row.confirmed_by = None
    row.save(
        update_fields=["removed_at", "removed_by", "removal_reason", "confirmed_at", "confirmed_by"]
    )
    return row


@transaction.atomic
def priority_add(*, cycle: Cycle, unit: ServiceUnit, by, reason: str) -> PriorityUnit:
    """Put a locus of `cycle` on its list by hand, confirmed, for `reason`; a unit removed
    earlier comes back with its first basis."""
    publication = _managed(cycle, by)
    reason = _reason(reason, _("Alasan penambahan"))
    if not Assessment.objects.filter(cycle=cycle, unit=unit).exists():
        raise WorkflowError(_("%(unit)s bukan lokus periode ini.") % {"unit": unit.name})
    row = PriorityUnit.objects.filter(cycle=cycle, unit=unit).first()
    if row is not None and row.removed_at is None:
        raise WorkflowError(_("%(unit)s sudah ada dalam daftar prioritas.") % {"unit": unit.name})
    now = timezone.now()
    if row is None:
        row = PriorityUnit(cycle=cycle, unit=unit, basis=PriorityBasis.MANUAL)
        row.published_result = PublishedResult.objects.filter(
            publication=publication, unit=unit
        ).first()
    row.note, row.confirmed_at, row.confirmed_by = reason, now, by
    row.removed_at, row.removed_by, row.removal_reason = None, None, ""
    row.save()
    return row


# --- Coaching sessions ---------------------------------------------------------------------------


def _coached(priority: PriorityUnit, by) -> None:
    access = priority_access(by, priority.cycle)
    if access is None or not access.sees(priority) or not access.coaches(priority):
        raise PermissionDenied
    if priority.confirmed_at is None:
        raise WorkflowError(
            _("Pendampingan dicatat untuk UPP prioritas yang sudah ditetapkan; tetapkan dulu "
              "unit ini dalam daftar.")
        )  # fmt: skip


def _checked(file: File) -> tuple[File, CheckedUpload]:
    """An attachment checked as bukti dukung is (`evidence.upload_check`), each problem
    naming the file."""
    try:
        return file, upload_check(file)
    except WorkflowError as exc:
        name = clean_file_name(file.name)
        raise WorkflowError(*(f"{name}: {problem}" for problem in exc.problems)) from None


def _store(session: CoachingSession, checked, by) -> list[CoachingFile]:
    rows = [(CoachingFile(session=session, **c.fields(by)), file) for file, c in checked]
    files_store(rows)
    return [row for row, _file in rows]


def _session_problems(cycle: Cycle, held_on, mode: str, people: str, topics: str) -> list[str]:
    problems = []
    if held_on is None:
        problems.append(_("Tanggal pendampingan wajib diisi."))
    elif held_on.year < cycle.year:
        problems.append(
            _("Tanggal pendampingan tidak boleh sebelum tahun periode (%(year)s).")
            % {"year": cycle.year}
        )
    elif (held_on - today()).days > MAX_DAYS_AHEAD:
        problems.append(_("Tanggal pendampingan paling lambat satu tahun dari hari ini."))
    if mode not in CoachingMode.values:
        problems.append(_("Pilih bentuk pendampingan: luring, daring atau hibrida."))
    if not people:
        problems.append(_("Peserta wajib diisi."))
    if not topics:
        problems.append(_("Topik wajib diisi."))
    return problems


@transaction.atomic
def coaching_session_record(
    *,
    priority: PriorityUnit,
    held_on,
    mode: str,
    people: str,
    topics: str,
    notes: str = "",
    files: Sequence[File] = (),
    by,
) -> CoachingSession:
    """Record one coaching session of a confirmed priority unit, with its attachments: all
    stored, or nothing. A session dated after today is scheduled: the unit's operators and its
    agency's leadership are notified (once each)."""
    _coached(priority, by)
    people, topics, notes = (people or "").strip(), (topics or "").strip(), (notes or "").strip()
    require_plain_text((_("Peserta"), people), (_("Topik"), topics), (_("Catatan"), notes))
    problems = _session_problems(priority.cycle, held_on, mode, people, topics)
    if len(files) > MAX_FILES_PER_SESSION:
        problems.append(_("Paling banyak %(n)s lampiran per sesi.") % {"n": MAX_FILES_PER_SESSION})
    checked = []
    for file in files:
        try:
            checked.append(_checked(file))
        except WorkflowError as exc:
            problems += exc.problems
    if problems:
        raise WorkflowError(*problems)
    session = CoachingSession.objects.create(
        unit=priority.unit,
        cycle=priority.cycle,
        held_on=held_on,
        mode=mode,
        people=people,
        topics=topics,
        notes=notes,
        recorded_by=by,
    )
    _store(session, checked, by)
    if held_on > today():
        _notify_scheduled(session)
    return session


@transaction.atomic
def coaching_file_add(*, session: CoachingSession, file: File, by) -> CoachingFile:
    """Attach one more file to a coaching session (at most MAX_FILES_PER_SESSION)."""
    priority = PriorityUnit.objects.select_related("cycle", "unit").get(
        cycle_id=session.cycle_id, unit_id=session.unit_id
    )
    _coached(priority, by)
    # Locked: two uploads to one session are counted in turn.
    session = CoachingSession.objects.select_for_update().get(pk=session.pk)
    if session.files.count() >= MAX_FILES_PER_SESSION:
        raise WorkflowError(
            _("Paling banyak %(n)s lampiran per sesi.") % {"n": MAX_FILES_PER_SESSION}
        )
    return _store(session, [_checked(file)], by)[0]


def coaching_recipients(unit: ServiceUnit):
    """Who hears of a scheduled session: the unit's operators and its agency's leadership."""
    return (
        User.objects.filter(
            Q(roles__role=Role.UNIT_OPERATOR, roles__unit=unit)
            | Q(roles__role=Role.LEADERSHIP, roles__agency_id=unit.agency_id)
        )
        .distinct()
        .order_by("pk")
    )


def _notify_scheduled(session: CoachingSession) -> None:
    url = reverse("scoring:coaching_page", args=[session.cycle_id, session.unit_id])
    notify(
        recipients=coaching_recipients(session.unit),
        kind=NotificationKind.COACHING,
        template="coaching",
        context={"session": session, "unit": session.unit, "cycle": session.cycle, "url": url},
        url=url,
        key=f"coaching:{session.pk}",
    )
