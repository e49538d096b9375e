"""The F-02 page as HTML built in Python: its frame, the running panel, the indicator blocks
and the autosave's "saved" status. Only base.html around it is a template.

Why not a template: the scoring page repeats one block per indicator (31 in 2022-A), about
fifty template nodes each. The template engine spent ~13 ms of CPU on them per page, almost
half of the page, and the page has a target of 100 requests/s per worker core (≤ 10 ms).
Built here from escaped strings they cost about 1 ms. Every value from the database goes
through `escape` (or `linebreaks`, which escapes); the fixed markup and the translated labels
(`_labels`, escaped once per language) are ours. The same `save_status` serves the page and
the autosave response, and the same `running_panel` the page and its refresh, so they cannot
drift apart. The rarer autosave answers (conflict, refusal) stay template partials in
f02_form.html.
"""

import html
import re
from dataclasses import dataclass
from functools import lru_cache

from django.template.defaultfilters import filesizeformat, floatformat
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.utils.formats import get_format
from django.utils.safestring import SafeString
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from ..selectors_f02 import F02Page, IndicatorRow
from ..services.workflow import Status


@dataclass(frozen=True)
class _Labels:
    """The page's fixed texts, translated once per language (escaped)."""

    changed: str
    claim: str
    no_claim: str
    evidence: str
    no_evidence: str
    new: str
    altered: str
    preview_pdf: str
    clarification: str
    unit_answer: str
    your_level: str
    note: str
    recommendation: str
    recommendation_hint: str
    save: str
    team_caption: str
    not_submitted: str
    ask: str
    ask_label: str
    question_label: str
    supplementary: str
    # The page frame and the running panel
    title: str
    summary: str
    visit: str
    team: str
    lead: str
    problems: str
    running: str
    aspect: str
    index: str
    evaluator_index: str
    after_all: str
    submit_note: str
    submit: str
    clarify_note: str
    clarify_send: str
    # Formats, filled with numbers only
    claimed_level: str
    revision: str
    saved_at: str
    weight: str
    # filesizeformat's units ("%s KB" … "%s PB") and the decimal separator
    size_units: tuple[str, ...]
    decimal_separator: str
    language: str


_LABELS: dict[str, _Labels] = {}


def escape(value) -> str:
    """The escaping of django.utils.html.escape, without its lazy-string wrapper (called
    about 15 times per indicator)."""
    return html.escape(str(value))


_PARAGRAPH_BREAK = re.compile(r"\n{2,}")


def linebreaks(text: str) -> str:
    """django.utils.html.linebreaks(text, autoescape=True), without its lazy-string wrapper:
    paragraphs in <p>, single line breaks as <br>, everything escaped."""
    text = str(text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n\n".join(
        f"<p>{escape(paragraph).replace(chr(10), '<br>')}</p>"
        for paragraph in _PARAGRAPH_BREAK.split(text)
    )


def file_size(size: int, t: _Labels) -> str:
    """django's filesizeformat for one language's labels, without a translation lookup per
    call (one per evidence file)."""
    if size < 1024:  # "%(size)d bytes" has plural forms: Django's own, once per size
        return _byte_size(t.language, size)
    value, unit = size / 1024, 0
    while value >= 1024 and unit < len(t.size_units) - 1:
        value, unit = value / 1024, unit + 1
    number = f"{round(value, 1):.1f}".replace(".", t.decimal_separator)
    return (t.size_units[unit] % number).replace(" ", "\xa0")


@lru_cache(maxsize=2048)
def _byte_size(language: str, size: int) -> str:
    """filesizeformat of a size below 1 KB in the active `language` (the cache key)."""
    return filesizeformat(size)


@lru_cache(maxsize=256)
def _weight(language: str, weight) -> str:
    """An aspect's "bobot 25%" in the active `language` (the cache key)."""
    return _labels().weight % {"weight": floatformat(weight, "-3")}


