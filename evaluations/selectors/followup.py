"""Reads of the follow-up register (tindak lanjut): progress per unit, the register page of
each role, one item with its history and files, the export rows, and the unit's previous
cycle beside F-01 and F-02. Each page in a constant number of queries."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoring.engine import round_half_up
from units.models import ServiceUnit
from units.permissions import RoleSet, roles_of

from ..models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    FinalLevel,
    FollowUpChange,
    FollowUpFile,
    FollowUpItem,
    FollowUpStatus,
)
from ..rules import today as local_today

# Statuses that close an item: neither counts as overdue once its target date passes.
CLOSED_STATUSES = (FollowUpStatus.DONE, FollowUpStatus.NOT_POSSIBLE)
PAGE_SIZE = 50
EXPORT_MAX_ROWS = 20_000
# What the history calls each field (FollowUpChange.field).
FIELD_LABELS = {
    "planned_action": gettext_lazy("Rencana aksi"),
    "responsible": gettext_lazy("Penanggung jawab"),
    "target_date": gettext_lazy("Target selesai"),
    "status": gettext_lazy("Status"),
    "status_reason": gettext_lazy("Alasan tidak dapat dilaksanakan"),
    "file": gettext_lazy("Berkas bukti"),
}


# --- Progress -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUpProgress:
    """How far a unit (or a group of units) has followed up its recommendations.

    `percent` is done / total × 100, one decimal, half up; items marked "tidak dapat
    dilaksanakan" count in the total as not done (and are shown apart in `not_possible`);
    None when there is nothing to follow up. `overdue`: target date passed, status belum or
    berjalan."""

    total: int = 0
    done: int = 0
    not_possible: int = 0
    overdue: int = 0

    @property
    def percent(self) -> Decimal | None:
        if not self.total:
            return None
        return round_half_up(Fraction(100 * self.done, self.total), 1)

    @property
    def open(self) -> int:
        return self.total - self.done - self.not_possible

    def __add__(self, other: "FollowUpProgress") -> "FollowUpProgress":
        return FollowUpProgress(
            total=self.total + other.total,
            done=self.done + other.done,
            not_possible=self.not_possible + other.not_possible,
            overdue=self.overdue + other.overdue,
        )


def progress_sum(rows: Iterable[FollowUpProgress]) -> FollowUpProgress:
    """Totals of several units' progress (percent recomputed from the sums, not averaged)."""
    return sum(rows, FollowUpProgress())


def _counts(prefix: str, on: Q, today: dt.date) -> dict:
    """Count annotations of follow-up items reached through `prefix` ("" on the items)."""

    def q(**lookups) -> Q:
        return on & Q(**{f"{prefix}{k}": v for k, v in lookups.items()})

    closed = [str(s) for s in CLOSED_STATUSES]
    target = prefix.rstrip("_") or "pk"
    return {
        "fu_total": Count(target, filter=on or None),
        "fu_done": Count(target, filter=q(status=FollowUpStatus.DONE)),
        "fu_not_possible": Count(target, filter=q(status=FollowUpStatus.NOT_POSSIBLE)),
        "fu_overdue": Count(
            target, filter=q(target_date__lt=today) & ~Q(**{f"{prefix}status__in": closed})
        ),
    }


def _progress(row: dict) -> FollowUpProgress:
    return FollowUpProgress(
        total=row["fu_total"],
        done=row["fu_done"],
        not_possible=row["fu_not_possible"],
        overdue=row["fu_overdue"],
    )


def followup_progress(
    units: QuerySet[ServiceUnit] | Iterable[int],
    cycle: Cycle | int | None = None,
    *,
    today: dt.date | None = None,
) -> dict[int, FollowUpProgress]:
    """Follow-up progress of each given unit, keyed by unit id, in one query.

    `units` is a queryset of units or unit ids; every one of them is in the answer, a unit
    without items with zeros. `cycle` limits the items to that cycle's recommendations (the
    cycle whose final assessment produced them); None counts every item of the unit.
    `today` (default: the local date) decides what is overdue."""
    on = Q() if cycle is None else Q(followups__assessment__cycle=cycle)
    rows = (
        ServiceUnit.objects.filter(pk__in=units)
        .order_by()
        .values("pk")
        .annotate(**_counts("followups__", on, today or local_today()))
    )
    return {row["pk"]: _progress(row) for row in rows}


