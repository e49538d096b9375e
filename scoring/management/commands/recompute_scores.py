from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from evaluations.models import Cycle
from scoring.services.results import results_recompute


def cycle_filter(values: list[str]) -> Q:
    """Cycles given by id or by exact name."""
    cycles = []
    for value in values:
        found = Cycle.objects.filter(
            Q(name=value) | Q(pk=int(value)) if value.isdigit() else Q(name=value)
        )
        if not found:
            raise CommandError(
                f"Periode '{value}' tidak ditemukan (sebutkan id atau nama persisnya)."
            )
        cycles.extend(found)
    return Q(cycle__in=cycles)


class Command(BaseCommand):
    help = "Recompute stored results from final levels and survey responses; report what changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--cycle",
            action="append",
            default=[],
            help="cycle id or name (repeatable); default: all",
        )

    def handle(self, *args, cycle, **options):
        report = results_recompute(assessments=cycle_filter(cycle) if cycle else None)
        for change in report.changes:
            before = f"{change.before[0]} ({change.before[1]})" if change.before else "—"
            after = (
                f"{change.after[0]} ({change.after[1]})"
                if change.after
                else "dihapus (belum lengkap)"
            )
            self.stdout.write(
                f"BERUBAH  lokus {change.assessment_id} {change.unit}: {before} → {after}"
            )
        for assessment_id, unit, problems in report.errors:
            self.stderr.write(f"GALAT    lokus {assessment_id} {unit}: {' '.join(problems)}")
        self.stdout.write(
            f"{report.assessments} lokus: {report.computed} dihitung, "
            f"{report.unchanged} tidak berubah, {len(report.changes)} berubah, "
            f"{report.incomplete} belum lengkap, {len(report.errors)} galat."
        )
        if report.errors:
            raise CommandError(f"{len(report.errors)} lokus tidak dapat dihitung.")