def _labels() -> _Labels:
    language = get_language()
    labels = _LABELS.get(language)
    if labels is None:
        texts = {
            "changed": _("Berubah sejak terakhir Anda lihat"),
            "claim": _("Klaim unit (F-01)"),
            "no_claim": _("Unit tidak mengklaim tingkat."),
            "evidence": _("Bukti dukung"),
            "no_evidence": _("Belum ada bukti dukung."),
            "new": _("baru"),
            "altered": _("diubah"),
            "preview_pdf": _("Pratinjau PDF"),
            "clarification": _("Klarifikasi"),
            "unit_answer": _("Jawaban unit"),
            "your_level": _("Tingkat Anda (rubrik)"),
            "note": _("Catatan"),
            "recommendation": _("Rekomendasi"),
            "recommendation_hint": _("wajib bila tingkat di bawah 5"),
            "save": _("Simpan"),
            "team_caption": _("Tingkat tim evaluator"),
            "not_submitted": _("belum diserahkan"),
            "ask": _("Minta klarifikasi"),
            "ask_label": _("Kembalikan indikator ini ke unit dengan pertanyaan:"),
            "question_label": _("Pertanyaan klarifikasi"),
            "supplementary": _("Informasi tambahan (tidak dinilai)"),
            "claimed_level": _("Tingkat %(level)s"),
            "revision": _("rev. %(n)s"),
            "saved_at": _("Tersimpan %(time)s"),
            "weight": _("bobot %(weight)s%%"),
            "title": _("F-02 Penilaian evaluator"),
            "summary": _("Ringkasan dan riwayat penilaian"),
            "visit": _("Kunjungan lapangan"),
            "team": _("Tim evaluator"),
            "lead": _("ketua"),
            "problems": _("Belum dapat diproses:"),
            "running": _("Hasil sementara Anda"),
            "aspect": _("Aspek"),
            "index": _("Indeks"),
            "evaluator_index": _("Indeks evaluator"),
            "after_all": _(
                "Indeks aspek, IPP dan predikat muncul setelah semua indikator diberi tingkat."
            ),
            "submit_note": _(
                "Setelah diserahkan, F-02 tidak dapat diubah dan tingkat evaluator lain"
                " dapat Anda lihat."
            ),
            "submit": _("Serahkan F-02"),
            "clarify_note": _(
                "Centang “Minta klarifikasi” pada indikator yang dikembalikan ke unit dan"
                " tulis pertanyaannya, lalu kirim."
            ),
            "clarify_send": _("Kirim permintaan klarifikasi"),
        }
        labels = _LABELS[language] = _Labels(
            **{name: escape(text) for name, text in texts.items()},
            size_units=tuple(_(unit) for unit in ("%s KB", "%s MB", "%s GB", "%s TB", "%s PB")),
            decimal_separator=get_format("DECIMAL_SEPARATOR"),
            language=language,
        )
    return labels


def _when(value) -> str:
    return date_format(localtime(value), "d-m-Y H:i")


def save_status(score, t: _Labels | None = None) -> SafeString:
    """The row's save status: its version for the next autosave and when it was saved."""
    saved = ""
    if score.updated_at:
        t = t or _labels()
        saved = t.saved_at % {"time": time_format(localtime(score.updated_at), "H:i")}
    return SafeString(  # numbers and escaped text in fixed markup (not mark_safe: no lazy check)
        f'<div id="save-{score.indicator_id}" class="f02-save" role="status">'
        f'<input type="hidden" name="version" value="{score.version}">{saved}</div>'
    )


def _unit_column(row: IndicatorRow, t: _Labels) -> list[str]:
    out = [f"<h4>{t.claim}</h4>"]
    answer = row.answer
    if answer is not None and answer.level is not None:
        level = t.claimed_level % {"level": answer.level}
        altered = f" <mark>{t.altered}</mark>" if row.answer_changed else ""
        out.append(f'<p><strong class="f02-claim">{level}</strong>{altered}</p>')
        out.append(linebreaks(answer.explanation))
    else:
        out.append(f'<p class="empty">{t.no_claim}</p>')
    out.append(f"<h4>{t.evidence}</h4>")
    for item in row.evidence:
        title = escape(item.title)
        url = escape(item.url)
        rev = t.revision % {"n": item.number}
        out.append(
            f'<div class="f02-evidence"><a href="{url}">{title}</a>'
            f' <small class="note">{escape(item.original_name)} · {rev} ·'
            f" {file_size(item.size, t)}</small>"
        )
        if item.changed:
            out.append(f" <mark>{t.new}</mark>")
        if item.is_pdf:
            out.append(
                f'<details class="f02-preview"><summary>{t.preview_pdf}</summary>'
                f'<iframe loading="lazy" src="{url}?inline=1" title="{title}"></iframe></details>'
            )
        elif item.is_image:
            out.append(
                f'<img class="f02-preview" loading="lazy" src="{url}?inline=1" alt="{title}">'
            )
        out.append("</div>")
    if not row.evidence:
        out.append(f'<p class="empty">{t.no_evidence}</p>')
    for c in row.clarifications:
        out.append(
            f'<div class="f02-clarification"><p><b>{t.clarification}</b>'
            f" ({escape(c.asked_by)}, {_when(c.asked_at)}): {escape(c.question)}</p>"
        )
        if c.answered_at:
            new = f"<mark>{t.new}</mark> " if c.is_new else ""
            out.append(
                f"<p><b>{t.unit_answer}</b> ({_when(c.answered_at)}): {new}{escape(c.answer)}</p>"
            )
        else:
            out.append(f'<p class="note">{escape(c.status_label)}</p>')
        out.append("</div>")
    return out


