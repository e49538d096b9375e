"""Priority coaching after the demo's 2022 publication, through the portal's own services:

- the proposal with the default rule (grade C- or lower, bottom 10 % of each ranking group):
  the three lowest kabupaten/kota units, all graded D, E or F;
- two of them confirmed by the admin (Disdukcapil Kabupaten Mesuji, RSUD Kabupaten Pesisir
  Barat), the third left as a proposal to confirm or remove in the browser;
- Disdukcapil Kabupaten Lampung Selatan, the demo operator's unit, added by hand at its
  agency's request, so `operator` and `pimpinan` see a priority unit of their own;
- one coaching session of it, scheduled two weeks after the day of seeding with an invitation
  attached, which notifies the unit's operator and its agency's leadership.

Running it again adds nothing: the proposal is idempotent, decisions taken in the browser
(a removal, a confirmation) are kept, and the session is made only while the unit has none.
"""

import datetime as dt
import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from evaluations.models import Cycle
from scoring.models import CoachingMode, CoachingSession, PriorityUnit
from scoring.services.priority import (
    coaching_session_record,
    priority_add,
    priority_confirm,
    priority_propose,
)
from units.models import ServiceUnit, User

PRIORITY_YEAR = 2022
CONFIRMED_UNITS = ("1811-DISDUKCAPIL", "1813-RSUD")
ADDED_UNIT = "1801-DISDUKCAPIL"
ADDED_REASON = (
    "Permintaan Pemerintah Kabupaten Lampung Selatan: IPP 3,52 di batas bawah predikat B, "
    "dengan aspek Sistem Informasi Pelayanan Publik terendah di kabupaten."
)
SESSION_AHEAD = dt.timedelta(days=14)


@dataclass(frozen=True, slots=True)
class PrioritySummary:
    cycle: str
    proposed: int  # on the list, not yet confirmed
    confirmed: int
    sessions: int


def invitation_pdf() -> bytes:
    """A one-page "invitation letter" as a PDF (an image of a few lines of text)."""
    image = Image.new("L", (420, 594), 255)
    draw = ImageDraw.Draw(image)
    draw.text((40, 40), "UNDANGAN PENDAMPINGAN", fill=0)
    for row in range(12):
        draw.line((40, 90 + row * 22, 380 - (row % 3) * 40, 90 + row * 22), fill=140)
    buffer = io.BytesIO()
    image.save(buffer, "PDF", resolution=72)
    return buffer.getvalue()


def priority_seed(*, people: dict[str, User], today: dt.date) -> PrioritySummary | None:
    """The demo's priority list of the published 2022 Nasional cycle and one coaching session
    (None when that cycle is not published)."""
    cycle = Cycle.objects.filter(year=PRIORITY_YEAR, scheme="nasional").first()
    if cycle is None or not cycle.publications.filter(is_current=True).exists():
        return None
    admin = people["admin"]
    priority_propose(cycle=cycle, by=admin)
    pending = list(
        PriorityUnit.objects.filter(
            cycle=cycle,
            unit__code__in=CONFIRMED_UNITS,
            confirmed_at__isnull=True,
            removed_at__isnull=True,
        ).values_list("unit_id", flat=True)
    )
    if pending:
        priority_confirm(cycle=cycle, by=admin, units=pending)
    unit = ServiceUnit.objects.get(code=ADDED_UNIT)
    priority = PriorityUnit.objects.filter(cycle=cycle, unit=unit).first()
    if priority is None:
        priority = priority_add(cycle=cycle, unit=unit, by=admin, reason=ADDED_REASON)
    if (
        priority.confirmed_at
        and not CoachingSession.objects.filter(cycle=cycle, unit=unit).exists()
    ):
        coaching_session_record(
            priority=priority,
            held_on=today + SESSION_AHEAD,
            mode=CoachingMode.HYBRID,
            people="Tim Deputi Pelayanan Publik KemenPANRB; Kepala dan operator Disdukcapil "
            "Kabupaten Lampung Selatan; Bagian Organisasi Setda Kabupaten Lampung Selatan",
            topics="Sistem informasi pelayanan publik dan pengelolaan pengaduan; rencana tindak "
            "lanjut rekomendasi evaluasi 2022",
            notes="",
            files=[ContentFile(invitation_pdf(), name="undangan-pendampingan.pdf")],
            by=admin,
        )
    rows = PriorityUnit.objects.filter(cycle=cycle, removed_at__isnull=True)
    return PrioritySummary(
        cycle=cycle.name,
        proposed=rows.filter(confirmed_at__isnull=True).count(),
        confirmed=rows.filter(confirmed_at__isnull=False).count(),
        sessions=CoachingSession.objects.filter(cycle=cycle).count(),
    )
