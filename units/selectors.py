"""Reads of the units app: a person's own account (their two-factor devices and API token),
the agencies and units a person may see, and the name search every list of units uses
(`name_search_q`)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.db.models import Q, QuerySet
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from pekppp.lib.search import search_terms

from .models import Agency, ServiceUnit, User
from .permissions import roles_of


@dataclass(frozen=True, slots=True)
class SecondFactorStatus:
    authenticator: bool
    recovery_codes_left: int


def second_factor_status(user: User) -> SecondFactorStatus:
    """Whether the person has a confirmed authenticator app, and how many recovery codes
    they have not used yet."""
    return SecondFactorStatus(
        authenticator=TOTPDevice.objects.devices_for_user(user, confirmed=True).exists(),
        recovery_codes_left=StaticToken.objects.filter(
            device__user=user, device__confirmed=True
        ).count(),
    )


def has_second_factor(user: User) -> bool:
    """Whether the person has any confirmed device (authenticator app or recovery codes)."""
    return user_has_device(user)


def api_token_of(user: User) -> Token | None:
    """The person's API token, if they have one (its key is not shown again after creation)."""
    return Token.objects.filter(user=user).first()


def agencies_visible_to(user) -> QuerySet[Agency]:
    """The agencies `user` may see: every one for ministry admins, their own for coordinators
    and leadership, none for anyone else. Mirror of `permissions.can_view_agency`."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return Agency.objects.all()
    return Agency.objects.filter(pk__in=roles.coordinator_agencies | roles.leadership_agencies)


def units_visible_to(user) -> QuerySet[ServiceUnit]:
    """The service units `user` may see: those of the agencies they see, and the units they
    operate. Mirror of `permissions.can_view_unit`."""
    roles = roles_of(user)
    if roles.ministry_admin:
        return ServiceUnit.objects.all()
    return ServiceUnit.objects.filter(
        Q(agency__in=roles.coordinator_agencies | roles.leadership_agencies)
        | Q(pk__in=roles.operator_units)
    )


def _icontains(field: str, spelling: str) -> Q:
    return Q(**{f"{field}__icontains": spelling})


def name_search_q(
    search: str, fields: Sequence[str], *, match: Callable[[str, str], Q] = _icontains
) -> Q:
    """A filter keeping the rows where every term of `search` (see `pekppp.lib.search`) is
    found in one of `fields` (e.g. the unit's, its agency's and its province's name), in any
    of its spellings, ignoring case: AND across terms, OR across fields and spellings.

    An empty search (nothing but spaces or separators) keeps every row. `match(field,
    spelling)` is the test of one spelling in one field (`icontains`); a caller gives its own
    where an index or a query plan needs another form of the same test.
    """
    return reduce(
        and_,
        (
            reduce(or_, (match(field, spelling) for spelling in spellings for field in fields))
            for spellings in search_terms(search)
        ),
        Q(),
    )
