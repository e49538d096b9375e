import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from evaluations import rules
from evaluations.services.reminders import REMINDER_OFFSETS, reminders_send


class Command(BaseCommand):
    help = (
        "Send the reminders of open work due in 3 and 1 days, as the daily job does "
        "(each reminder once: safe to run again)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            metavar="YYYY-MM-DD",
            help="the day to run as (default: today in the portal's time zone)",
        )

    def handle(self, *args, today: str | None = None, **options):
        day = _day(today) if today is not None else rules.today()
        sent = reminders_send(today=day)
        offsets = " dan ".join((day + dt.timedelta(days=n)).isoformat() for n in REMINDER_OFFSETS)
        self.stdout.write(
            f"{day.isoformat()}: {sent.groups} pengingat jatuh tempo (tenggat {offsets}), "
            f"{sent.notifications} notifikasi baru dibuat."
        )


def _day(text: str) -> dt.date:
    try:
        if len(text) != 10:
            raise ValueError
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            "--today harus berupa tanggal YYYY-MM-DD, misalnya 2025-03-14; "
            f"diterima: {text[:40]!r}."
        ) from None
