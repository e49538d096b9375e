"""The page frame of base.html: `{% portal_assets %}` (stylesheet, script, icon) and
`{% portal_header %}` (the top bar: menu, the person's name, sign-out, language switch).

The menu depends only on the language, the person's roles and whether they are signed in
and staff, so each combination is built once per process (`_bar`), with the person's name,
the CSRF token and the current address filled in per request. As template markup, with a
`{% url %}`, `{% translate %}` and `{% csrf_token %}` per item, the frame cost about a tenth
of the CPU of the F-02 scoring page, which has a target of 100 requests/s per worker core.
"""

from functools import cache

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from units.permissions import roles_of

register = template.Library()


@register.simple_tag
def portal_assets() -> SafeString:
    return _assets(get_script_prefix())


@register.simple_tag(takes_context=True)
def portal_header(context) -> SafeString:
    user = context.get("user")
    roles = roles_of(user)
    signed_in = bool(getattr(user, "is_authenticated", False))
    bar = _bar(
        get_language(),
        get_script_prefix(),
        signed_in,
        signed_in and user.is_staff,
        cycles=roles.ministry_admin or bool(roles.coordinator_agencies),
        rankings=roles.ministry_admin
        or bool(roles.coordinator_agencies or roles.leadership_agencies),
        simulator=roles.ministry_admin
        or roles.evaluator
        or bool(roles.coordinator_agencies or roles.operator_units),
    )
    token = context.get("csrf_token")  # what {% csrf_token %} reads
    token_input = ""
    if token and token != "NOTPROVIDED":
        token_input = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'
    request = context.get("request")
    return SafeString(  # the bar is fixed markup; the three values are escaped here
        bar.format(
            name=escape(user.display_name) if signed_in else "",
            token=token_input,
            path=escape(request.get_full_path()) if request is not None else "",
        )
    )


@cache
def _assets(prefix) -> SafeString:
    return SafeString(
        f'<link rel="icon" href="{escape(static("favicon.svg"))}" type="image/svg+xml">\n'
        f'  <link rel="stylesheet" href="{escape(static("css/portal.css"))}">\n'
        f'  <script src="{escape(static("vendor/htmx/htmx.min.js"))}" defer></script>'
    )


def _text(label) -> str:
    """A translated label, escaped, its braces kept literal for str.format."""
    return escape(label).replace("{", "{{").replace("}", "}}")


@cache
def _bar(language, prefix, signed_in, staff, *, cycles, rankings, simulator) -> str:
    """The top bar as a str.format pattern with {name}, {token} (the CSRF input) and {path}."""
    shown = [
        (signed_in, "home", _("Beranda")),
        (cycles, "evaluations:cycle_list", _("Periode")),
        (rankings, "scoring:ranking_list", _("Peringkat")),
        (simulator, "simulator:page", _("Simulasi nilai")),
        (True, "public:index", _("Hasil PEKPPP")),
    ]
    out = [
        f'<a class="skip" href="#main">{_text(_("Langsung ke isi"))}</a>\n'
        '  <header class="topbar">\n'
        f'    <a class="brand" href="{reverse("home")}">PEKPPP</a>\n'
        f'    <nav aria-label="{_text(_("Menu utama"))}">\n'
    ]
    out += [
        f'      <a href="{reverse(name)}">{_text(label)}</a>\n'
        for present, name, label in shown
        if present
    ]
    if signed_in:
        out.append('      <span class="who">{name}</span>\n')
        if staff:
            out.append(f'      <a href="{reverse("admin:index")}">{_text(_("Administrasi"))}</a>\n')
        out.append(
            f'      <form method="post" action="{reverse("logout")}" class="inline">{{token}}\n'
            f'        <button type="submit" class="link">{_text(_("Keluar"))}</button>\n'
            "      </form>\n"
        )
    out.append(
        f'      <form method="post" action="{reverse("set_language")}" class="inline lang">'
        "{token}\n"
        '        <input type="hidden" name="next" value="{path}">\n'
    )
    for code, _name in settings.LANGUAGES:
        current = ' aria-current="true"' if code == language else ""
        out.append(
            f'        <button type="submit" name="language" value="{code}" class="link"'
            f"{current}>{code.upper()}</button>\n"
        )
    out.append("      </form>\n    </nav>\n  </header>")
    return "".join(out)
