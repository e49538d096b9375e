"""Validation and publication of a cycle (`scoring.services.publication`): what is refused,
what is frozen, how corrections, ranks and the national summary come out."""

import threading
from decimal import Decimal
from unittest import skipUnless

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.test import SimpleTestCase, TransactionTestCase

from evaluations.models import Assessment, AssessmentStatus, FinalLevel, Phase
from scoring.models import Exclusion, Publication, PublishedResult, Result
from scoring.selectors.publication import cycle_validation
from scoring.services.publication import (
    PublicationError,
    competition_ranks,
    cycle_publish,
    locus_exclude,
    locus_include,
)
from scoring.services.results import final_levels_save, results_recompute
from scoring.services.survey import survey_answer, survey_link
from tests import factories as f
from tests.base import PersonaTestCase
from tests.scoring.factories import make_ranked_units, make_result
from units.models import AgencyKind, Role

FROZEN = ("ipp", "grade", "grade_label", "aspects", "levels", "evaluator_index", "rank")


def finalize(cycle) -> None:
    Assessment.objects.filter(cycle=cycle).update(status=AssessmentStatus.FINAL)


def published(publication) -> dict[str, tuple]:
    return {
        r.unit_name: tuple(getattr(r, name) for name in FROZEN)
        for r in PublishedResult.objects.filter(publication=publication)
    }


class CompetitionRanksTest(SimpleTestCase):
    def test_it_gives_ties_the_same_rank_and_skips_the_next(self):
        cases = [
            ([], []),
            (["4.00"], [1]),
            (["4.00", "3.50", "3.50", "3.00"], [1, 2, 2, 4]),
            (["3.00", "3.00", "3.00"], [1, 1, 1]),
            (["5.00", "4.99", "4.99", "4.99", "1.00", "1.00"], [1, 2, 2, 2, 5, 5]),
        ]
        for values, ranks in cases:
            with self.subTest(values=values):
                self.assertEqual(competition_ranks([Decimal(v) for v in values]), ranks)


