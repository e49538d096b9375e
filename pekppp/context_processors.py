"""Context of the page frame (templates/base.html and its top bar, templates/_topbar.html)."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from notifications.selectors import unread_count
from units.permissions import RoleSet, roles_of


@dataclass(frozen=True, slots=True)
class MenuEntry:
    url_name: str
    label: str | Promise


HOME = MenuEntry("home", _("Beranda"))
CYCLES = MenuEntry("evaluations:cycle_list", _("Periode"))
RANKINGS = MenuEntry("scoring:ranking_list", _("Peringkat"))
SIMULATOR = MenuEntry("simulator:page", _("Simulasi nilai"))
LETTERS = MenuEntry("reports:result_letter_list", _("Surat hasil"))
FOLLOWUP = MenuEntry("evaluations:followup_list", _("Tindak lanjut"))


def menu_entries(roles: RoleSet, *, signed_in: bool) -> list[MenuEntry]:
    """The top bar's links that depend on who is signed in, in the order shown. The public
    results link, which everyone gets, and the admin site link are part of the template."""
    shown = [
        (signed_in, HOME),
        (roles.ministry_admin or bool(roles.coordinator_agencies), CYCLES),
        (
            roles.ministry_admin or bool(roles.coordinator_agencies or roles.leadership_agencies),
            RANKINGS,
        ),
        (
            roles.ministry_admin or bool(roles.coordinator_agencies or roles.leadership_agencies),
            LETTERS,
        ),
        (not roles.is_empty, SIMULATOR),
        (
            roles.ministry_admin
            or bool(
                roles.coordinator_agencies or roles.leadership_agencies or roles.operator_units
            ),
            FOLLOWUP,
        ),
    ]
    return [entry for present, entry in shown if present]


def frame(request: HttpRequest) -> dict:
    """`menu`: the person's menu entries. Read here rather than from the template, so that
    rendering the page triggers no query (the roles are usually cached already by the view's
    permission check). `unread_notifications`: the bell's count, one COUNT query, made only
    when a template shows it (htmx fragments, which have no top bar, cost nothing)."""
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    return {
        "menu": menu_entries(roles_of(user), signed_in=signed_in),
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user)) if signed_in else 0,
    }
