"""Ranking selectors: ranks with ties, scopes, group summaries, year-over-year change."""

from decimal import Decimal

from django.test import TestCase
from django.utils import timezone

from evaluations.models import Scheme
from scoring.models import Result
from scoring.permissions import can_view_ranking
from scoring.selectors import rankings as selectors
from scoring.selectors.rankings import RankingFilters, RankingQuery
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import AgencyKind, RankingGroup
from units.permissions import roles_of

from .factories import make_ranked_units, make_result

D = Decimal


def ranks(page):
    return [(row.rank, row.unit, str(row.ipp)) for row in page.rows]


class RankingWorld(TestCase):
    """A Nasional 2024 cycle with K/L, provinsi and kab/kota units in two provinces."""

    @classmethod
    def setUpTestData(cls):
        cls.lampung = f.make_province("Lampung", "18")
        cls.jabar = f.make_province("Jawa Barat", "32")
        cls.instrument = f.make_instrument("UJI-PERINGKAT")
        cls.kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN)
        cls.kemenkes = f.make_agency("Kementerian Kesehatan", AgencyKind.KEMENTERIAN)
        cls.prov = f.make_agency("Pemerintah Provinsi Lampung", AgencyKind.PROVINSI, cls.lampung)
        cls.lamsel = f.make_agency("Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, cls.lampung)
        cls.bogor = f.make_agency("Kabupaten Bogor", AgencyKind.KABUPATEN, cls.jabar)
        cls.capil = f.make_service_type("disdukcapil", "Disdukcapil")
        cls.ptsp = f.make_service_type("dpmptsp", "DPMPTSP")
        cls.cycle = f.make_cycle(
            cls.instrument, year=2024, owner=cls.kemenpan, name="Nasional 2024"
        )
        cls.admin = f.make_user("admin-peringkat")
        f.grant(cls.admin, "ministry_admin")

    def add(self, agency, name, ipp, service_type=None, aspects=None, cycle=None):
        unit = f.make_unit(agency, name, service_type or self.capil)
        return make_result(f.make_assessment(cycle or self.cycle, unit), ipp, aspects=aspects)

    def page(self, number=1, **filters):
        return selectors.ranking_page(
            self.cycle, RankingFilters(**filters), page=number, viewer=self.admin
        )


class RankTest(RankingWorld):
    def setUp(self):
        self.add(self.kemenkes, "RSUP Kemenkes", "4.99", self.ptsp)
        self.add(self.lamsel, "Disdukcapil Lampung Selatan", "4.60")
        self.add(self.lamsel, "DPMPTSP Lampung Selatan", "4.20", self.ptsp)
        self.add(self.bogor, "Disdukcapil Bogor", "4.20")
        self.add(self.bogor, "DPMPTSP Bogor", "3.90", self.ptsp)
        self.add(self.prov, "DPMPTSP Provinsi Lampung", "4.20", self.ptsp)

    def test_it_ranks_ties_together_within_a_group(self):
        self.assertEqual(
            ranks(self.page(group=RankingGroup.KABKOTA)),
            [
                (1, "Disdukcapil Lampung Selatan", "4.60"),
                (2, "Disdukcapil Bogor", "4.20"),
                (2, "DPMPTSP Lampung Selatan", "4.20"),
                (4, "DPMPTSP Bogor", "3.90"),
            ],
        )

    def test_it_ranks_every_unit_of_the_cycle_without_a_filter(self):
        self.assertEqual(
            [(rank, name) for rank, name, _ in ranks(self.page())],
            [
                (1, "RSUP Kemenkes"),
                (2, "Disdukcapil Lampung Selatan"),
                (3, "Disdukcapil Bogor"),
                (3, "DPMPTSP Lampung Selatan"),
                (3, "DPMPTSP Provinsi Lampung"),
                (6, "DPMPTSP Bogor"),
            ],
        )

    def test_it_ranks_by_service_type(self):
        self.assertEqual(
            ranks(self.page(service_type_id=self.ptsp.pk)),
            [
                (1, "RSUP Kemenkes", "4.99"),
                (2, "DPMPTSP Lampung Selatan", "4.20"),
                (2, "DPMPTSP Provinsi Lampung", "4.20"),
                (4, "DPMPTSP Bogor", "3.90"),
            ],
        )

    def test_it_ranks_by_province(self):
        self.assertEqual(
            ranks(self.page(province_id=self.lampung.pk)),
            [
                (1, "Disdukcapil Lampung Selatan", "4.60"),
                (2, "DPMPTSP Lampung Selatan", "4.20"),
                (2, "DPMPTSP Provinsi Lampung", "4.20"),
            ],
        )
        self.assertEqual(
            ranks(self.page(province_id=self.jabar.pk, service_type_id=self.ptsp.pk)),
            [(1, "DPMPTSP Bogor", "3.90")],
        )

    def test_it_keeps_each_units_rank_in_its_scope_when_searching(self):
        page = self.page(group=RankingGroup.KABKOTA, search="bogor")
        self.assertEqual(
            ranks(page), [(2, "Disdukcapil Bogor", "4.20"), (4, "DPMPTSP Bogor", "3.90")]
        )
        self.assertEqual(page.count, 2)
        self.assertEqual(
            ranks(self.page(search="BOGOR", grade="B")), [(6, "DPMPTSP Bogor", "3.90")]
        )

    def test_it_searches_every_word_in_unit_agency_and_province_names(self):
        cases = [
            ("dukcapil lampung selatan", [(2, "Disdukcapil Lampung Selatan", "4.60")]),
            ("jawa barat", [(3, "Disdukcapil Bogor", "4.20"), (6, "DPMPTSP Bogor", "3.90")]),
            ("Kementerian Kesehatan", [(1, "RSUP Kemenkes", "4.99")]),
            ("ptsp kab. lampung", [(3, "DPMPTSP Lampung Selatan", "4.20")]),
            (
                "penanaman modal dan pelayanan terpadu satu pintu lampung",
                [(3, "DPMPTSP Lampung Selatan", "4.20"), (3, "DPMPTSP Provinsi Lampung", "4.20")],
            ),
            ("dinas kependudukan dan pencatatan sipil bogor", [(3, "Disdukcapil Bogor", "4.20")]),
            ("bogor lampung", []),
        ]
        for search, expected in cases:
            with self.subTest(search=search):
                page = self.page(search=search)
                self.assertEqual((ranks(page), page.count), (expected, len(expected)))

    def test_it_filters_by_grade_without_reranking(self):
        page = self.page(grade="A-")
        self.assertEqual([row.rank for row in page.rows], [3, 3, 3])
        self.assertEqual({row.grade_label for row in page.rows}, {"Sangat Baik"})

    def test_it_describes_each_row_for_display(self):
        row = self.page(search="Bogor", grade="B").rows[0]
        self.assertEqual(
            (row.unit, row.agency, row.service_type, row.province, row.group, row.ipp, row.grade),
            (
                "DPMPTSP Bogor",
                "Kabupaten Bogor",
                "DPMPTSP",
                "Jawa Barat",
                "Kabupaten/Kota",
                D("3.90"),
                "B",
            ),
        )
        kl = self.page(group=RankingGroup.KL).rows[0]
        self.assertEqual((kl.province, kl.group), ("", "Kementerian/Lembaga"))


class PagingTest(RankingWorld):
    def test_it_pages_fifty_rows_with_ranks_running_on(self):
        ipps = [D("5.00") - D("0.01") * i for i in range(120)]
        make_ranked_units(self.cycle, ipps, agency=self.lamsel, service_type=self.capil)
        first, third = self.page(1), self.page(3)
        self.assertEqual((first.count, first.pages, len(first.rows)), (120, 3, 50))
        self.assertEqual([r.rank for r in third.rows], list(range(101, 121)))
        self.assertEqual(
            (third.start, third.end, third.previous_number, third.next_number), (101, 120, 2, None)
        )
        self.assertEqual(third.rows[0].unit, "Unit 0101")

    def test_it_pages_through_ties_that_cross_page_boundaries(self):
        # 130 units in runs of 7 equal IPPs, created in an order unrelated to their names.
        ipps = [D("4.90") - D("0.10") * (i // 7) for i in range(130)]
        made = make_ranked_units(
            self.cycle, ipps[::-1], agency=self.lamsel, service_type=self.capil
        )
        made += make_ranked_units(
            self.cycle, ["2.30"] * 3, agency=self.bogor, service_type=self.capil, prefix="unit"
        )
        cases = [
            ({}, lambda r: True),
            ({"search": "1"}, lambda r: "1" in r.assessment.unit.name),
            ({"grade": "B-"}, lambda r: r.grade == "B-"),
            (
                {"search": "UNIT 00", "grade": "C-"},
                lambda r: "unit 00" in r.assessment.unit.name.lower() and r.grade == "C-",
            ),
        ]
        for filters, keep in cases:
            with self.subTest(**filters):
                expected = sorted(
                    (
                        (
                            1 + sum(other.ipp > r.ipp for other in made),
                            r.assessment.unit.name,
                            str(r.ipp),
                        )
                        for r in made
                        if keep(r)
                    ),
                    key=lambda row: (row[0], row[1].lower()),
                )
                first = self.page(1, **filters)
                shown = [
                    row
                    for number in range(1, first.pages + 1)
                    for row in ranks(self.page(number, **filters))
                ]
                self.assertEqual(shown, expected)
                self.assertEqual(first.count, len(expected))
                self.assertTrue(expected)

    def test_it_returns_no_rows_past_the_last_page(self):
        make_ranked_units(self.cycle, ["4.00"] * 3, agency=self.lamsel, service_type=self.capil)
        page = self.page(9999)
        self.assertEqual((page.rows, page.count, page.pages, page.out_of_range), ((), 3, 1, True))

    def test_it_reads_a_ranking_in_constant_queries(self):
        query = RankingQuery(group=RankingGroup.KABKOTA, search="unit", page=2)
        roles_of(self.admin)  # read once per request by the view's permission check
        for size in (120, 400):
            with self.subTest(units=size):
                made = make_ranked_units(
                    self.cycle,
                    ["4.00", "3.00"] * (size // 2),
                    agency=self.lamsel,
                    service_type=self.capil,
                )
                earlier = f.make_cycle(self.instrument, year=2023, owner=self.kemenpan)
                units = [r.assessment.unit for r in made]
                make_ranked_units(
                    earlier,
                    ["3.50"] * size,
                    agency=self.lamsel,
                    service_type=self.capil,
                    units=units,
                )
                # filter choices (3); positions and ranks, counts, rows, earlier IPPs;
                # aspects, groups and grades, aspect sums (cached: one query less)
                with self.assertNumQueries(10):
                    ranking = selectors.cycle_ranking(self.cycle, query, viewer=self.admin)
                with self.assertNumQueries(9):
                    selectors.cycle_ranking(self.cycle, query, viewer=self.admin)
                with self.assertNumQueries(7):
                    selectors.cycle_ranking(
                        self.cycle, query, viewer=self.admin, with_summary=False
                    )
                self.assertEqual(len(ranking.page.rows), 50)
                self.assertEqual(ranking.page.rows[0].previous_ipp, D("3.50"))

    def test_it_reports_unknown_filters_and_ignores_them(self):
        make_ranked_units(self.cycle, ["4.00"], agency=self.lamsel, service_type=self.capil)
        ranking = selectors.cycle_ranking(
            self.cycle,
            RankingQuery(group="xyz", service_type="samsat", province="99", grade="Z", page=5),
            viewer=self.admin,
        )
        self.assertEqual(ranking.filters, RankingFilters())
        self.assertEqual(len(ranking.problems), 5)
        self.assertIn("Kelompok “xyz” tidak dikenal", ranking.problems[0])
        self.assertIn("Halaman 5 tidak ada; hasil ini hanya 1 halaman.", ranking.problems[4])


class SummaryTest(RankingWorld):
    def summary(self):
        options = selectors.ranking_filter_options(self.cycle)
        return selectors.ranking_summary(self.cycle, options.grades)

    def test_it_averages_aspects_exactly_and_half_up(self):
        self.add(self.lamsel, "Unit 1", "4.79", aspects={"I": "4.79", "II": "4.48", "III": "4.00"})
        self.add(self.bogor, "Unit 2", "4.20", aspects={"I": "4.20", "II": "4.49", "III": "4.00"})
        self.add(self.bogor, "Unit 3", "4.00", aspects={"I": "4.00", "II": "4.00", "III": "4.01"})
        self.add(self.kemenkes, "Unit 4", "3.33", aspects={"I": "3.33"})
        s = self.summary()
        self.assertEqual([a.value for a in s.aspects], ["I", "II", "III", "IV", "V", "VI"])
        kl, kabkota = s.groups
        self.assertEqual((kl.group, kabkota.group), (RankingGroup.KL, RankingGroup.KABKOTA))
        # I: (4.79 + 4.20 + 4.00) / 3 = 4.33; II: 12.97 / 3 = 4.3233…; III: 12.01 / 3 = 4.0033…
        self.assertEqual(kabkota.aspects, (D("4.33"), D("4.32"), D("4.00"), None, None, None))
        self.assertEqual(kabkota.ipp, D("4.33"))
        self.assertEqual(kl.aspects, (D("3.33"), None, None, None, None, None))
        # All groups: I 16.32 / 4 = 4.08
        self.assertEqual(s.total.aspects[:3], (D("4.08"), D("4.32"), D("4.00")))
        self.assertEqual((s.total.units, s.total.label), (4, "Semua kelompok"))

    def test_it_rounds_an_average_ending_in_five_up(self):
        # (4.79 + 4.20) / 2 = 4.495 and (4.48 + 4.49) / 2 = 4.485: floats or half-even
        # rounding would show 4.49/4.48 for one of them.
        self.add(self.lamsel, "Unit 1", "4.79", aspects={"I": "4.79", "II": "4.48"})
        self.add(self.bogor, "Unit 2", "4.20", aspects={"I": "4.20", "II": "4.49"})
        group = self.summary().groups[0]
        self.assertEqual(group.aspects[:2], (D("4.50"), D("4.49")))
        self.assertEqual(group.ipp, D("4.50"))

    def test_it_counts_grades_per_group(self):
        make_ranked_units(
            self.cycle,
            ["4.60", "4.51", "4.50", "3.00", "0.90"],
            agency=self.lamsel,
            service_type=self.capil,
        )
        make_ranked_units(
            self.cycle, ["4.55", "3.60"], agency=self.kemenkes, service_type=self.ptsp
        )
        s = self.summary()
        self.assertEqual(
            [g.value for g in s.grades], ["A", "A-", "B", "B-", "C", "C-", "D", "E", "F"]
        )
        by_group = {g.group: g.grades for g in s.groups}
        self.assertEqual(by_group[RankingGroup.KABKOTA], (2, 1, 0, 0, 1, 0, 0, 0, 1))
        self.assertEqual(by_group[RankingGroup.KL], (1, 0, 1, 0, 0, 0, 0, 0, 0))
        self.assertEqual(s.total.grades, (3, 1, 1, 0, 1, 0, 0, 0, 1))
        self.assertEqual(
            [(g.label, g.units) for g in s.groups],
            [("Kementerian/Lembaga", 2), ("Kabupaten/Kota", 5)],
        )

    def test_it_recomputes_the_averages_when_results_change(self):
        first = self.add(self.lamsel, "Unit 1", "4.00", aspects={"I": "4.00"})
        grades = selectors.ranking_filter_options(self.cycle).grades
        with self.assertNumQueries(3):
            self.assertEqual(
                selectors.ranking_summary(self.cycle, grades).total.aspects[0], D("4.00")
            )
        with self.assertNumQueries(2):  # aspect sums from the cache
            self.assertEqual(
                selectors.ranking_summary(self.cycle, grades).total.aspects[0], D("4.00")
            )
        self.add(self.bogor, "Unit 2", "3.00", aspects={"I": "3.01"})
        self.assertEqual(self.summary().total.aspects[0], D("3.51"))  # 7.01 / 2 = 3.505
        # A recompute rewrites a row in place and stamps it.
        Result.objects.filter(pk=first.pk).update(aspects={"I": "5.00"}, computed_at=timezone.now())
        self.assertEqual(self.summary().total.aspects[0], D("4.01"))  # 8.01 / 2 = 4.005
        Result.objects.filter(pk=first.pk).delete()
        self.assertEqual(self.summary().total.aspects[0], D("3.01"))

    def test_it_summarises_an_empty_cycle_as_nothing(self):
        s = self.summary()
        self.assertEqual((s.groups, s.total), ((), None))


class YearOverYearTest(RankingWorld):
    def test_it_shows_the_change_since_the_most_recent_earlier_year(self):
        older = f.make_cycle(self.instrument, year=2022, owner=self.kemenpan, name="Nasional 2022")
        previous = f.make_cycle(
            self.instrument, year=2023, owner=self.kemenpan, name="Nasional 2023"
        )
        same_year = f.make_cycle(
            self.instrument, year=2024, owner=self.kemenpan, name="Nasional 2024 susulan"
        )
        mandiri = f.make_cycle(
            self.instrument, year=2023, scheme=Scheme.MANDIRI, owner=self.kemenpan
        )
        now = make_ranked_units(
            self.cycle,
            ["4.35", "4.20", "4.00", "3.80", "3.50"],
            agency=self.lamsel,
            service_type=self.capil,
        )
        units = [r.assessment.unit for r in now]
        make_ranked_units(
            older, ["1.00"] * 5, agency=self.lamsel, service_type=self.capil, units=units
        )
        make_ranked_units(
            previous,
            ["4.10", "4.50", "4.00"],
            agency=self.lamsel,
            service_type=self.capil,
            units=units[:3],
        )
        make_ranked_units(
            same_year, ["2.00"] * 5, agency=self.lamsel, service_type=self.capil, units=units
        )
        make_ranked_units(
            mandiri, ["2.00"] * 5, agency=self.lamsel, service_type=self.capil, units=units
        )
        rows = self.page().rows
        self.assertEqual(
            [(r.unit, r.previous_ipp, r.previous_year, r.change, r.trend) for r in rows],
            [
                ("Unit 0001", D("4.10"), 2023, D("0.25"), "up"),
                ("Unit 0002", D("4.50"), 2023, D("-0.30"), "down"),
                ("Unit 0003", D("4.00"), 2023, D("0.00"), "same"),
                ("Unit 0004", D("1.00"), 2022, D("2.80"), "up"),  # not in 2023: 2022
                ("Unit 0005", D("1.00"), 2022, D("2.50"), "up"),
            ],
        )
        self.assertEqual([str(r.change) for r in rows[:3]], ["0.25", "-0.30", "0.00"])

    def test_it_leaves_the_change_empty_for_a_unit_first_evaluated_now(self):
        self.add(self.lamsel, "Unit baru", "4.00")
        row = self.page().rows[0]
        self.assertEqual(
            (row.previous_ipp, row.previous_year, row.change, row.trend), (None, None, None, "")
        )

    def test_it_compares_only_with_cycles_the_viewer_may_see(self):
        coordinator = f.make_user(agency=self.lamsel)
        f.grant(coordinator, "coordinator", agency=self.lamsel)
        mine = f.make_cycle(self.instrument, year=2024, scheme=Scheme.MANDIRI, owner=self.lamsel)
        theirs = f.make_cycle(self.instrument, year=2023, scheme=Scheme.MANDIRI, owner=self.prov)
        own_earlier = f.make_cycle(
            self.instrument, year=2022, scheme=Scheme.MANDIRI, owner=self.lamsel
        )
        now = make_ranked_units(mine, ["4.00"], agency=self.lamsel, service_type=self.capil)
        units = [now[0].assessment.unit]
        make_ranked_units(
            theirs, ["3.00"], agency=self.lamsel, service_type=self.capil, units=units
        )
        make_ranked_units(
            own_earlier, ["3.50"], agency=self.lamsel, service_type=self.capil, units=units
        )
        as_coordinator = selectors.ranking_page(mine, RankingFilters(), viewer=coordinator).rows[0]
        self.assertEqual(
            (as_coordinator.previous_ipp, as_coordinator.previous_year), (D("3.50"), 2022)
        )
        as_admin = selectors.ranking_page(mine, RankingFilters(), viewer=self.admin).rows[0]
        self.assertEqual((as_admin.previous_ipp, as_admin.previous_year), (D("3.00"), 2023))


class RankingVisibilityTest(PersonaTestCase):
    def test_it_lets_admins_and_the_owner_agencys_coordinators_and_leaders_see_a_ranking(self):
        pemprov_leader = f.make_user(agency=self.pemprov)
        f.grant(pemprov_leader, "leadership", agency=self.pemprov)
        expected = {
            "admin": {self.cycle, self.mandiri},
            "coordinator": {self.mandiri},
            "pemprov_leader": {self.mandiri},
            "evaluator": set(),
            "operator": set(),
            "leader": set(),  # Lampung Selatan owns neither cycle
            "outsider": set(),
        }
        people = self.personas() | {"pemprov_leader": pemprov_leader}
        for result_of in (self.assessment, self.mandiri_assessment):
            make_result(result_of, "4.00")
        for name, user in people.items():
            with self.subTest(persona=name):
                self.assertEqual(
                    {c for c in (self.cycle, self.mandiri) if can_view_ranking(user, c)},
                    expected[name],
                )
                self.assertEqual(set(selectors.ranking_cycles_visible_to(user)), expected[name])

    def test_it_lists_only_cycles_with_results(self):
        make_result(self.mandiri_assessment, "4.00")
        make_result(self.assessment, "3.00")
        make_result(self.other_assessment, "3.50")
        cycles = {c: c.ranked for c in selectors.ranking_cycles_visible_to(self.admin)}
        self.assertEqual(cycles, {self.cycle: 2, self.mandiri: 1})
        empty = f.make_cycle(self.instrument, year=2025, owner=self.kemenpan)
        self.assertNotIn(empty, selectors.ranking_cycles_visible_to(self.admin))
