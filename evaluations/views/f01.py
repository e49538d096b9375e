"""F-01 pages of the unit operator: self-assessment, evidence, submission, clarification answers.

Status codes: anonymous → login redirect; a person who cannot see the assessment → 404; one
who can see it but does not operate the unit → 403; a refusal by the status flow or a phase
window → the page again with the message (HTML) or 409 with a small fragment (autosave).

A message about one indicator (an upload refused, a document replaced, a clarification
answered) is shown in that indicator's card, and counted in the sticky summary at the foot of
the page: htmx swaps the card and the summary (evidence forms); without JavaScript, or after
an action that changes the whole page, the message travels through `django.contrib.messages`
tagged with the indicator, and the redirect to `#ind-N` lands on it.

Autosave conflicts answer 409 too, for htmx and plain clients alike: the status says what
happened, and static/js/autosave.js tells htmx to swap 409 fragments (htmx leaves 4xx
unswapped by default).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pekppp.lib.htmx import wants_fragment

from .. import filetypes
from ..models import Clarification, Evidence, EvidenceRevision, Indicator
from ..notifications import submission_audience
from ..permissions import is_operator_of
from ..selectors import assessments_visible_to
from ..selectors import f01 as selectors_f01
from ..services import evidence as evidence_services
from ..services.clarifications import clarification_answer as clarification_answer_service
from ..services.f01 import (
    SubmissionIncomplete,
    answers_ensure,
    submission_check,
)
from ..services.f01 import (
    answer_autosave as answer_autosave_service,
)
from ..services.f01 import assessment_submit as assessment_submit_service
from ..services.workflow import WorkflowError
from .confirm import Confirmation, confirm_page, confirmed
from .files import private_file_response

PAGE = "evaluations/f01_form.html"


def operator_assessment(user, pk: int):
    """The assessment for its unit's operator: 404 if it cannot be seen, 403 if not theirs.
    Shared with the API (evaluations/api/assessments.py)."""
    assessment = get_object_or_404(selectors_f01.f01_assessments(user), pk=pk)
    if not is_operator_of(user, assessment):
        raise PermissionDenied(_("Hanya operator unit yang dinilai yang dapat mengisi F-01."))
    return assessment


def _back(assessment_id: int, indicator: Indicator | None = None):
    url = reverse("evaluations:f01_form", args=[assessment_id])
    return redirect(f"{url}#ind-{indicator.number}" if indicator else url)


# --- messages about one indicator --------------------------------------------------------

NOTE_TAG = "f01-ind-"  # extra_tags of a message about an indicator: "f01-ind-<number>[ file]"
_LEVELS = {"success": messages.SUCCESS, "error": messages.ERROR, "info": messages.INFO}


@dataclass(frozen=True)
class Note:
    """A message about one indicator, shown in its card; `file`: about an uploaded file."""

    number: int
    level: str  # success, error or info
    text: str
    file: bool = False

    @property
    def is_error(self) -> bool:
        return self.level == "error"


@dataclass(frozen=True)
class SummaryLine:
    """One line of the sticky summary pointing at the indicator a message is about."""

    number: int
    text: str
    is_error: bool


def _summary(notes: list[Note]) -> list[SummaryLine]:
    """What the notes say in a line per indicator and outcome, refusals first."""
    counts: dict[tuple[int, bool, bool], int] = {}
    for note in notes:
        key = (note.number, note.is_error, note.file)
        counts[key] = counts.get(key, 0) + 1
    lines = []
    for (number, is_error, file), n in sorted(counts.items(), key=lambda kv: not kv[0][1]):
        values = {"n": n, "number": number}
        if file and is_error:
            text = ngettext(
                "%(n)d berkas ditolak di indikator %(number)d",
                "%(n)d berkas ditolak di indikator %(number)d",
                n,
            )
        elif file:
            text = ngettext(
                "%(n)d berkas tersimpan di indikator %(number)d",
                "%(n)d berkas tersimpan di indikator %(number)d",
                n,
            )
        elif is_error:
            text = _("Ada yang ditolak di indikator %(number)d")
        else:
            text = _("Tersimpan di indikator %(number)d")
        lines.append(SummaryLine(number, text % values, is_error))
    return lines


def _note_of(message) -> Note | None:
    tags = (message.extra_tags or "").split()
    if not tags or not tags[0].startswith(NOTE_TAG):
        return None
    try:
        number = int(tags[0].removeprefix(NOTE_TAG))
    except ValueError:
        return None
    return Note(number, message.level_tag or "info", str(message), "file" in tags[1:])


def _keep(request, note: Note) -> None:
    """Pass a note to the next page through the messages framework, tagged with its indicator."""
    tags = f"{NOTE_TAG}{note.number}" + (" file" if note.file else "")
    messages.add_message(request, _LEVELS[note.level], note.text, extra_tags=tags)


def _answer(request, assessment, indicator: Indicator, notes: list[Note]):
    """The outcome of an action on one indicator: for htmx its card (with the notes in it) and
    the summary; otherwise the notes as messages and a redirect to the card."""
    if not wants_fragment(request.headers):
        for note in notes:
            _keep(request, note)
        return _back(assessment.pk, indicator)
    page = selectors_f01.f01_page(assessment)
    row = page.row_of(indicator.pk)
    row.notes = notes
    context = {"page": page, "row": row, "summary": _summary(notes), "fresh": True}
    return render(request, f"{PAGE}#indicator-swap", context)


def _render_page(request, assessment, *, missing=None, status=200):
    page = selectors_f01.f01_page(assessment)
    if page.missing_answer_rows:
        answers_ensure(assessment)
        page = selectors_f01.f01_page(assessment)
    page_messages, notes = [], []
    for message in messages.get_messages(request):
        note = _note_of(message)
        (notes if note else page_messages).append(note or message)
    for row in page.rows():
        row.notes = [n for n in notes if n.number == row.indicator.number]
    context = {
        "page": page,
        "missing": missing,
        "page_messages": page_messages,
        "summary": _summary(notes),
    }
    return render(request, PAGE, context, status=status)


@login_required
@require_GET
def f01_form(request, pk: int):
    """The unit's F-01, indicator by indicator, saving as the operator works."""
    return _render_page(request, operator_assessment(request.user, pk))


