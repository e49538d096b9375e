"""The leadership's dashboard (scoring.selectors.leadership) on the home page, and their
agency's published results under the ranking menu."""

import datetime as dt
from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from evaluations.models import Assessment, AssessmentStatus, FollowUpItem, FollowUpStatus, Indicator
from scoring.models import PriorityBasis, PriorityUnit, Result
from scoring.selectors.leadership import leadership_dashboard
from tests import factories as f
from units.models import AgencyKind, Role

from .factories import make_result

D = Decimal


def levels(**low: int) -> dict[str, int]:
    """Level 4 on the 30 scored indicators, except those given as i<number>=level."""
    given = {int(k[1:]): v for k, v in low.items()}
    return {str(n): given.get(n, 4) for n in range(1, 31)}


def scored(cycle, unit, ipp: str, aspects: tuple[str, ...] | None = None, **low: int) -> Result:
    """A locus of `unit` in `cycle` with a result (its final levels in `inputs`)."""
    result = make_result(
        f.make_assessment(cycle, unit), ipp, aspects=f.aspects(*aspects) if aspects else None
    )
    Result.objects.filter(pk=result.pk).update(inputs={"levels": levels(**low)})
    return result


def build_leadership_world(w) -> None:
    """Set on `w` (a test class or case): Kabupaten Lampung Selatan, the leader's, with two
    units; Tanggamus with one.

    | unit        | 2022 (published) | 2023 (published)        | 2024 (final, unpublished) |
    | Disdukcapil | 3.50             | 4.20, ind. 6: 1, 14: 2  | 4.60                      |
    | RSUD        | —                | 3.60, 6: 2, 14: 2, 20: 1 | moderated, not final     |
    | Tanggamus   | 3.00             | 2.80                    | —                         |
    """
    province = f.make_province("Lampung", "18")
    kemen = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN)
    w.lamsel = f.make_agency("Pemerintah Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, province)
    w.lamsel.head_title = "Bupati Lampung Selatan"
    w.lamsel.save()
    tanggamus = f.make_agency("Pemerintah Kabupaten Tanggamus", AgencyKind.KABUPATEN, province)
    instrument = f.make_instrument("PIMPINAN-UJI")
    w.c2022, w.c2023, w.c2024 = (
        f.make_cycle(instrument, year=y, owner=kemen, name=f"PEKPPP Nasional {y}")
        for y in (2022, 2023, 2024)
    )
    w.dukcapil = f.make_unit(w.lamsel, "Disdukcapil Lampung Selatan")
    w.rsud = f.make_unit(w.lamsel, "RSUD Kalianda", f.make_service_type("rsud", "RSUD"))
    w.other = f.make_unit(tanggamus, "Disdukcapil Tanggamus")

    scored(w.c2022, w.dukcapil, "3.50")
    scored(w.c2022, w.other, "3.00")
    publisher = f.make_publisher()
    f.publish(w.c2022, publisher)
    w.duk2023 = scored(
        w.c2023,
        w.dukcapil,
        "4.20",
        ("4.40", "4.00", "4.20", "4.10", "4.30", "4.20"),
        i6=1,
        i14=2,
    )
    scored(w.c2023, w.rsud, "3.60", ("3.60",) * 6, i6=2, i14=2, i20=1)
    scored(w.c2023, w.other, "2.80")
    f.publish(w.c2023, publisher)
    scored(w.c2024, w.dukcapil, "4.60")
    scored(w.c2024, w.rsud, "3.90")
    Assessment.objects.filter(cycle=w.c2024, unit=w.dukcapil).update(status=AssessmentStatus.FINAL)
    Assessment.objects.filter(cycle=w.c2024, unit=w.rsud).update(status=AssessmentStatus.MODERATED)
    # Follow-up of 2023: two items of the Disdukcapil, one done and one overdue.
    for number, status, days in (
        (6, FollowUpStatus.DONE, -5),
        (14, FollowUpStatus.IN_PROGRESS, -1),
    ):
        FollowUpItem.objects.create(
            assessment=w.duk2023.assessment,
            unit=w.dukcapil,
            indicator=Indicator.objects.get(instrument=instrument, number=number),
            level=1,
            recommendation="Lakukan SKM",
            target_date=dt.date.today() + dt.timedelta(days=days),
            status=status,
        )
    PriorityUnit.objects.create(
        cycle=w.c2023,
        unit=w.rsud,
        basis=PriorityBasis.MANUAL,
        note="uji",
        confirmed_at=timezone.now(),
        confirmed_by=publisher,
    )
    w.leader = f.make_user("pimpinan", agency=w.lamsel, full_name="Pimpinan Lamsel")
    f.grant(w.leader, Role.LEADERSHIP, agency=w.lamsel)


class LeadershipWorld(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_leadership_world(cls)


class DashboardSelectorTest(LeadershipWorld):
    def test_it_shows_the_newest_final_cycle_without_ranks_before_publication(self):
        board = leadership_dashboard({self.lamsel.pk})
        self.assertEqual(
            [(c.name, c.published) for c in board.cycles],
            [
                ("PEKPPP Nasional 2024", False),
                ("PEKPPP Nasional 2023", True),
                ("PEKPPP Nasional 2022", True),
            ],
        )
        self.assertEqual(board.cycle.name, "PEKPPP Nasional 2024")
        self.assertEqual(
            board.agencies, (("Pemerintah Kabupaten Lampung Selatan", "Bupati Lampung Selatan"),)
        )
        # The RSUD is moderated, not final: not shown yet.
        [unit] = board.units
        self.assertEqual(
            (unit.unit, unit.ipp, unit.grade, unit.rank, unit.rank_national),
            ("Disdukcapil Lampung Selatan", D("4.60"), "A", None, None),
        )
        self.assertEqual(
            (unit.previous_ipp, unit.previous_year, unit.change, unit.trend),
            (D("4.20"), 2023, D("0.40"), "up"),
        )
        self.assertIsNone(board.national_ipp)
        self.assertEqual({a.national for a in board.aspects}, {None})
        self.assertEqual(board.aspects[0].agency, D("4.60"))
        self.assertEqual(board.problems, ())

    def test_it_shows_a_published_cycle_with_ranks_and_national_averages(self):
        board = leadership_dashboard({self.lamsel.pk}, cycle=str(self.c2023.pk))
        self.assertTrue(board.cycle.published)
        self.assertEqual(
            [
                (u.unit, u.ipp, u.rank, u.group_count, u.rank_national, u.national_count, u.trend)
                for u in board.units
            ],
            [
                ("Disdukcapil Lampung Selatan", D("4.20"), 1, 3, 1, 3, "up"),
                ("RSUD Kalianda", D("3.60"), 2, 3, 2, 3, ""),
            ],
        )
        self.assertEqual(board.units[0].change, D("0.70"))
        self.assertEqual((board.ipp, board.national_ipp), (D("3.90"), D("3.53")))
        first = board.aspects[0]
        # Agency (4.40 + 3.60) / 2; national (4.40 + 3.60 + 2.80) / 3.
        self.assertEqual(
            (first.code, first.agency, first.national, first.difference),
            ("I", D("4.00"), D("3.60"), D("0.40")),
        )
        self.assertEqual(
            [(w.number, w.average, w.weak, w.units) for w in board.weakest],
            [
                (6, D("1.50"), 2, 2),
                (14, D("2.00"), 2, 2),
                (20, D("2.50"), 1, 2),
                (1, D("4.00"), 0, 2),
                (2, D("4.00"), 0, 2),
            ],
        )
        self.assertEqual(board.weakest[0].title, "Indikator 6")
        followup = board.followup
        self.assertEqual((followup.total, followup.done, followup.overdue), (2, 1, 1))
        self.assertEqual(followup.percent, D("50.0"))
        self.assertEqual(board.units[0].followup.done, 1)
        self.assertEqual(
            [(p.cycle, p.unit) for p in board.priority], [("PEKPPP Nasional 2023", "RSUD Kalianda")]
        )

    def test_it_says_so_when_the_cycle_asked_for_is_not_offered(self):
        for value in ("abc", "9999999", "1\x00", str(self.c2022.pk) * 40):
            with self.subTest(value=value):
                board = leadership_dashboard({self.lamsel.pk}, cycle=value)
                self.assertEqual(board.cycle.name, "PEKPPP Nasional 2024")
                self.assertEqual(len(board.problems), 1)

    def test_it_shows_nothing_of_an_agency_without_results(self):
        empty = f.make_agency("Pemerintah Kabupaten Pesawaran", AgencyKind.KABUPATEN)
        board = leadership_dashboard({empty.pk})
        self.assertIsNone(board.cycle)
        self.assertEqual((board.units, board.cycles, board.priority), ((), (), ()))


class DashboardPageTest(LeadershipWorld):
    def setUp(self):
        self.client.force_login(self.leader)

    def test_the_leaders_home_shows_the_dashboard(self):
        response = self.client.get("/")
        self.assertContains(response, 'id="dasbor"')
        self.assertContains(response, "Bupati Lampung Selatan")
        self.assertContains(response, "Final, belum dipublikasikan")
        self.assertContains(response, "setelah publikasi")
        self.assertContains(response, "<strong>4,60</strong>", html=False)
        self.assertContains(response, "dari 4,20 (2023)")
        self.assertNotContains(response, "Disdukcapil Tanggamus")

        response = self.client.get("/", {"periode": self.c2023.pk})
        self.assertContains(response, '<span class="status status-final">Dipublikasikan</span>')
        self.assertContains(response, "1 dari 3")
        self.assertContains(response, "nasional 2 dari 3")
        self.assertContains(response, "1 dari 2 selesai")
        self.assertContains(response, "rata-rata tingkat 1,50")
        self.assertContains(
            response, f'href="/periode/{self.c2023.pk}/prioritas/{self.rsud.pk}/pendampingan/"'
        )
        self.assertContains(response, f'href="?periode={self.c2023.pk}#dasbor" aria-current="page"')

    def test_it_reports_a_bad_cycle_on_the_page(self):
        response = self.client.get("/", {"periode": "x" * 5000})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Periode yang diminta tidak ada di dasbor ini")

    def test_it_follows_the_language(self):
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.client.get("/", {"periode": self.c2023.pk})
        self.assertContains(response, "<strong>4.20</strong>", html=False)
        self.assertContains(response, "Weakest indicators")

    def test_it_reads_in_constant_queries(self):
        # user, roles, dashboard (agencies, cycles, priority, publication, rows, earlier
        # results, follow-up, aspects, indicators), the loci list, the bell
        with self.assertNumQueries(13):
            self.client.get("/", {"periode": self.c2023.pk})
        for i in range(12):
            unit = f.make_unit(self.lamsel, f"Unit tambahan {i}")
            scored(self.c2024, unit, "3.10", i5=i % 5)
        Assessment.objects.filter(cycle=self.c2024).update(status=AssessmentStatus.FINAL)
        with self.assertNumQueries(12):  # unpublished: no publication to read
            response = self.client.get("/")
        self.assertContains(response, "Unit tambahan 11")


class RankingMenuTest(LeadershipWorld):
    def test_a_leader_sees_the_agencys_published_results(self):
        self.client.force_login(self.leader)
        with self.assertNumQueries(5):  # user, roles, cycles to rank, published rows, bell
            response = self.client.get("/peringkat/")
        self.assertNotContains(response, "Belum ada peringkat yang dapat Anda lihat")
        html = response.content.decode()
        # Newest cycle first, best rank first; other agencies' units are not listed.
        self.assertLess(html.index("PEKPPP Nasional 2023"), html.index("PEKPPP Nasional 2022"))
        self.assertEqual(html.count(f'href="/hasil/unit/{self.dukcapil.pk}/"'), 2)
        self.assertEqual(html.count(f'href="/hasil/unit/{self.rsud.pk}/"'), 1)
        self.assertNotIn("Disdukcapil Tanggamus", html)
        self.assertNotIn("PEKPPP Nasional 2024", html)
        self.assertIn(f'href="/hasil/{self.c2023.pk}/peringkat/"', html)

    def test_an_evaluator_still_has_nothing_to_see(self):
        evaluator = f.make_evaluator("evaluator-x")
        self.client.force_login(evaluator)
        response = self.client.get("/peringkat/")
        self.assertContains(response, "Belum ada peringkat yang dapat Anda lihat")
        self.assertNotContains(response, "agency-published")

    def test_the_leader_may_use_the_simulator(self):
        self.client.force_login(self.leader)
        response = self.client.get("/simulasi/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'href="/simulasi/"')
