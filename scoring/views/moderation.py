"""Moderation (pleno: final levels) and finalising an assessment.

These are scoring's because they store the result; their URL names stay in the `evaluations:`
namespace of the assessment pages (see `pekppp/urls.py`).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from evaluations.models import Assessment
from evaluations.notifications import final_audience
from evaluations.permissions import can_moderate
from evaluations.selectors.moderation import ModerationRow, hub_assessments, moderation_table
from evaluations.services.workflow import Status, WorkflowError
from evaluations.views.confirm import Confirmation, confirm_page, confirmed
from pekppp.lib.htmx import wants_fragment

from ..services import moderation as services

LEVEL_CHOICES = range(6)
PAGE = "scoring/moderation_form.html"


def _moderated_assessment(request, pk: int) -> Assessment:
    # Outsiders get 404; people who see the assessment but may not moderate it get 403.
    assessment = get_object_or_404(hub_assessments(request.user), pk=pk)
    if not can_moderate(request.user, assessment):
        raise PermissionDenied
    return assessment


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _posted_decisions(post) -> tuple[dict, dict]:
    """{number: (level, reason)} of the rows the moderator filled, and the levels they saw."""
    decisions, seen = {}, {}
    for key in post:
        if not key.startswith("level-"):
            continue
        number = _int_or_none(key.removeprefix("level-"))
        if number is None:
            continue
        level, reason = post.get(key, "").strip(), post.get(f"reason-{number}", "").strip()
        if level or reason:
            decisions[number] = (_int_or_none(level) if level else None, reason)
        if f"seen-{number}" in post:
            seen[number] = _int_or_none(post[f"seen-{number}"])
    return decisions, seen


@dataclass(frozen=True)
class FormRow:
    row: ModerationRow
    level: str  # the selected option
    reason: str
    conflict: services.Conflict | None = None
    problems: tuple[str, ...] = ()  # why this row's decision was refused
    saved: bool = False  # this row's decision was just saved


def _shown_row(row: ModerationRow, **state) -> FormRow:
    """A row as stored: its final level and reason in the inputs."""
    if row.final_level is None:
        return FormRow(row, "", "", **state)
    return FormRow(row, str(row.final_level), row.final_reason, **state)


def _form_rows(table, post=None, conflicts=None) -> list[FormRow]:
    conflicts = conflicts or {}
    rows = []
    for row in table.rows:
        number = row.indicator.number
        if post is None:
            rows.append(_shown_row(row))
            continue
        level, reason = post.get(f"level-{number}", ""), post.get(f"reason-{number}", "")
        rows.append(FormRow(row, level, reason, conflicts.get(number)))
    return rows


@dataclass(frozen=True)
class Progress:
    """How far the pleno is: differences decided, and whether finalising is open."""

    decided: int
    differ: int
    agreed: int
    final: int
    total: int
    can_finalize: bool


def _progress(assessment: Assessment, table) -> Progress:
    differ = table.disagreements
    return Progress(
        decided=sum(1 for r in differ if r.final_level is not None),
        differ=len(differ),
        agreed=table.agreed_count,
        final=table.final_count,
        total=len(table.rows),
        can_finalize=assessment.status == Status.MODERATED,
    )


def _page(request, assessment, table, rows, *, problems=(), status=200):
    blockers = services.moderation_problems(assessment, table)
    context = {
        "a": assessment,
        "table": table,
        "rows": rows,
        "problems": problems,
        "blockers": blockers,
        "progress": _progress(assessment, table),
        "level_choices": [str(v) for v in LEVEL_CHOICES],
    }
    return render(request, PAGE, context, status=status)


@login_required
def moderation_form(request, pk: int):
    """The evaluators' levels side by side, each difference decided on its own row
    (`moderation_decide_one`); a POST here records several final levels at once (and, with
    none, the agreed ones)."""
    assessment = _moderated_assessment(request, pk)
    problems, post, conflicts = [], None, {}
    if request.method == "POST":
        decisions, seen = _posted_decisions(request.POST)
        try:
            outcome = services.moderation_decide(
                assessment=assessment, by=request.user, decisions=decisions, seen=seen
            )
        except services.FinalLevelConflict as exc:
            problems, post = list(exc.problems), request.POST
            conflicts = {c.number: c for c in exc.conflicts}
        except WorkflowError as exc:
            problems, post = list(exc.problems), request.POST
        else:
            changed = len(outcome.changed)
            if changed:
                messages.success(
                    request, _("%(count)d tingkat final disimpan.") % {"count": changed}
                )
            else:
                messages.info(request, _("Tidak ada tingkat final yang berubah."))
            return redirect("evaluations:assessment_detail", pk=assessment.pk)
    table = moderation_table(assessment)
    rows = _form_rows(table, post, conflicts)
    saved = _int_or_none(request.GET.get("disimpan"))  # the no-JS answer of a row's save
    if post is None and saved is not None:
        rows = [
            _shown_row(fr.row, saved=True) if fr.row.indicator.number == saved else fr
            for fr in rows
        ]
    return _page(request, assessment, table, rows, problems=problems)


@login_required
@require_POST
def moderation_decide_one(request, pk: int, number: int):
    """Decide one indicator (`level`, `reason`, `seen`: the final level shown). htmx gets the
    row back with its message, and the progress and the finalise step out of band (409 when
    refused, with the message at the row); without htmx, a redirect to the row or the page
    with the message at the row."""
    assessment = _moderated_assessment(request, pk)
    # The row's inputs keep the page's names (level-N, reason-N, seen-N).
    raw_level = request.POST.get(f"level-{number}", "").strip()
    level = _int_or_none(raw_level)  # None (blank or not a number): the service refuses it
    reason = request.POST.get(f"reason-{number}", "")
    seen = _int_or_none(request.POST.get(f"seen-{number}"))
    state, changed = {}, {}
    try:
        outcome = services.indicator_decide(
            assessment=assessment,
            by=request.user,
            number=number,
            level=level,
            reason=reason,
            seen=seen,
        )
    except services.FinalLevelConflict as exc:
        state = {"problems": tuple(exc.problems), "conflict": exc.conflicts[0]}
    except WorkflowError as exc:
        state = {"problems": tuple(exc.problems)}
    else:
        changed = outcome.changed
    table = moderation_table(assessment)
    row = next((r for r in table.rows if r.indicator.number == number), None)
    if row is None:
        raise Http404
    if state:
        current = FormRow(row, raw_level, reason, **state)
    elif not wants_fragment(request.headers):
        url = reverse("evaluations:moderation_form", args=[pk])
        return redirect(f"{url}?disimpan={number}#indikator-{number}")
    else:
        current = _shown_row(row, saved=True)
    status = 409 if state else 200
    if not wants_fragment(request.headers):
        rows = [current if fr.row is row else fr for fr in _form_rows(table)]
        return _page(request, assessment, table, rows, status=status)
    context = {
        "a": assessment,
        "table": table,
        "fr": current,
        # Rows that became final with this decision (the agreed ones, the first time).
        "others": [
            _shown_row(r) for r in table.rows if r.indicator.number in changed and r is not row
        ],
        "blockers": services.moderation_problems(assessment, table),
        "progress": _progress(assessment, table),
        "level_choices": [str(v) for v in LEVEL_CHOICES],
        "oob": True,
    }
    return HttpResponse(render_to_string(f"{PAGE}#decided", context, request), status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_finalize(request, pk: int):
    """Moderated → final once confirmed (`confirm=1`); first the confirmation page. Refusals
    come back to the hub as a message."""
    assessment = _moderated_assessment(request, pk)
    try:
        if not confirmed(request):
            services.finalize_check(assessment, request.user)
            return confirm_page(
                request, _finalize_confirmation(assessment), final_audience(assessment)
            )
        services.assessment_finalize(assessment=assessment, by=request.user)
    except WorkflowError as exc:
        messages.error(request, " ".join(exc.problems))
    else:
        messages.success(request, _("Penilaian telah ditetapkan final."))
    return redirect("evaluations:assessment_detail", pk=assessment.pk)


def _finalize_confirmation(assessment: Assessment) -> Confirmation:
    result = assessment.result
    return Confirmation(
        title=_("Tetapkan final?"),
        subject=f"{assessment.unit.name} · {assessment.cycle.name}",
        action=reverse("evaluations:assessment_finalize", args=[assessment.pk]),
        button=_("Tetapkan final"),
        cancel=reverse("evaluations:moderation_form", args=[assessment.pk]),
        frozen=[
            _("Tingkat final seluruh indikator."),
            _("Hasil penilaian: IPP %(ipp)s, predikat %(grade)s (%(label)s).")
            % {
                "ipp": number_format(result.ipp, 2),
                "grade": result.grade,
                "label": result.grade_label,
            },
        ],
        notes=[_("Rekomendasi evaluator menjadi butir tindak lanjut unit.")],
    )