class PublishTest(PersonaTestCase):
    """The 2024 Nasional cycle of the persona world: Lampung Selatan and Tanggamus."""

    def score(self, assessment, case="boundary-45050"):
        final_levels_save(assessment=assessment, levels=f.golden_levels(case), by=self.admin)

    def test_it_refuses_while_a_locus_is_pending_and_names_it(self):
        self.score(self.assessment)
        Assessment.objects.filter(pk=self.assessment.pk).update(status=AssessmentStatus.FINAL)
        report = cycle_validation(self.cycle)
        self.assertEqual((report.loci, report.final, report.excluded), (2, 1, 0))
        self.assertEqual(
            report.pending, ((self.other_assessment.pk, "Disdukcapil Kabupaten Tanggamus", "Draf"),)
        )
        self.assertFalse(report.is_valid)
        with self.assertRaises(PublicationError) as caught:
            cycle_publish(cycle=self.cycle, user=self.admin)
        self.assertEqual(
            caught.exception.problems,
            ("Disdukcapil Kabupaten Tanggamus belum final (status: Draf) dan tidak dikecualikan.",),
        )
        self.assertFalse(Publication.objects.exists())
        self.assertFalse(PublishedResult.objects.exists())

    def test_it_counts_a_final_locus_without_a_result_as_pending(self):
        finalize(self.cycle)
        self.score(self.assessment)
        report = cycle_validation(self.cycle)
        self.assertEqual([unit for _pk, unit, _s in report.pending], [self.other_unit.name])

    def test_it_refuses_a_cycle_without_any_final_result(self):
        for a in (self.assessment, self.other_assessment):
            locus_exclude(assessment=a, user=self.admin, reason="Unit dibubarkan")
        with self.assertRaises(PublicationError) as caught:
            cycle_publish(cycle=self.cycle, user=self.admin)
        self.assertEqual(
            caught.exception.problems, ("Tidak ada hasil final untuk dipublikasikan.",)
        )

    def test_it_publishes_without_an_excluded_locus_and_keeps_who_excluded_it_and_why(self):
        self.score(self.assessment)
        finalize(self.cycle)
        exclusion = locus_exclude(
            assessment=self.other_assessment, user=self.admin, reason="  Data tidak lengkap  "
        )
        self.assertEqual(
            (exclusion.reason, exclusion.excluded_by), ("Data tidak lengkap", self.admin)
        )
        report = cycle_validation(self.cycle)
        self.assertEqual(
            (report.loci, report.final, report.excluded, report.pending), (2, 1, 1, ())
        )
        publication = cycle_publish(cycle=self.cycle, user=self.admin)
        self.assertEqual(
            (publication.revision, publication.is_current, publication.result_count),
            (1, True, 1),
        )
        self.assertEqual(list(published(publication)), [self.unit.name])
        self.assertEqual(publication.summary["national"]["count"], 1)

    def test_it_freezes_each_units_survey_index_and_respondents(self):
        # Lampung Selatan: 10 answers through the survey service, so its survey counts;
        # Tanggamus: 9, below m = 10.
        f.open_window(self.cycle, Phase.SURVEY)
        survey = f.SCORING_CASES["random-7-4"]["survey"]
        for assessment, answers in ((self.assessment, survey), (self.other_assessment, survey[:9])):
            self.score(assessment, "random-7-4")
            link = survey_link(assessment=assessment, by=self.admin)
            for values in answers:
                survey_answer(link=link, answers=values)
        finalize(self.cycle)
        publication = cycle_publish(cycle=self.cycle, user=self.admin)
        frozen = {
            r.unit_name: (r.respondents, r.survey_index, r.survey_reason, r.ipp, r.evaluator_index)
            for r in PublishedResult.objects.filter(publication=publication)
        }
        self.assertEqual(
            frozen,
            {
                self.unit.name: (10, Decimal("4.66"), "", Decimal("4.40"), Decimal("4.31")),
                self.other_unit.name: (
                    9,
                    None,
                    "too_few_respondents",
                    Decimal("4.31"),
                    Decimal("4.31"),
                ),
            },
        )
        self.assertEqual(
            publication.summary["survey"], {"weight": "0.250", "min_respondents": 10, "counted": 1}
        )
        # An answer after publication changes the live result, never the published row.
        survey_answer(
            link=survey_link(assessment=self.other_assessment, by=self.admin), answers=survey[9]
        )
        self.assertEqual(Result.objects.get(assessment=self.other_assessment).respondents, 10)
        self.assertEqual(
            PublishedResult.objects.get(publication=publication, unit=self.other_unit).respondents,
            9,
        )

    def test_it_refuses_an_exclusion_without_a_reason(self):
        with self.assertRaises(PublicationError) as caught:
            locus_exclude(assessment=self.other_assessment, user=self.admin, reason="   ")
        self.assertEqual(caught.exception.problems, ("Alasan pengecualian wajib diisi.",))
        self.assertFalse(Exclusion.objects.exists())

    def test_it_takes_an_exclusion_back(self):
        locus_exclude(assessment=self.other_assessment, user=self.admin, reason="Salah pilih")
        locus_include(assessment=self.other_assessment, user=self.admin)
        self.assertFalse(Exclusion.objects.exists())
        self.assertEqual(len(cycle_validation(self.cycle).pending), 2)

    def test_it_lets_only_those_who_run_the_cycle_exclude_or_publish(self):
        self.score(self.assessment)
        self.score(self.other_assessment)
        finalize(self.cycle)
        for user in (self.coordinator, self.evaluator, self.operator, self.leader, self.outsider):
            with self.subTest(user=user.username):
                with self.assertRaises(PermissionDenied):
                    cycle_publish(cycle=self.cycle, user=user)
                with self.assertRaises(PermissionDenied):
                    locus_exclude(assessment=self.assessment, user=user, reason="x")
                with self.assertRaises(PermissionDenied):
                    locus_include(assessment=self.assessment, user=user)
        self.assertFalse(Publication.objects.exists())
        self.assertFalse(Exclusion.objects.exists())

    def test_it_freezes_the_snapshot_against_later_changes_of_final_levels(self):
        self.score(self.assessment, "boundary-45050")
        self.score(self.other_assessment, "random-7-4")
        finalize(self.cycle)
        publication = cycle_publish(cycle=self.cycle, user=self.admin)
        before = published(publication)
        summary = Publication.objects.get(pk=publication.pk).summary
        self.assertEqual(before[self.unit.name][:2], (Decimal("4.51"), "A"))

        result = Result.objects.get(assessment=self.assessment)
        final_levels_save(
            assessment=self.assessment, levels={n: 0 for n in range(1, 31)}, by=self.admin
        )
        FinalLevel.objects.filter(assessment=self.other_assessment).update(level=5)
        results_recompute(assessments=Q(cycle=self.cycle))

        self.assertEqual(Result.objects.get(pk=result.pk).ipp, Decimal("0.00"))
        self.assertEqual(Result.objects.get(assessment=self.other_assessment).ipp, Decimal("5.00"))
        self.assertEqual(published(publication), before)
        self.assertEqual(Publication.objects.get(pk=publication.pk).summary, summary)
        self.assertEqual(Publication.objects.count(), 1)

    def test_it_publishes_a_correction_as_a_new_revision_with_a_reason(self):
        self.score(self.assessment, "boundary-45050")
        self.score(self.other_assessment, "random-7-4")
        finalize(self.cycle)
        first = cycle_publish(cycle=self.cycle, user=self.admin)
        before = published(first)
        final_levels_save(
            assessment=self.assessment, levels={n: 0 for n in range(1, 31)}, by=self.admin
        )

        for reason in ("", "   "):
            with self.subTest(reason=reason):
                with self.assertRaises(PublicationError) as caught:
                    cycle_publish(cycle=self.cycle, user=self.admin, reason=reason)
                self.assertEqual(
                    caught.exception.problems,
                    ("Publikasi ulang (koreksi) wajib disertai alasan.",),
                )
        self.assertEqual(Publication.objects.count(), 1)

        second = cycle_publish(
            cycle=self.cycle, user=self.admin, reason="Salah input tingkat final Lampung Selatan"
        )
        first.refresh_from_db()
        self.assertEqual((second.revision, second.is_current), (2, True))
        self.assertEqual(second.reason, "Salah input tingkat final Lampung Selatan")
        self.assertEqual((first.revision, first.is_current, first.reason), (1, False, ""))
        self.assertEqual(published(first), before)
        self.assertEqual(published(second)[self.unit.name][:2], (Decimal("0.00"), "F"))
        self.assertEqual(
            list(Publication.objects.filter(cycle=self.cycle).values_list("revision", flat=True)),
            [2, 1],
        )

    def test_it_refuses_results_of_different_engine_versions(self):
        self.score(self.assessment)
        self.score(self.other_assessment)
        finalize(self.cycle)
        Result.objects.filter(assessment=self.other_assessment).update(engine_version="0")
        with self.assertRaises(PublicationError) as caught:
            cycle_publish(cycle=self.cycle, user=self.admin)
        self.assertIn("versi mesin yang berbeda (0, 1)", caught.exception.problems[0])
        self.assertFalse(Publication.objects.exists())

    def test_it_names_only_the_first_pending_loci_in_a_refusal(self):
        cycle = f.make_cycle(self.instrument, year=2025, owner=self.kemenpan)
        for _ in range(25):
            f.make_assessment(cycle, f.make_unit(self.lamsel))
        with self.assertRaises(PublicationError) as caught:
            cycle_publish(cycle=cycle, user=self.admin)
        problems = caught.exception.problems
        self.assertEqual(len(problems), 22)  # 20 named, the rest counted, no final result
        self.assertEqual(problems[20], "… dan 5 lokus lain belum final dan tidak dikecualikan.")