def _fragment(name: str, context: dict, status: int = 200) -> HttpResponse:
    """An autosave fragment. Rendered without the request, so no context processor spends a
    query (the autosave budget is 4); the fragments hold no form and need no CSRF token
    (htmx sends it from <body hx-headers>)."""
    return HttpResponse(render_to_string(f"{PAGE}#{name}", context), status=status)


def autosave_row(user, pk: int, indicator_id: int):
    """The answer row for an autosave (the page's and the API's). The common case is one
    query (see the selector); refusals and a not-yet-created row take the slower path that
    tells 404 from 403."""
    answer = selectors_f01.answer_for_autosave(
        user=user, assessment_id=pk, indicator_id=indicator_id
    )
    if answer is not None and answer.is_operator:
        return answer
    assessment = operator_assessment(user, pk)
    get_object_or_404(Indicator, pk=indicator_id, instrument_id=assessment.cycle.instrument_id)
    answers_ensure(assessment)
    return selectors_f01.answer_for_autosave(user=user, assessment_id=pk, indicator_id=indicator_id)


@login_required
@require_POST
def answer_autosave(request, pk: int, indicator_id: int):
    """Save one indicator's claimed level and explanation (htmx, as the operator types)."""
    answer = autosave_row(request.user, pk, indicator_id)
    try:
        version = int(request.POST["version"])
        raw_level = request.POST.get("claimed_level", "")
        level = int(raw_level) if raw_level != "" else None
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("Data yang dikirim tidak lengkap."))
    if level is not None and not 0 <= level <= 5:
        return HttpResponseBadRequest(_("Tingkat harus 0 sampai 5."))
    explanation = request.POST.get("explanation", "").replace("\r\n", "\n")
    htmx = request.headers.get("HX-Request") == "true"
    try:
        outcome = answer_autosave_service(
            answer=answer,
            gate=selectors_f01.autosave_gate(answer),
            by=request.user,
            version=version,
            claimed_level=level,
            explanation=explanation,
        )
    except WorkflowError as exc:
        if not htmx:
            notes = [Note(answer.indicator.number, "error", str(exc))]
            return _answer(request, answer.assessment, answer.indicator, notes)
        context = {"indicator_id": indicator_id, "problems": exc.problems}
        return _fragment("autosave-refused", context, status=409)
    if outcome.saved:
        if not htmx:
            number = answer.indicator.number
            text = _("Jawaban indikator %(n)s tersimpan.") % {"n": number}
            return _answer(
                request, answer.assessment, answer.indicator, [Note(number, "success", text)]
            )
        return _fragment("autosave-saved", {"answer": outcome.answer})
    if not htmx:
        number = answer.indicator.number
        text = _("Jawaban indikator %(n)s sudah diubah orang lain; periksa lalu simpan lagi.") % {
            "n": number
        }
        return _answer(request, answer.assessment, answer.indicator, [Note(number, "error", text)])
    context = {
        "assessment_id": pk,
        "indicator_id": indicator_id,
        "mine": {"level": level, "explanation": explanation},
        "theirs": outcome.answer,
    }
    return _fragment("autosave-conflict", context, status=409)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_submit(request, pk: int):
    """Submit F-01 once confirmed (`confirm=1`); first the confirmation page, or the list of
    what is missing, each linked to its indicator."""
    assessment = operator_assessment(request.user, pk)
    if not confirmed(request):
        try:
            missing = submission_check(assessment)
        except WorkflowError as exc:
            messages.error(request, str(exc))
            return _back(pk)
        if missing:
            return _render_page(request, assessment, missing=missing)
        return confirm_page(
            request, _submit_confirmation(assessment), submission_audience(assessment)
        )
    try:
        assessment_submit_service(assessment=assessment, by=request.user)
    except SubmissionIncomplete as exc:
        return _render_page(request, assessment, missing=exc.missing)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return _back(pk)
    messages.success(
        request, _("F-01 telah diajukan. Evaluator sudah diberi tahu; isian kini terkunci.")
    )
    return _back(pk)