def _evaluator_column(row: IndicatorRow, page: F02Page, csrf: str, t: _Labels) -> list[str]:
    ind, score = row.indicator, row.score
    out = []
    if score is not None:
        url = escape(row.save_url)
        disabled = "" if page.editable else " disabled"
        out.append(
            f'<form class="f02-score" method="post" action="{url}" hx-post="{url}"'
            ' hx-trigger="change, input delay:800ms, submit"'
            f' hx-target="#save-{ind.id}" hx-swap="outerHTML" hx-sync="this:queue last">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            f'<fieldset class="f02-fields"{disabled}><legend>{t.your_level}</legend>'
            f"{row.level_inputs}"
            f'<label class="field">{t.note}<textarea name="note" rows="2">'
            f"{escape(score.note)}</textarea></label>"
            f'<label class="field f02-rec">{t.recommendation}'
            f' <small class="note">{t.recommendation_hint}</small>'
            f'<textarea name="recommendation" rows="2">{escape(score.recommendation)}</textarea>'
            f"</label>{save_status(score, t)}"
            f'<noscript><button type="submit">{t.save}</button></noscript></fieldset></form>'
        )
    else:
        out.append(row.rubric.rubric_list)
    if row.team:
        out.append(f'<table class="f02-team"><caption>{t.team_caption}</caption>')
        for member in row.team:
            waiting = ""
            if not member.member.submitted_at:
                waiting = f' <small class="note">({t.not_submitted})</small>'
            level, note = "—", ""
            if member.score is not None:
                level = "—" if member.score.level is None else str(member.score.level)
                note = escape(member.score.note)
            out.append(
                f'<tr class="team-level"><td>{escape(member.member.name)}'
                f'{waiting}</td><td class="num">{level}</td><td>{note}</td></tr>'
            )
        out.append("</table>")
    if page.can_clarify and score is not None:
        is_open = " open" if row.clarify_checked else ""
        checked = " checked" if row.clarify_checked else ""
        out.append(
            f'<details class="f02-ask"{is_open}><summary>{t.ask}</summary>'
            f'<label><input type="checkbox" name="indicator" value="{ind.id}" form="f02-clarify"'
            f"{checked}> {t.ask_label}</label>"
            f'<textarea name="question-{ind.id}" form="f02-clarify" rows="2"'
            f' aria-label="{t.question_label}">{escape(row.clarify_question)}</textarea></details>'
        )
    return out


def indicator_block(row: IndicatorRow, page: F02Page, csrf: str, t: _Labels) -> str:
    """One indicator: the unit's claim, evidence and clarifications; the evaluator's form."""
    ind = row.indicator
    changed = row.changed
    mark = f' <mark class="f02-changed-mark">{t.changed}</mark>' if changed else ""
    return "".join(
        [
            f'<article class="f02-ind{" f02-changed" if changed else ""}"'
            f' id="indikator-{ind.number}"><h3>{row.rubric.heading}{mark}</h3>'
            f'{row.rubric.question}<div class="f02-cols"><div class="f02-unit">',
            *_unit_column(row, t),
            '</div><div class="f02-eval">',
            *_evaluator_column(row, page, csrf, t),
            "</div></div></article>",
        ]
    )


def aspect_sections(page: F02Page, csrf: str) -> SafeString:
    """The page's main column: one section per aspect with its indicator blocks; `csrf` is
    the request's token (one per page, not per form)."""
    t = _labels()
    csrf = escape(csrf)
    out = []
    for n, group in enumerate(page.groups, 1):
        title = t.supplementary
        if group.aspect is not None:
            weight = _weight(t.language, group.aspect.weight)
            title = (
                f"{escape(group.aspect.code)}. {escape(group.aspect.name)}"
                f' <small class="note">{weight}</small>'
            )
        out.append(
            f'<section class="card f02-aspect" aria-labelledby="aspek-{n}">'
            f'<h2 id="aspek-{n}">{title}</h2>\n'
            + "\n".join(indicator_block(row, page, csrf, t) for row in group.rows)
            + "</section>"
        )
    return SafeString("\n".join(out))  # every value escaped above