# --- Who sees which items -----------------------------------------------------------------------


def _visible(roles: RoleSet) -> Q | None:
    """The items a person may read as a filter (None: every item)."""
    if roles.ministry_admin:
        return None
    agencies = roles.coordinator_agencies | roles.leadership_agencies
    return Q(unit__in=roles.operator_units) | Q(unit__agency__in=agencies)


def followups_visible_to(user) -> QuerySet[FollowUpItem]:
    """Every follow-up item the person may read (mirror of permissions.can_view_followup):
    all for ministry admins, their agency's units' for coordinators and leadership, their
    units' for operators; none for others."""
    visible = _visible(roles_of(user))
    items = FollowUpItem.objects.all()
    return items if visible is None else items.filter(visible)


def followup_cycles(user) -> list[Cycle]:
    """The cycles of which the person sees follow-up items, most recent first (one query)."""
    return list(
        Cycle.objects.filter(
            pk__in=followups_visible_to(user).values("assessment__cycle_id")
        ).order_by("-year", "-created_at", "-pk")
    )


# --- The register page --------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpQuery:
    """The register's filters: a cycle (None: every cycle), a status ("" any), overdue only."""

    cycle: Cycle | None = None
    status: str = ""
    overdue: bool = False
    page: int = 1

    @property
    def params(self) -> dict[str, str]:
        """The filters as query parameters (for the export link and the pages)."""
        params = {"periode": str(self.cycle.pk) if self.cycle else "semua"}
        if self.status:
            params["status"] = self.status
        if self.overdue:
            params["terlambat"] = "1"
        return params


@dataclass(frozen=True)
class SummaryRow:
    name: str
    progress: FollowUpProgress


@dataclass(frozen=True)
class SummaryTable:
    """One table of the monitoring: units of an agency, or agencies of a province."""

    title: str
    rows: list[SummaryRow]
    total: FollowUpProgress


@dataclass
class RegisterPage:
    query: FollowUpQuery
    cycles: list[Cycle]
    mode: str  # "admin": per province and agency; "agency": per unit; "unit": own units
    tables: list[SummaryTable]
    total: FollowUpProgress
    items: Page
    editable_units: frozenset[int] = frozenset()  # the units whose items the person edits
    today: dt.date = field(default_factory=local_today)

    @property
    def one_unit(self) -> bool:
        """An operator of a single unit: the totals say all, no table or unit column."""
        return self.mode == "unit" and len(self.tables) == 1 and len(self.tables[0].rows) == 1


def _scoped(user, query: FollowUpQuery) -> QuerySet[FollowUpItem]:
    items = followups_visible_to(user)
    if query.cycle is not None:
        items = items.filter(assessment__cycle=query.cycle)
    return items


def _overdue(today: dt.date) -> ExpressionWrapper:
    return ExpressionWrapper(
        Q(target_date__lt=today) & ~Q(status__in=[str(s) for s in CLOSED_STATUSES]),
        output_field=BooleanField(),
    )


def register_items(user, query: FollowUpQuery, *, today: dt.date | None = None):
    """The items of the register list (and its export): visible to the person, in the chosen
    cycle, status and overdue filter, with what each row shows; annotated `overdue` and
    `file_count`. Ordered by cycle (newest first), agency, unit, indicator number."""
    today = today or local_today()
    items = _scoped(user, query)
    if query.status:
        items = items.filter(status=query.status)
    if query.overdue:
        items = items.filter(target_date__lt=today).exclude(
            status__in=[str(s) for s in CLOSED_STATUSES]
        )
    files = (
        FollowUpFile.objects.filter(item=OuterRef("pk"), removed_at__isnull=True)
        .order_by()
        .values("item")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        items.select_related("unit", "unit__agency", "indicator", "assessment__cycle", "updated_by")
        .annotate(
            overdue=_overdue(today),
            file_count=Coalesce(Subquery(files), 0),
        )
        .order_by(
            "-assessment__cycle__year",
            "-assessment__cycle__created_at",
            "unit__agency__name",
            "unit__name",
            "indicator__number",
        )
    )


