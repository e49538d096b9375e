"""Reads of the units app about a person's own account: their two-factor devices."""

from dataclasses import dataclass

from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User


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
