from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pekppp.backup import BackupError, backup_write


class Command(BaseCommand):
    help = (
        "Write one consistent archive (ZIP) of the database and every stored file it refers "
        "to (evidence, visit photos, documents, certificates), with a manifest of row counts "
        "and SHA-256 sums. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the archive to write, e.g. pekppp-2024-06-01.zip")

    def handle(self, *args, path, **options):
        try:
            summary = backup_write(path=Path(path))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in summary.warnings:
            self.stderr.write(f"Peringatan: {warning}")
        self.stdout.write(
            f"Cadangan ditulis ke {summary.path}: {summary.rows} baris dari {summary.models} "
            f"tabel, {summary.files} berkas ({summary.bytes / 1e6:.1f} MB)."
        )
