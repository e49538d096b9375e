"""The phase-window rule on plain values: no database, no models.

A phase is open for a unit from the cycle's start to the cycle's end, or to the latest end
the unit was given when that is later. Services (which refuse), selectors (which lock a page)
and pages (which explain why) all decide it here, from dates they read however suits them.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

Window = tuple[dt.date, dt.date]


def today() -> dt.date:
    """The local date that phase windows are compared with."""
    return timezone.localdate()


def window_from(
    starts: dt.date | None, ends: dt.date | None, extended: dt.date | None
) -> Window | None:
    """A phase's window for one unit from the cycle's dates and the latest end the unit was
    given (None: the cycle has no dates for the phase). An extension never shortens it."""
    if starts is None or ends is None:
        return None
    return starts, max(ends, extended or ends)


def window_open(window: Window | None, on: dt.date) -> bool:
    """Whether `on` falls inside `window`, both ends included."""
    return window is not None and window[0] <= on <= window[1]


def window_message(phase_label: str, window: Window | None, on: dt.date) -> str | None:
    """None when `on` falls inside `window`, else why the phase named `phase_label` is not
    open, for a person."""
    if window is None:
        return _("Jadwal tahap %(phase)s belum ditetapkan untuk periode ini.") % {
            "phase": phase_label
        }
    starts, ends = window
    if on < starts:
        return _("Tahap %(phase)s baru dibuka pada %(date)s.") % {
            "phase": phase_label,
            "date": starts.strftime("%d-%m-%Y"),
        }
    if on > ends:
        return _("Tahap %(phase)s sudah ditutup pada %(date)s.") % {
            "phase": phase_label,
            "date": ends.strftime("%d-%m-%Y"),
        }
    return None