def running_panel(running, f02_url: str) -> SafeString:
    """The sticky panel: the evaluator's running IPP, or what is still missing. The page and
    its refresh after each autosave (`?panel=1`) both use this."""
    t = _labels()
    out = [
        '<section id="f02-running" class="card f02-running" aria-live="polite"'
        f' hx-get="{escape(f02_url)}?panel=1" hx-trigger="f02-saved from:body"'
        f' hx-swap="outerHTML"><h2>{t.running}</h2>'
    ]
    b = running.result
    if b:
        out.append(
            f'<p class="f02-ipp"><span>IPP</span> <strong class="f02-ipp-value">{escape(b.ipp)}'
            f'</strong> <strong class="f02-grade">{escape(b.grade)}</strong>'
            f' <span class="note">{escape(b.grade_label)}</span></p>'
            f'<table class="f02-aspects"><thead><tr><th>{t.aspect}</th>'
            f'<th class="num">{t.index}</th></tr></thead><tbody>'
        )
        for aspect in b.aspects:
            out.append(
                f"<tr><td>{escape(aspect.code)}. {escape(aspect.name)}</td>"
                f'<td class="num">{escape(aspect.index)}</td></tr>'
            )
        out.append(
            f"</tbody></table><p>{t.evaluator_index}: <strong>{escape(b.evaluator_index)}"
            f'</strong></p><p class="note">{escape(b.survey_message)}</p>'
        )
    elif running.problems:
        items = "".join(f"<li>{escape(problem)}</li>" for problem in running.problems)
        out.append(f'<ul class="errors">{items}</ul>')
    else:
        remaining = ngettext(
            "%(remaining)s dari %(total)s indikator belum diberi tingkat.",
            "%(remaining)s dari %(total)s indikator belum diberi tingkat.",
            running.remaining,
        ) % {"remaining": running.remaining, "total": running.total}
        out.append(
            f"<p>{remaining}</p>"
            f'<progress max="{running.total}" value="{running.scored}">'
            f"{running.scored}/{running.total}</progress>"
            f'<p class="note">{t.after_all}</p>'
        )
    out.append("</section>")
    return SafeString("".join(out))  # numbers and escaped text in fixed markup


def _status_notes(page: F02Page, problems, t: _Labels) -> list[str]:
    """Why the page cannot be processed, why it is read-only, what changed since last time."""
    out = []
    if problems:
        items = "".join(f"<li>{escape(problem)}</li>" for problem in problems)
        out.append(
            f'<div class="msg msg-error f02-problems" role="alert"><p>{t.problems}</p>'
            f"<ul>{items}</ul></div>"
        )
    if page.assignment.submitted_at:
        note = _(
            "F-02 Anda diserahkan pada %(when)s. Formulir hanya dapat dibaca; tingkat evaluator"
            " lain ditampilkan di setiap indikator."
        ) % {"when": _when(page.assignment.submitted_at)}
        out.append(f'<p class="msg f02-locked">{note}</p>')
    elif page.lock_reason:
        out.append(f'<p class="msg msg-error f02-locked">{escape(page.lock_reason)}</p>')
    if page.changed_count:
        changed = ngettext(
            "%(n)s indikator berubah sejak terakhir Anda membuka halaman ini (%(when)s).",
            "%(n)s indikator berubah sejak terakhir Anda membuka halaman ini (%(when)s).",
            page.changed_count,
        ) % {"n": page.changed_count, "when": _when(page.last_viewed_at)}
        out.append(f'<p class="msg f02-changed-note">{changed}</p>')
    return out


def page_content(page: F02Page, urls: dict[str, str], csrf: str, problems=()) -> SafeString:
    """Everything in the F-02 page's content block but its stylesheet and script: the head
    card, the notes, the indicator sections and the aside (running panel, submit, clarify)."""
    t = _labels()
    assessment = page.assessment
    unit = assessment.unit
    team = ", ".join(
        escape(member.name) + (f" ({t.lead})" if member.is_lead else "") for member in page.team
    )
    status = escape(Status(assessment.status).label)
    token = escape(csrf)
    out = [
        f'<header class="card f02-head"><h1>{t.title} · {escape(unit.name)}</h1>'
        f"<p>{escape(unit.agency.name)} · {escape(assessment.cycle.name)} ·"
        f' <span class="status status-{escape(assessment.status)}">{status}</span></p>'
        f'<p class="f02-links"><a href="{escape(urls["assessment_detail"])}">{t.summary}</a> ·'
        f' <a href="{escape(urls["field_visit"])}">{t.visit}</a></p>'
        f'<p class="note">{t.team}: {team}</p></header>',
        *_status_notes(page, problems, t),
        '<div class="f02-layout"><div class="f02-main">',
        aspect_sections(page, csrf) if page.f01_visible else "",
        '</div><aside class="f02-aside">',
        running_panel(page.running, urls["f02_form"]),
    ]
    if page.editable:
        out.append(
            f'<form method="post" action="{escape(urls["evaluator_submit"])}" class="card">'
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            f'<p class="note">{t.submit_note}</p>'
            f'<button type="submit">{t.submit}</button></form>'
        )
    if page.can_clarify:
        out.append(
            f'<form id="f02-clarify" method="post" action="{escape(urls["clarify"])}"'
            f' class="card"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
            f'<h2>{t.clarification}</h2><p class="note">{t.clarify_note}</p>'
            f'<button type="submit" class="secondary">{t.clarify_send}</button></form>'
        )
    out.append("</aside></div>")
    return SafeString("".join(out))  # every value escaped above
