"""The workload view: assessments per evaluator of a cycle, with totals, in one query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import Assessment, AssessmentStatus, EvaluatorAssignment
from evaluations.selectors.cycles import cycle_workload
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import AgencyKind

from .cycles_factories import private_cache

S = AssessmentStatus


class WorkloadTests(PersonaTestCase):
    def url(self, cycle):
        return reverse("evaluations:workload", args=[cycle.pk])

    def test_it_counts_assessments_leads_submissions_and_statuses_per_evaluator(self):
        cycle = f.make_cycle(self.instrument, owner=self.kemenpan, name="Beban 2025")
        ani = f.make_evaluator(agency=self.kemenpan, full_name="Ani")
        budi = f.make_evaluator(agency=self.kemenpan, full_name="Budi")
        cici = f.make_evaluator(agency=self.kemenpan, full_name="Cici")
        statuses = [S.DRAFT, S.SUBMITTED, S.IN_EVALUATION, S.IN_EVALUATION, S.FINAL]
        loci = []
        for status in statuses:
            locus = f.make_assessment(cycle, f.make_unit(self.tanggamus))
            Assessment.objects.filter(pk=locus.pk).update(status=status)
            loci.append(locus)
        for locus in loci:  # Ani in every team, leading the first three
            f.assign(locus, ani, lead=locus in loci[:3])
        for locus in loci[2:]:  # Budi in the last three, leading them
            f.assign(locus, budi, lead=True)
        f.assign(loci[4], cici)
        EvaluatorAssignment.objects.filter(
            assessment__in=loci[3:], evaluator__in=[ani, budi]
        ).update(submitted_at=timezone.now())
        f.assign(self.assessment, cici)  # another cycle: not counted

        workload = cycle_workload(cycle)
        order = [s.status for s in workload.statuses]
        self.assertEqual(
            order, [S.DRAFT, S.SUBMITTED, S.IN_EVALUATION, S.CLARIFICATION, S.MODERATED, S.FINAL]
        )
        self.assertEqual(
            [(r.name, r.assessments, r.lead, r.submitted, r.by_status) for r in workload.rows],
            [
                ("Ani", 5, 3, 2, (1, 1, 2, 0, 0, 1)),
                ("Budi", 3, 3, 2, (0, 0, 2, 0, 0, 1)),
                ("Cici", 1, 0, 0, (0, 0, 0, 0, 0, 1)),
            ],
        )
        total = workload.total
        self.assertEqual(
            (total.assessments, total.lead, total.submitted, total.by_status),
            (9, 6, 4, (1, 1, 4, 0, 0, 3)),
        )

    @private_cache
    def test_it_shows_the_table_in_constant_queries_for_3_and_30_evaluators(self):
        agency = f.make_agency(kind=AgencyKind.KOTA, province=self.province)
        cycles = {}
        for count in (3, 30):
            cycle = f.make_cycle(self.instrument, owner=self.kemenpan, name=f"Beban {count}")
            people = [
                f.make_evaluator(agency=self.kemenpan, full_name=f"Evaluator {count}-{i}")
                for i in range(count)
            ]
            for i, person in enumerate(people):
                for _ in range(i % 4 + 1):
                    f.assign(f.make_assessment(cycle, f.make_unit(agency)), person, lead=True)
            cycles[count] = cycle
        self.client.force_login(self.admin)
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(self.url(cycles[3]))
        self.assertEqual(len(response.context["workload"].rows), 3)
        with self.assertNumQueries(len(ctx.captured_queries)):
            response = self.client.get(self.url(cycles[30]))
        rows = response.context["workload"].rows
        self.assertEqual(len(rows), 30)
        self.assertEqual(
            [r.assessments for r in rows], sorted((r.assessments for r in rows), reverse=True)
        )
        self.assertContains(response, "Jumlah (30 evaluator)")
        with self.assertNumQueries(1):
            cycle_workload(cycles[30])

    def test_it_shows_the_workload_to_whoever_may_see_the_cycle(self):
        expected = {
            (self.admin, self.cycle): 200,
            (self.admin, self.mandiri): 200,
            (self.coordinator, self.mandiri): 200,
            (self.coordinator, self.cycle): 404,
            (self.evaluator, self.cycle): 404,
            (self.operator, self.cycle): 404,
            (self.outsider, self.mandiri): 404,
        }
        for (person, cycle), status in expected.items():
            self.client.force_login(person)
            with self.subTest(person=person.username, cycle=cycle.name):
                self.assertEqual(self.client.get(self.url(cycle)).status_code, status)

    def test_it_says_so_when_nobody_is_assigned(self):
        self.client.force_login(self.coordinator)
        response = self.client.get(self.url(self.mandiri))
        self.assertContains(response, "Belum ada evaluator yang ditugaskan dalam periode ini.")
