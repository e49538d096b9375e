from django.core.management.base import BaseCommand, CommandError

from evaluations import instrument_file
from evaluations.instrument_file import InstrumentFileError
from evaluations.services import instrument_import


class Command(BaseCommand):
    help = "Load the shipped instrument versions (or the given files); safe to run repeatedly."

    def add_arguments(self, parser):
        parser.add_argument(
            "files", nargs="*", help="instrument JSON files (default: shipped ones)"
        )

    def handle(self, *args, files, **options):
        paths = files or [str(p) for p in instrument_file.shipped_files()]
        if not paths:
            raise CommandError("Tidak ada berkas instrumen untuk dimuat.")
        for path in paths:
            try:
                with open(path, "rb") as fh:
                    data = instrument_file.parse(fh.read(), source=path)
                instrument, outcome = instrument_import(data=data, source=path)
            except OSError as exc:
                raise CommandError(f"{path}: tidak dapat dibaca ({exc.strerror})") from exc
            except InstrumentFileError as exc:
                raise CommandError("\n  - ".join([f"{path} ditolak:", *exc.problems])) from exc
            counts = (
                f"{instrument.indicators.filter(supplementary=False).count()} indikator berbobot"
            )
            self.stdout.write(f"{instrument.code}: {outcome} ({counts})")