def _tables(roles: RoleSet, items: QuerySet[FollowUpItem], today: dt.date):
    counts = _counts("", Q(), today)
    if roles.ministry_admin:
        rows = (
            items.order_by()
            .values(
                "unit__agency__name",
                "unit__agency_id",
                "unit__agency__province__name",
                "unit__agency__province__code",
            )
            .annotate(**counts)
            .order_by("unit__agency__province__code", "unit__agency__name")
        )
        groups: dict[str, list[SummaryRow]] = {}
        central: list[SummaryRow] = []
        for row in rows:
            province = row["unit__agency__province__name"]
            target = groups.setdefault(province, []) if province else central
            target.append(SummaryRow(row["unit__agency__name"], _progress(row)))
        if central:  # agencies without a province (K/L, POLRI, BUMN) after the provinces
            groups[_("Instansi pusat (tanpa provinsi: K/L, POLRI, BUMN)")] = central
        return "admin", groups
    if roles.coordinator_agencies or roles.leadership_agencies:
        agencies = roles.coordinator_agencies | roles.leadership_agencies
        items, mode = items.filter(unit__agency__in=agencies), "agency"
    else:
        mode = "unit"
    rows = (
        items.order_by()
        .values("unit__agency__name", "unit_id", "unit__name")
        .annotate(**counts)
        .order_by("unit__agency__name", "unit__name")
    )
    groups = {}
    for row in rows:
        groups.setdefault(row["unit__agency__name"], []).append(
            SummaryRow(row["unit__name"], _progress(row))
        )
    return mode, groups


def register_page(
    user, query: FollowUpQuery, cycles: list[Cycle], *, today: dt.date | None = None
) -> RegisterPage:
    """The register of the person (three queries): the monitoring tables (admins: a table per
    province with a row per agency; coordinators and leadership: a table per agency with a
    row per unit; operators: their units) with totals, over the chosen cycle and every status,
    and one page of the filtered item list."""
    today = today or local_today()
    roles = roles_of(user)
    mode, groups = _tables(roles, _scoped(user, query), today)
    tables = [
        SummaryTable(title, rows, progress_sum(r.progress for r in rows))
        for title, rows in groups.items()
    ]
    items = Paginator(register_items(user, query, today=today), PAGE_SIZE).get_page(query.page)
    return RegisterPage(
        query=query,
        cycles=cycles,
        mode=mode,
        tables=tables,
        total=progress_sum(t.total for t in tables),
        items=items,
        editable_units=roles.operator_units,
        today=today,
    )


def export_table(items: QuerySet[FollowUpItem]) -> tuple[list[str], list[list]]:
    """The header and rows of the register's XLSX export, from `register_items`: the text
    people typed as text (the spreadsheet helper keeps "=…" a string), dates as dates."""
    headers = [
        _("Periode"),
        _("Instansi"),
        _("Unit"),
        _("No."),
        _("Kode"),
        _("Indikator"),
        _("Tingkat final"),
        _("Rekomendasi"),
        _("Rencana aksi"),
        _("Penanggung jawab"),
        _("Target selesai"),
        _("Status"),
        _("Alasan tidak dapat dilaksanakan"),
        _("Terlambat"),
        _("Berkas bukti"),
        _("Diperbarui"),
    ]
    rows = [
        [
            item.assessment.cycle.name,
            item.unit.agency.name,
            item.unit.name,
            item.indicator.number,
            item.indicator.code,
            item.indicator.title,
            item.level,
            item.recommendation,
            item.planned_action,
            item.responsible,
            item.target_date,
            item.get_status_display(),
            item.status_reason,
            _("Ya") if item.overdue else _("Tidak"),
            item.file_count,
            timezone.localtime(item.updated_at).strftime("%d-%m-%Y %H:%M")
            if item.updated_at
            else "",
        ]
        for item in items.iterator(chunk_size=2000)
    ]
    return headers, rows


# --- One item -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    change: FollowUpChange  # with its actor
    label: str
    old: str
    new: str


@dataclass
class ItemPage:
    item: FollowUpItem  # with unit, agency, indicator, cycle, last editor; `overdue`
    files: list[FollowUpFile]  # active, with their uploader
    history: list[HistoryRow]  # newest first

    @property
    def closed(self) -> bool:
        """Done or not possible: only the status (and its reason) can change."""
        return self.item.status in CLOSED_STATUSES


