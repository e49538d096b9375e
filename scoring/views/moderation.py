"""Moderation (pleno: final levels) and finalising an assessment.

These are scoring's because they store the result; their URL names stay in the `evaluations:`
namespace of the assessment pages (see `pekppp/urls.py`).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from evaluations.models import Assessment
from evaluations.notifications import final_audience
from evaluations.permissions import can_moderate
from evaluations.selectors.moderation import ModerationRow, hub_assessments, moderation_table
from evaluations.services.workflow import WorkflowError
from evaluations.views.confirm import Confirmation, confirm_page, confirmed

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