def _submit_confirmation(assessment) -> Confirmation:
    url = reverse("evaluations:f01_form", args=[assessment.pk])
    return Confirmation(
        title=_("Ajukan F-01?"),
        subject=f"{assessment.unit.name} · {assessment.cycle.name}",
        action=reverse("evaluations:assessment_submit", args=[assessment.pk]),
        button=_("Ajukan F-01"),
        cancel=url,
        frozen=[
            _("Tingkat yang diklaim dan penjelasan setiap indikator."),
            _("Bukti dukung yang terunggah: setiap berkas dicatat dengan revisi dan SHA-256-nya."),
        ],
        nobody_told=_("Belum ada evaluator maupun pengelola periode yang dapat diberi tahu."),
        notes=[
            _(
                "Isian hanya dapat diubah lagi pada indikator yang nanti diminta "
                "klarifikasinya oleh evaluator."
            )
        ],
    )


@login_required
@require_POST
def evidence_upload(request, pk: int, indicator_id: int):
    """Upload one or more files to an indicator: each becomes its own evidence document."""
    assessment = operator_assessment(request.user, pk)
    indicator = get_object_or_404(
        Indicator, pk=indicator_id, instrument_id=assessment.cycle.instrument_id
    )
    files = request.FILES.getlist("files")
    number = indicator.number
    if not files:
        text = _("Pilih minimal satu berkas untuk diunggah.")
        return _answer(request, assessment, indicator, [Note(number, "error", text)])
    title = request.POST.get("title", "") if len(files) == 1 else ""
    notes = []
    for upload in files:
        try:
            evidence_services.evidence_upload(
                assessment=assessment,
                indicator=indicator,
                file=upload,
                title=title,
                by=request.user,
            )
        except WorkflowError as exc:
            notes.append(Note(number, "error", f"{upload.name}: {exc}", file=True))
        else:
            text = _("%(name)s diunggah.") % {"name": upload.name}
            notes.append(Note(number, "success", text, file=True))
    return _answer(request, assessment, indicator, notes)


def _operator_evidence(request, evidence_id: int) -> Evidence:
    evidence = get_object_or_404(
        # A survey sheet (no indicator) is changed on the survey page, not here.
        Evidence.objects.filter(
            assessment__in=assessments_visible_to(request.user), indicator__isnull=False
        ).select_related("assessment", "indicator"),
        pk=evidence_id,
    )
    if not is_operator_of(request.user, evidence.assessment):
        raise PermissionDenied
    return evidence


