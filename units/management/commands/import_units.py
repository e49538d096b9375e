"""Import service units (or provinces, agencies, people/roles, loci) from a CSV or XLSX file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string

from units.importing import ROW_CONVENTION, import_file

RESOURCES = {
    "unit": "units.resources.ServiceUnitResource",
    "provinsi": "units.resources.ProvinceResource",
    "instansi": "units.resources.AgencyResource",
    "peran": "units.resources.PersonRoleResource",
    # By path: the units app does not import evaluations at load time.
    "lokus": "evaluations.resources.LocusResource",
}
# Errors printed before "… and N more"; the whole list is rarely useful on a terminal.
MAX_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Impor UPP (atau provinsi, instansi, pengguna/peran, lokus) dari berkas CSV/XLSX. "
        "Semua baris diperiksa dulu; jika ada satu kesalahan, tidak ada yang disimpan."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="berkas .csv atau .xlsx")
        parser.add_argument(
            "--jenis", choices=sorted(RESOURCES), default="unit", help="isi berkas (bawaan: unit)"
        )
        parser.add_argument(
            "--format", choices=["csv", "xlsx"], help="bawaan: dari ekstensi berkas"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="periksa dan hitung saja, tanpa menyimpan"
        )

    def handle(self, *args, file, jenis, format, dry_run, **options):
        path = Path(file)
        fmt = format or path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(
                f"{path}: format tidak dikenali dari ekstensi; gunakan --format csv|xlsx."
            )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: tidak dapat dibaca ({exc.strerror})") from exc

        report = import_file(import_string(RESOURCES[jenis]), data, fmt, dry_run=dry_run)
        if not report.ok:
            for problem in report.errors[:MAX_SHOWN]:
                self.stderr.write(str(problem))
            if len(report.errors) > MAX_SHOWN:
                self.stderr.write(f"… dan {len(report.errors) - MAX_SHOWN} kesalahan lain.")
            if any(p.row is not None for p in report.errors):
                self.stderr.write(ROW_CONVENTION)
            raise CommandError(f"{path} ditolak: {report.summary()}")
        self.stdout.write(f"{path}: {report.total_rows} baris — {report.summary()}")