class RanksAndSummaryTest(PersonaTestCase):
    def ranked(self, publication) -> dict[str, tuple[int, int, int]]:
        return {
            r.unit_name: (r.rank_national, r.rank, r.rank_service_type)
            for r in PublishedResult.objects.filter(publication=publication)
        }

    def test_it_ranks_ties_together_nationally_per_group_and_per_service_type(self):
        cycle = f.make_cycle(self.instrument, year=2023, owner=self.kemenpan)
        disdukcapil = self.unit.service_type
        dpmptsp = self.prov_unit.service_type
        make_ranked_units(
            cycle,
            ["4.00", "3.50", "3.50"],
            agency=self.lamsel,
            service_type=disdukcapil,
            prefix="K",
        )
        make_ranked_units(cycle, ["3.00"], agency=self.tanggamus, service_type=dpmptsp, prefix="T")
        make_ranked_units(
            cycle, ["3.50", "2.00"], agency=self.pemprov, service_type=dpmptsp, prefix="P"
        )
        finalize(cycle)
        publication = cycle_publish(cycle=cycle, user=self.admin)
        # (national, group, service type)
        self.assertEqual(
            self.ranked(publication),
            {
                "K 0001": (1, 1, 1),
                "K 0002": (2, 2, 2),
                "K 0003": (2, 2, 2),
                "P 0001": (2, 1, 1),
                "T 0001": (5, 4, 2),
                "P 0002": (6, 2, 3),
            },
        )
        self.assertEqual(
            [(t["unit_name"], t["rank"]) for t in publication.summary["top"]],
            [
                ("K 0001", 1),
                ("K 0002", 2),
                ("K 0003", 2),
                ("P 0001", 2),
                ("T 0001", 5),
                ("P 0002", 6),
            ],
        )

    def test_it_averages_exactly_and_rounds_half_up_once(self):
        cycle = f.make_cycle(self.instrument, year=2023, owner=self.kemenpan)
        # Binary floats put these means just below the half: 4.505 → 4.50, and so on.
        self.assertEqual(round((4.50 + 4.51) / 2, 2), 4.5)
        self.assertEqual(round((1.00 + 1.01) / 2, 2), 1.0)
        self.assertEqual(round((2.67 + 2.68) / 2, 2), 2.67)
        rows = [
            (self.unit, "4.50", {"I": "1.00", "II": "2.67"}),
            (self.other_unit, "4.51", {"I": "1.01", "II": "2.68"}),
        ]
        for unit, ipp, aspects in rows:
            make_result(f.make_assessment(cycle, unit), ipp, aspects=aspects)
        make_result(f.make_assessment(cycle, self.prov_unit), "3.10", aspects={"I": "2.00"})
        finalize(cycle)
        summary = cycle_publish(cycle=cycle, user=self.admin).summary
        kabkota = next(g for g in summary["groups"] if g["group"] == "kabkota")
        self.assertEqual(kabkota["count"], 2)
        self.assertEqual(kabkota["ipp"], "4.51")
        self.assertEqual(kabkota["aspects"]["I"], "1.01")
        self.assertEqual(kabkota["aspects"]["II"], "2.68")
        self.assertEqual(kabkota["grades"]["A"], 1)
        self.assertEqual(kabkota["grades"]["A-"], 1)
        national = summary["national"]
        # (4.50 + 4.51 + 3.10) / 3 = 4.036…; I: (1.00 + 1.01 + 2.00) / 3 = 1.3366…
        self.assertEqual((national["count"], national["ipp"]), (3, "4.04"))
        self.assertEqual(national["aspects"]["I"], "1.34")
        self.assertEqual(national["aspects"]["II"], "2.68")  # only the results that carry it
        self.assertIsNone(national["aspects"]["III"])
        self.assertEqual(
            summary["provinces"],
            [{"id": self.province.pk, "name": "Lampung", "count": 3, "ipp": "4.04"}],
        )
        self.assertEqual(
            [g["grade"] for g in summary["grades"]],
            ["A", "A-", "B", "B-", "C", "C-", "D", "E", "F"],
        )
        self.assertEqual(
            {g: n for g, n in national["grades"].items() if n}, {"A": 1, "A-": 1, "B-": 1}
        )


@skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (CI sets DATABASE_URL)")
class ConcurrentPublishTest(TransactionTestCase):
    """Two admins publishing the same cycle at the same moment, on real connections."""

    def setUp(self):
        owner = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN)
        kab = f.make_agency("Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN)
        self.cycle = f.make_cycle(f.make_instrument("UJI-RACE"), year=2023, owner=owner)
        make_ranked_units(
            self.cycle, ["4.10", "3.20", "2.90"], agency=kab, service_type=f.make_service_type()
        )
        finalize(self.cycle)
        self.admins = []
        for name in ("Admin Satu", "Admin Dua"):
            admin = f.make_user(full_name=name)
            f.grant(admin, Role.MINISTRY_ADMIN)
            self.admins.append(admin)

    def race(self, reasons) -> dict[str, object]:
        start = threading.Barrier(2)
        outcomes = {}

        def publish(admin, reason):
            try:
                start.wait()
                outcomes[admin.full_name] = cycle_publish(
                    cycle=self.cycle, user=admin, reason=reason
                ).revision
            except PublicationError as exc:
                outcomes[admin.full_name] = exc.problems
            finally:
                connection.close()

        threads = [
            threading.Thread(target=publish, args=(admin, reason))
            for admin, reason in zip(self.admins, reasons, strict=True)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return outcomes

    def test_it_numbers_two_simultaneous_publications_one_after_the_other(self):
        outcomes = self.race(["Koreksi satu", "Koreksi dua"])
        self.assertEqual(sorted(outcomes.values()), [1, 2], outcomes)
        self.assertEqual(
            list(Publication.objects.order_by("revision").values_list("revision", "is_current")),
            [(1, False), (2, True)],
        )
        self.assertEqual(PublishedResult.objects.count(), 6)

    def test_it_refuses_the_second_of_two_simultaneous_first_publications(self):
        outcomes = self.race(["", ""])
        refusal = ("Publikasi ulang (koreksi) wajib disertai alasan.",)
        self.assertCountEqual(outcomes.values(), [1, refusal], outcomes)
        self.assertEqual(Publication.objects.count(), 1)
        self.assertEqual(PublishedResult.objects.count(), 3)