def _evidence_answer(request, evidence: Evidence, notes: list[Note]):
    # The card is drawn from the assessment as the F-01 page reads it (with its windows).
    assessment = (
        selectors_f01.f01_assessments(request.user).get(pk=evidence.assessment_id)
        if wants_fragment(request.headers)
        else evidence.assessment
    )
    return _answer(request, assessment, evidence.indicator, notes)


@login_required
@require_POST
def evidence_replace(request, evidence_id: int):
    """Upload a new revision of a document; the earlier revisions stay."""
    evidence = _operator_evidence(request, evidence_id)
    number = evidence.indicator.number
    upload = request.FILES.get("file")
    if upload is None:
        return _evidence_answer(
            request, evidence, [Note(number, "error", _("Pilih berkas pengganti."))]
        )
    try:
        revision = evidence_services.evidence_replace(
            evidence=evidence, file=upload, by=request.user
        )
    except WorkflowError as exc:
        note = Note(number, "error", f"{upload.name}: {exc}", file=True)
    else:
        text = _("%(title)s diganti (revisi %(n)s).") % {
            "title": evidence.title,
            "n": revision.number,
        }
        note = Note(number, "success", text, file=True)
    return _evidence_answer(request, evidence, [note])


@login_required
@require_POST
def evidence_remove(request, evidence_id: int):
    """Hide a document from F-01; its revisions stay in the history."""
    evidence = _operator_evidence(request, evidence_id)
    number = evidence.indicator.number
    try:
        evidence_services.evidence_remove(evidence=evidence, by=request.user)
    except WorkflowError as exc:
        note = Note(number, "error", str(exc))
    else:
        note = Note(
            number, "success", _("%(title)s dihapus dari F-01.") % {"title": evidence.title}
        )
    return _evidence_answer(request, evidence, [note])


@login_required
@require_POST
def evidence_carry_over(request, pk: int):
    """Bring over the unit's evidence from its previous cycle."""
    assessment = operator_assessment(request.user, pk)
    try:
        carried = evidence_services.evidence_carry_over(assessment=assessment, by=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
    else:
        if carried:
            messages.success(
                request,
                _("%(n)s bukti dukung dibawa dari periode sebelumnya.") % {"n": len(carried)},
            )
        else:
            messages.info(request, _("Tidak ada bukti dukung baru untuk dibawa."))
    return _back(pk)


@login_required
@require_GET
def evidence_download(request, revision_id: int):
    """One stored revision, for anyone who may see the assessment; the type stored at upload
    (checked by content) is sent, never one guessed from the name.

    `?inline=1` shows PDF, JPEG and PNG in the browser (the F-02 preview; images inside a CSP
    sandbox); every other type is always a download.
    """
    revision = get_object_or_404(
        EvidenceRevision.objects.filter(
            evidence__assessment__in=assessments_visible_to(request.user)
        ),
        pk=revision_id,
    )
    inline = (
        request.GET.get("inline") == "1" and revision.content_type in filetypes.INLINE_CONTENT_TYPES
    )
    return private_file_response(
        revision.file,
        content_type=revision.content_type,
        filename=revision.original_name,
        inline=inline,
    )


@login_required
@require_POST
def clarification_answer(request, pk: int):
    """The unit answers an evaluator's clarification question on one indicator."""
    clarification = get_object_or_404(
        Clarification.objects.filter(
            assessment__in=assessments_visible_to(request.user)
        ).select_related("assessment", "indicator"),
        pk=pk,
    )
    if not is_operator_of(request.user, clarification.assessment):
        raise PermissionDenied
    number = clarification.indicator.number
    try:
        clarification_answer_service(
            clarification=clarification, by=request.user, answer=request.POST.get("answer", "")
        )
    except WorkflowError as exc:
        note = Note(number, "error", str(exc))
    else:
        text = _("Jawaban klarifikasi indikator %(n)s terkirim.") % {"n": number}
        note = Note(number, "success", text)
    # Always the whole page: an answer can end the clarification and lock every indicator.
    _keep(request, note)
    return _back(clarification.assessment_id, clarification.indicator)
