"""The base layout's navigation: which links a person's roles give them, in their language.

The links (addresses and labels) depend only on the language, the roles and whether the
person is signed in and staff, so each combination is built once per process (`_links`),
instead of a `{% url %}` and a `{% translate %}` per link on every page.
"""

from functools import cache

from django.conf import settings
from django.urls import get_script_prefix, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from units.permissions import roles_of


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    roles = roles_of(user)
    signed_in = bool(getattr(user, "is_authenticated", False))
    cycles = roles.ministry_admin or bool(roles.coordinator_agencies)
    rankings = roles.ministry_admin or bool(roles.coordinator_agencies or roles.leadership_agencies)
    simulator = (
        roles.ministry_admin
        or roles.evaluator
        or bool(roles.coordinator_agencies or roles.operator_units)
    )
    language, prefix = get_language(), get_script_prefix()
    return {
        "nav": {
            "links": _links(language, prefix, signed_in, cycles, rankings, simulator),
            "urls": _urls(prefix, signed_in and user.is_staff),
            "languages": _languages(language),
        }
    }


@cache
def _links(language, prefix, signed_in, cycles, rankings, simulator) -> tuple[tuple[str, str], ...]:
    """(address, label) of the main menu, before the person's name."""
    shown = [
        (signed_in, "home", _("Beranda")),
        (cycles, "evaluations:cycle_list", _("Periode")),
        (rankings, "scoring:ranking_list", _("Peringkat")),
        (simulator, "simulator:page", _("Simulasi nilai")),
        (True, "public:index", _("Hasil PEKPPP")),
    ]
    return tuple((reverse(name), label) for present, name, label in shown if present)


@cache
def _urls(prefix, staff) -> dict[str, str]:
    """The addresses after the person's name: administration, sign-out, language."""
    links = {"logout": reverse("logout"), "set_language": reverse("set_language")}
    if staff:
        links["admin"] = reverse("admin:index")
    return links


@cache
def _languages(language) -> tuple[tuple[str, str, bool], ...]:
    """(code, button text, current) for the language switcher."""
    return tuple((code, code.upper(), code == language) for code, _name in settings.LANGUAGES)
