"""Moderation (pleno: final levels) and finalising an assessment.

These are scoring's because they store the result; their URL names stay in the `evaluations:`
namespace of the assessment pages (see `pekppp/urls.py`).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from evaluations.models import Assessment
from evaluations.permissions import can_moderate
from evaluations.selectors.moderation import ModerationRow, hub_assessments, moderation_table
from evaluations.services.workflow import WorkflowError

from ..services import moderation as services

LEVEL_CHOICES = range(6)


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
    conflict: services.Conflict | None


def _form_rows(table, post=None, conflicts=None) -> list[FormRow]:
    conflicts = conflicts or {}
    rows = []
    for row in table.rows:
        number = row.indicator.number
        if post is not None:
            level, reason = post.get(f"level-{number}", ""), post.get(f"reason-{number}", "")
        else:
            shown = "" if row.final_level is None else str(row.final_level)
            level, reason = shown, row.final_reason if row.final_level is not None else ""
        rows.append(FormRow(row, level, reason, conflicts.get(number)))
    return rows


@login_required
def moderation_form(request, pk: int):
    """The evaluators' levels side by side; POST records the final levels (pleno)."""
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
    blockers = services.moderation_problems(assessment, table)
    context = {
        "a": assessment,
        "table": table,
        "rows": _form_rows(table, post, conflicts),
        "problems": problems,
        "blockers": blockers,
        "level_choices": [str(v) for v in LEVEL_CHOICES],
    }
    return render(request, "scoring/moderation_form.html", context)


@login_required
def assessment_finalize(request, pk: int):
    """POST: moderated → final. Refusals come back to the hub as a message."""
    assessment = _moderated_assessment(request, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.assessment_finalize(assessment=assessment, by=request.user)
    except WorkflowError as exc:
        messages.error(request, " ".join(exc.problems))
    else:
        messages.success(request, _("Penilaian telah ditetapkan final."))
    return redirect("evaluations:assessment_detail", pk=assessment.pk)