def followup_item(user, pk: int) -> FollowUpItem | None:
    """One item the person may read, with what its page and the edit need (one query)."""
    return (
        followups_visible_to(user)
        .select_related(
            "unit__agency", "indicator", "assessment__cycle", "assessment__unit", "updated_by"
        )
        .annotate(overdue=_overdue(local_today()))
        .filter(pk=pk)
        .first()
    )


def _shown(name: str, value: str) -> str:
    if not value:
        return "—"
    if name == "status" and value in FollowUpStatus.values:
        return str(FollowUpStatus(value).label)
    if name == "target_date":
        try:
            return dt.date.fromisoformat(value).strftime("%d-%m-%Y")
        except ValueError:
            return value
    return value


def item_page(item: FollowUpItem) -> ItemPage:
    """The item's active evidence files and its history (two queries)."""
    files = list(
        FollowUpFile.objects.filter(item=item, removed_at__isnull=True)
        .select_related("uploaded_by")
        .order_by("pk")
    )
    history = [
        HistoryRow(
            change,
            str(FIELD_LABELS.get(change.field, change.field)),
            _shown(change.field, change.old),
            _shown(change.field, change.new),
        )
        for change in FollowUpChange.objects.filter(item=item)
        .select_related("actor")
        .order_by("-at", "-pk")
    ]
    return ItemPage(item=item, files=files, history=history)


def followup_file(user, file_id: int) -> FollowUpFile | None:
    """An active evidence file of an item the person may read, with its item (one query)."""
    return (
        FollowUpFile.objects.filter(
            item__in=followups_visible_to(user), removed_at__isnull=True, pk=file_id
        )
        .select_related("item__unit")
        .first()
    )


# --- The previous cycle beside F-01 and F-02 ----------------------------------------------------


def previous_assessment(assessment: Assessment) -> QuerySet[Assessment]:
    """The same unit's assessments of earlier cycles, most recent first."""
    cycle = assessment.cycle
    return (
        Assessment.objects.filter(unit_id=assessment.unit_id)
        .filter(
            Q(cycle__year__lt=cycle.year)
            | Q(cycle__year=cycle.year, cycle__created_at__lt=cycle.created_at)
        )
        .exclude(pk=assessment.pk)
        .order_by("-cycle__year", "-cycle__created_at", "-pk")
    )


@dataclass(frozen=True)
class PreviousIndicator:
    """Last cycle's final level of an indicator, its recommendation and follow-up status."""

    cycle_name: str
    level: int
    item_id: int | None = None
    recommendation: str = ""
    status: str = ""
    status_reason: str = ""

    @property
    def status_label(self) -> str:
        return str(FollowUpStatus(self.status).label) if self.status else ""


def previous_cycle(assessment: Assessment) -> dict[str, PreviousIndicator]:
    """By indicator code: the final level, recommendation and follow-up status of the unit's
    most recent earlier final assessment (matched by code, as evidence carry-over does), in
    one query; empty when there is none. `assessment` comes with its cycle."""
    source = previous_assessment(assessment).filter(status=AssessmentStatus.FINAL)
    item = (
        FollowUpItem.objects.filter(
            assessment_id=OuterRef("assessment_id"), indicator_id=OuterRef("indicator_id")
        )
        .order_by()
        .values(
            data=JSONObject(
                id="pk", recommendation="recommendation", status="status", reason="status_reason"
            )
        )
    )
    rows = (
        FinalLevel.objects.filter(assessment_id=Subquery(source.values("pk")[:1]))
        .annotate(followup=Subquery(item[:1]))
        .values_list("indicator__code", "level", "assessment__cycle__name", "followup")
    )
    previous = {}
    for code, level, cycle_name, followup in rows:
        followup = followup or {}
        previous[code] = PreviousIndicator(
            cycle_name=cycle_name,
            level=level,
            item_id=followup.get("id"),
            recommendation=followup.get("recommendation") or "",
            status=followup.get("status") or "",
            status_reason=followup.get("reason") or "",
        )
    return previous
