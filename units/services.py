"""Writes of the units app: provinces, agencies, service units, people and their roles.

The `*_upsert` functions are keyed on a stable natural key (a code or a username), so
importers and the demo seeder can run them repeatedly without creating duplicates.
The `second_factor_*` and `recovery_codes_*` functions manage a person's two-factor devices
(django-otp); `api_token_*` their API token (DRF's authtoken: one per person).
"""

from collections.abc import Iterable
from dataclasses import dataclass

import django_otp
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from .models import (
    REGIONAL_KINDS,
    ROLE_SCOPE,
    Agency,
    AgencyKind,
    Province,
    Role,
    RoleAssignment,
    ServiceScope,
    ServiceType,
    ServiceUnit,
    User,
)
from .permissions import forget_roles

NIP_LENGTH = 18


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """One role with its scope: an agency for coordinators and leadership, a unit for operators."""

    role: Role
    agency: Agency | None = None
    unit: ServiceUnit | None = None

    def validate(self) -> None:
        """Raise ValidationError unless the scope is the one the role needs (ROLE_SCOPE)."""
        needed = ROLE_SCOPE[Role(self.role)]
        given = (self.agency is not None, self.unit is not None)
        expected = (needed == "agency", needed == "unit")
        if given != expected:
            scope = {"agency": "satu instansi", "unit": "satu unit", None: "tanpa cakupan"}[needed]
            raise ValidationError(f"Peran {Role(self.role).label} memerlukan cakupan {scope}.")


@transaction.atomic
def province_upsert(*, code: str, name: str) -> Province:
    """Create or rename the province with BPS code `code`."""
    province, _ = Province.objects.update_or_create(code=code, defaults={"name": name})
    return province


@transaction.atomic
def agency_upsert(
    *,
    code: str,
    name: str,
    kind: AgencyKind | str,
    province: Province | None = None,
    head_title: str = "",
) -> Agency:
    """Create or update the agency `code`. Regional governments must name their province.
    `head_title`: the head's office ("Bupati Lampung Selatan"), to whom letters go."""
    if AgencyKind(kind) in REGIONAL_KINDS and province is None:
        raise ValidationError(f"Instansi daerah {name} wajib memiliki provinsi.")
    agency, _ = Agency.objects.update_or_create(
        code=code,
        defaults={"name": name, "kind": kind, "province": province, "head_title": head_title},
    )
    return agency


@transaction.atomic
def service_type_upsert(*, code: str, name: str) -> ServiceType:
    """Create or rename the service type with slug `code`."""
    service_type, _ = ServiceType.objects.update_or_create(code=code, defaults={"name": name})
    return service_type


@transaction.atomic
def service_unit_upsert(
    *,
    code: str,
    name: str,
    agency: Agency,
    service_type: ServiceType,
    scope: ServiceScope | str,
    address: str = "",
) -> ServiceUnit:
    """Create or update the service unit (UPP) `code`; an upserted unit is active."""
    unit, _ = ServiceUnit.objects.update_or_create(
        code=code,
        defaults={
            "name": name,
            "agency": agency,
            "service_type": service_type,
            "scope": ServiceScope(scope),
            "address": address,
            "is_active": True,
        },
    )
    return unit


@transaction.atomic
def person_upsert(
    *,
    username: str,
    full_name: str,
    nip: str = "",
    agency: Agency | None = None,
    password: str | None = None,
    password_hash: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
    email: str | None = None,
) -> User:
    """Create or update the active account `username`.

    Give either a plain `password` or an already hashed `password_hash` (hashing costs about
    0.3 s, so seeding many accounts hashes once); with neither, a new account gets an
    unusable password and an existing one keeps its password. `email` None keeps the
    address an existing account has.
    """
    if password is not None and password_hash is not None:
        raise ValueError("give password or password_hash, not both")
    if nip and (len(nip) != NIP_LENGTH or not nip.isdigit()):
        raise ValidationError(f"NIP harus {NIP_LENGTH} angka (ditulis {nip!r}).")
    defaults: dict[str, object] = {
        "full_name": full_name,
        "nip": nip,
        "agency": agency,
        "is_active": True,
        "is_staff": is_staff,
        "is_superuser": is_superuser,
    }
    if email is not None:
        defaults["email"] = email
    if password is not None:
        password_hash = make_password(password)
    if password_hash is not None:
        defaults["password"] = password_hash
    user, _ = User.objects.update_or_create(
        username=User.normalize_username(username),
        defaults=defaults,
        create_defaults={"password": make_password(None), **defaults},
    )
    return user


