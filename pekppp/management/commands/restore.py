from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pekppp.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore an archive of `manage.py backup` into an empty installation (a new database "
        "after `manage.py migrate`, empty file storage). Checks every checksum first; on any "
        "error nothing is restored."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive written by `manage.py backup`")

    def handle(self, *args, path, **options):
        try:
            summary = backup_restore(path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Cadangan {summary.created_at} dipulihkan: {summary.rows} baris dari "
            f"{summary.models} tabel, {summary.files} berkas ({summary.bytes / 1e6:.1f} MB)."
        )
