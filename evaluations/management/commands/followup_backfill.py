from django.core.management.base import BaseCommand

from evaluations.models import Assessment, AssessmentStatus
from evaluations.services.followup import followup_items_create


class Command(BaseCommand):
    help = (
        "Make the follow-up items of assessments that became final before the follow-up "
        "register existed (or of one cycle); safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, help="only the loci of this cycle (its id)")

    def handle(self, *args, cycle=None, **options):
        loci = Assessment.objects.filter(status=AssessmentStatus.FINAL).order_by("pk")
        if cycle is not None:
            loci = loci.filter(cycle_id=cycle)
        made = touched = 0
        for assessment in loci.iterator():
            count = followup_items_create(assessment=assessment)
            made += count
            touched += bool(count)
        self.stdout.write(f"{made} butir tindak lanjut dibuat pada {touched} lokus final.")