def person_language_set(*, user: User, language: str) -> User:
    """Remember the language the person chose in the portal: their mails are written in it."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Bahasa tidak dikenal."))
    if user.language != language:
        User.objects.filter(pk=user.pk).update(language=language)
        user.language = language
    return user


@transaction.atomic
def person_roles_set(*, user: User, grants: Iterable[RoleGrant]) -> list[RoleAssignment]:
    """Make `grants` the exact set of roles `user` holds: add the missing, drop the others."""
    grants = list(grants)
    for grant in grants:
        grant.validate()
    kept: list[RoleAssignment] = []
    for grant in grants:
        assignment, _ = RoleAssignment.objects.get_or_create(
            user=user, role=grant.role, agency=grant.agency, unit=grant.unit
        )
        kept.append(assignment)
    RoleAssignment.objects.filter(user=user).exclude(pk__in=[a.pk for a in kept]).delete()
    forget_roles(user)
    return kept


RECOVERY_CODE_COUNT = 10


@transaction.atomic
def second_factor_enrol(*, user: User, key: str, code: str) -> tuple[TOTPDevice, list[str]]:
    """Make the authenticator app holding the hex secret `key` the person's one TOTP device,
    once `code` shows the app computes the same codes, and give them fresh recovery codes.
    Returns the device and the codes, which are shown once. A wrong code raises
    ValidationError and stores nothing; an earlier device is replaced only on success."""
    device = TOTPDevice.objects.create(
        user=user, name="Aplikasi autentikator", key=key, confirmed=True
    )
    # verify_token records the code's time step, so the same code cannot also sign in.
    if not device.verify_token(code):
        raise ValidationError(
            _("Kode tidak cocok. Periksa jam ponsel Anda, lalu masukkan kode yang sedang tampil."),
            code="invalid",
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    return device, recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user: User) -> list[str]:
    """Replace the person's recovery codes with RECOVERY_CODE_COUNT new ones and return them
    (shown once). The device itself is kept, so a session verified with a recovery code
    stays verified."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Kode pemulihan", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def second_factor_verify(*, user: User, code: str) -> Device:
    """The person's device that accepts `code`: six digits are checked against their
    authenticator app, anything else against their recovery codes (a matching one is used
    up). Raises ValidationError when no device accepts it, or while earlier wrong codes hold
    the device back (django-otp doubles the wait after each failure).

    Not one transaction: a failed try must stay counted although the error is raised;
    django-otp verifies each device in a transaction of its own, with the row locked."""
    model = TOTPDevice if len(code) == 6 and code.isdigit() else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        allowed, _info = device.verify_is_allowed()
        if not allowed:
            raise ValidationError(
                _("Terlalu banyak kode yang salah. Tunggu beberapa detik, lalu coba lagi."),
                code="throttled",
            )
        verified = django_otp.verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    raise ValidationError(_("Kode salah, sudah terpakai, atau sudah kedaluwarsa."), code="invalid")


@transaction.atomic
def api_token_create(*, user: User) -> Token:
    """A new API token for the person, in place of the one they had (which stops working at
    once). Its key is what the caller shows, once; the token page never shows it again."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Delete the person's API token; False when they had none."""
    deleted, _by_model = Token.objects.filter(user=user).delete()
    return deleted > 0
