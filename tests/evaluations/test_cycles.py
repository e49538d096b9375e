"""Cycle set-up in the portal: opening and editing cycles, picking, removing and importing loci."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Assessment, AssessmentStatus, Cycle, Phase, PhaseWindow, Scheme
from evaluations.services.cycles import cycle_create, loci_add, loci_remove
from evaluations.services.workflow import WorkflowError
from tests import factories as f
from tests.base import PersonaTestCase
from tests.units.test_imports import csv_bytes, xlsx_bytes
from units.models import AgencyKind

from .cycles_factories import (
    private_cache,
    save_answer,
    save_score,
    window_post_data,
    windows,
)


def url(name, *args):
    return reverse(f"evaluations:{name}", args=args)


class CycleCreateTests(PersonaTestCase):
    def post_data(self, **overrides):
        data = {
            "name": "PEKPPP Nasional 2025",
            "year": "2025",
            "scheme": Scheme.NASIONAL,
            "instrument": str(self.instrument.pk),
            "owner_agency": str(self.kemenpan.pk),
            "survey_weight": "",
            "min_respondents": "",
            **window_post_data(windows()),
        }
        data.update(overrides)
        return data

    def test_it_lets_an_admin_open_a_nasional_cycle_with_six_windows(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("cycle_create"), self.post_data(survey_weight="0.300", min_respondents="12")
        )
        cycle = Cycle.objects.get(name="PEKPPP Nasional 2025")
        self.assertRedirects(response, url("cycle_detail", cycle.pk))
        self.assertEqual(
            (cycle.year, cycle.scheme, cycle.instrument, cycle.owner_agency),
            (2025, Scheme.NASIONAL, self.instrument, self.kemenpan),
        )
        self.assertEqual((cycle.survey_weight, cycle.min_respondents), (Decimal("0.300"), 12))
        self.assertEqual(
            {w.phase: (w.starts_on, w.ends_on) for w in cycle.windows.all()}, windows()
        )
        self.assertEqual(cycle.windows.count(), 6)

    def test_it_lets_a_coordinator_open_a_mandiri_cycle_for_their_agency(self):
        self.client.force_login(self.coordinator)
        response = self.client.post(
            url("cycle_create"),
            self.post_data(
                name="Mandiri Lampung 2025",
                scheme=Scheme.MANDIRI,
                owner_agency=str(self.pemprov.pk),
            ),
        )
        cycle = Cycle.objects.get(name="Mandiri Lampung 2025")
        self.assertRedirects(response, url("cycle_detail", cycle.pk))
        self.assertEqual((cycle.scheme, cycle.owner_agency), (Scheme.MANDIRI, self.pemprov))
        self.assertEqual(cycle.windows.count(), 6)

    def test_it_refuses_a_coordinator_a_cycle_of_another_agency_or_a_nasional_one(self):
        self.client.force_login(self.coordinator)
        before = Cycle.objects.count()
        foreign = self.client.post(
            url("cycle_create"),
            self.post_data(scheme=Scheme.MANDIRI, owner_agency=str(self.lamsel.pk)),
        )
        self.assertEqual(foreign.status_code, 200)
        self.assertIn("owner_agency", foreign.context["form"].errors)
        nasional = self.client.post(
            url("cycle_create"), self.post_data(owner_agency=str(self.pemprov.pk))
        )
        self.assertEqual(nasional.status_code, 200)
        self.assertIn("scheme", nasional.context["form"].errors)
        for scheme, owner in [(Scheme.MANDIRI, self.lamsel), (Scheme.NASIONAL, self.pemprov)]:
            with self.subTest(scheme=scheme), self.assertRaises(PermissionDenied):
                cycle_create(
                    by=self.coordinator,
                    year=2025,
                    scheme=scheme,
                    name="X",
                    instrument=self.instrument,
                    owner_agency=owner,
                    windows=windows(),
                )
        self.assertEqual(Cycle.objects.count(), before)

    def test_it_reports_a_window_that_ends_before_it_starts_on_that_phase(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("cycle_create"),
            self.post_data(evaluation_starts_on="2025-05-10", evaluation_ends_on="2025-05-01"),
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["evaluation_ends_on"],
            [
                "Jadwal tahap Evaluasi (F-02): tanggal mulai (10-05-2025) tidak boleh setelah "
                "tanggal selesai (01-05-2025)."
            ],
        )
        self.assertContains(response, "Jadwal tahap Evaluasi (F-02): tanggal mulai")
        self.assertFalse(Cycle.objects.filter(name="PEKPPP Nasional 2025").exists())
        bad = {**windows(), Phase.SURVEY: (dt.date(2025, 3, 2), dt.date(2025, 3, 1))}
        with self.assertRaises(ValidationError) as raised:
            cycle_create(
                by=self.admin,
                year=2025,
                scheme=Scheme.NASIONAL,
                name="Y",
                instrument=self.instrument,
                owner_agency=self.kemenpan,
                windows=bad,
            )
        self.assertIn("Survei pengguna layanan (F-03)", raised.exception.message_dict["windows"][0])
        self.assertFalse(Cycle.objects.filter(name="Y").exists())

    def test_it_reports_a_name_already_used_on_the_name_field(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("cycle_create"), self.post_data(name="pekppp nasional 2024", year="2024")
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("sudah ada", response.context["form"].errors["name"][0])
        self.assertEqual(Cycle.objects.filter(year=2024, scheme=Scheme.NASIONAL).count(), 1)

    def test_it_answers_garbage_with_field_errors_not_a_crash(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("cycle_create"),
            {
                "name": "",
                "year": "abc",
                "scheme": "x",
                "instrument": "999999",
                "survey_weight": "2",
                "self_assessment_starts_on": "31-31-2025",
            },
        )
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        for field in (
            "name",
            "year",
            "scheme",
            "instrument",
            "owner_agency",
            "survey_weight",
            "self_assessment_starts_on",
            "publication_ends_on",
        ):
            self.assertIn(field, errors)

    def test_it_edits_name_overrides_and_windows(self):
        self.client.force_login(self.coordinator)
        new = windows(dt.date(2026, 1, 5))
        response = self.client.post(
            url("cycle_edit", self.mandiri.pk),
            {
                "name": "Mandiri Lampung 2024 (revisi)",
                "survey_weight": "0.2",
                "min_respondents": "",
                **window_post_data(new),
            },
        )
        self.assertRedirects(response, url("cycle_detail", self.mandiri.pk))
        self.mandiri.refresh_from_db()
        self.assertEqual(
            (self.mandiri.name, self.mandiri.survey_weight, self.mandiri.min_respondents),
            ("Mandiri Lampung 2024 (revisi)", Decimal("0.200"), None),
        )
        self.assertEqual(
            {w.phase: (w.starts_on, w.ends_on) for w in self.mandiri.windows.all()}, new
        )

    def test_it_shows_the_edit_form_filled_in(self):
        self.client.force_login(self.admin)
        response = self.client.get(url("cycle_edit", self.cycle.pk))
        self.assertContains(response, 'value="2024-03-01"')
        self.assertContains(response, 'value="PEKPPP Nasional 2024"')
        self.assertNotIn("owner_agency", response.context["form"].fields)


class CyclePermissionTests(PersonaTestCase):
    """Each cycle page, each persona: 302 anonymous, 404 cannot see, 403 cannot change."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # A Khusus cycle the Pemprov coordinator can see (their agency) but not run.
        cls.khusus = f.make_cycle(
            cls.instrument, scheme=Scheme.KHUSUS, owner=cls.pemprov, name="PEKPPP Khusus Lampung"
        )

    def pages(self, cycle):
        return {
            "cycle_detail": url("cycle_detail", cycle.pk),
            "cycle_edit": url("cycle_edit", cycle.pk),
            "loci_pick": url("loci_pick", cycle.pk),
            "loci_import": url("loci_import", cycle.pk),
            "assignment_form": url("assignment_form", cycle.pk),
            "workload": url("workload", cycle.pk),
        }

    def test_it_sends_anonymous_people_to_log_in(self):
        for path in [url("cycle_list"), url("cycle_create"), *self.pages(self.cycle).values()]:
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertRedirects(
                    response, f"/masuk/?next={path}", fetch_redirect_response=False
                )

    def test_it_gives_each_persona_the_status_of_the_table(self):
        view_only = {"cycle_detail", "workload"}
        table = []
        for name in ("evaluator", "operator", "leader", "outsider"):
            table += [(name, url("cycle_list"), 403), (name, url("cycle_create"), 403)]
            for cycle in (self.cycle, self.mandiri, self.khusus):
                table += [(name, p, 404) for p in self.pages(cycle).values()]
        for name in ("admin", "coordinator"):
            table += [(name, url("cycle_list"), 200), (name, url("cycle_create"), 200)]
        table += [
            ("admin", p, 200)
            for c in (self.cycle, self.mandiri, self.khusus)
            for p in self.pages(c).values()
        ]
        table += [("coordinator", p, 404) for p in self.pages(self.cycle).values()]
        table += [("coordinator", p, 200) for p in self.pages(self.mandiri).values()]
        table += [
            ("coordinator", p, 200 if page in view_only else 403)
            for page, p in self.pages(self.khusus).items()
        ]
        for name, path, expected in table:
            self.client.force_login(self.personas()[name])
            with self.subTest(persona=name, path=path):
                self.assertEqual(self.client.get(path).status_code, expected)

    def test_it_lists_only_the_cycles_a_person_may_open(self):
        self.client.force_login(self.coordinator)
        response = self.client.get(url("cycle_list"))
        self.assertEqual(
            [c.name for c, _ in response.context["rows"]],
            ["PEKPPP Khusus Lampung", "PEKPPP Mandiri Lampung 2024"],
        )
        self.assertEqual([m for _, m in response.context["rows"]], [False, True])


@private_cache
class CycleDetailQueryTests(PersonaTestCase):
    def fill(self, cycle, count, evaluators):
        agency = f.make_agency(kind=AgencyKind.KABUPATEN, province=self.province)
        for _ in range(count):
            locus = f.make_assessment(cycle, f.make_unit(agency))
            for j, person in enumerate(evaluators):
                f.assign(locus, person, lead=j == 0)

    def test_it_shows_loci_teams_and_statuses_in_constant_queries(self):
        people = [
            f.make_evaluator(agency=self.kemenpan, full_name=f"Evaluator {i}") for i in range(3)
        ]
        small = f.make_cycle(self.instrument, owner=self.kemenpan, name="Kecil")
        big = f.make_cycle(self.instrument, owner=self.kemenpan, name="Besar")
        self.fill(small, 20, people[:2])
        self.fill(big, 200, people)
        self.client.force_login(self.admin)
        for name in ("cycle_detail", "assignment_form"):
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(url(name, small.pk))
            self.assertEqual(len(response.context["loci"].object_list), 20)
            with self.subTest(page=name), self.assertNumQueries(len(ctx.captured_queries)):
                response = self.client.get(url(name, big.pk))
            self.assertEqual(len(response.context["loci"].object_list), 100)
        self.assertContains(response, "Evaluator 0 (ketua)")

    def test_it_searches_loci_by_every_word_of_unit_agency_and_province(self):
        self.client.force_login(self.admin)
        cases = [
            ("dukcapil lampung selatan", ["Disdukcapil Kabupaten Lampung Selatan"]),
            (
                "Dinas Kependudukan dan Pencatatan Sipil Lampung",
                ["Disdukcapil Kabupaten Lampung Selatan", "Disdukcapil Kabupaten Tanggamus"],
            ),
            ("pemerintah tanggamus", ["Disdukcapil Kabupaten Tanggamus"]),
            ("kab. tanggamus", ["Disdukcapil Kabupaten Tanggamus"]),
            ("tanggamus selatan", []),
        ]
        for search, units in cases:
            with self.subTest(search=search):
                response = self.client.get(url("cycle_detail", self.cycle.pk), {"q": search})
                self.assertEqual([a.unit.name for a in response.context["loci"]], units)

    def test_it_counts_loci_per_status_and_without_a_team(self):
        self.client.force_login(self.admin)
        Assessment.objects.filter(pk=self.other_assessment.pk).update(
            status=AssessmentStatus.SUBMITTED
        )
        summary = self.client.get(url("cycle_detail", self.cycle.pk)).context["summary"]
        self.assertEqual((summary.total, summary.unassigned), (2, 1))
        self.assertEqual(
            {s.status: s.count for s in summary.by_status if s.count},
            {AssessmentStatus.DRAFT: 1, AssessmentStatus.SUBMITTED: 1},
        )


class LociTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.new_units = [f.make_unit(cls.lamsel, f"Puskesmas {i}") for i in range(3)]
        cls.prov_units = [f.make_unit(cls.pemprov, f"RSUD Provinsi {i}") for i in range(2)]
        cls.indicator = cls.instrument.indicators.get(number=1)

    def test_it_adds_picked_units_as_draft_loci(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("loci_pick", self.cycle.pk),
            {"action": "tambah", "units": [u.pk for u in self.new_units[:2]]},
        )
        self.assertRedirects(response, url("loci_pick", self.cycle.pk))
        self.assertEqual(
            set(self.cycle.assessments.values_list("unit__name", "status")),
            {
                ("Disdukcapil Kabupaten Lampung Selatan", "draft"),
                ("Disdukcapil Kabupaten Tanggamus", "draft"),
                ("Puskesmas 0", "draft"),
                ("Puskesmas 1", "draft"),
            },
        )

    def test_it_adds_only_the_owner_agencys_units_to_a_mandiri_cycle(self):
        with self.assertRaises(WorkflowError) as raised:
            loci_add(
                cycle=self.mandiri,
                units=[self.prov_units[0], self.new_units[0]],
                by=self.coordinator,
            )
        self.assertEqual(
            raised.exception.problems,
            (
                "Periode Mandiri hanya untuk unit milik Pemerintah Provinsi Lampung; unit berikut "
                "bukan milik instansi tersebut: Puskesmas 0.",
            ),
        )
        self.assertEqual(self.mandiri.assessments.count(), 1)
        self.client.force_login(self.coordinator)
        page = self.client.get(url("loci_pick", self.mandiri.pk))
        self.assertEqual(
            {u.name for u in page.context["units"]}, {"RSUD Provinsi 0", "RSUD Provinsi 1"}
        )
        self.client.post(
            url("loci_pick", self.mandiri.pk), {"action": "tambah", "units": [self.new_units[0].pk]}
        )
        self.assertEqual(self.mandiri.assessments.count(), 1)
        added = loci_add(cycle=self.mandiri, units=self.prov_units, by=self.coordinator)
        self.assertEqual(len(added), 2)

    def test_it_refuses_people_who_do_not_run_the_cycle(self):
        with self.assertRaises(PermissionDenied):
            loci_add(cycle=self.cycle, units=self.new_units, by=self.coordinator)
        with self.assertRaises(PermissionDenied):
            loci_remove(cycle=self.cycle, assessments=[self.other_assessment], by=self.evaluator)
        self.assertEqual(self.cycle.assessments.count(), 2)

    def test_it_removes_an_empty_draft_locus(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            url("loci_pick", self.cycle.pk), {"action": "hapus", "loci": [self.other_assessment.pk]}
        )
        self.assertRedirects(response, url("cycle_detail", self.cycle.pk))
        self.assertEqual(list(self.cycle.assessments.all()), [self.assessment])

    def test_it_refuses_to_remove_a_locus_with_saved_work_naming_the_unit(self):
        locus = self.other_assessment
        person = f.make_evaluator(agency=self.kemenpan)
        cases = [
            ("jawaban F-01", lambda: save_answer(locus, self.indicator, self.operator)),
            ("bukti dukung", lambda: f.add_evidence(locus, self.indicator, self.operator)),
            ("nilai F-02", lambda: save_score(f.assign(locus, person), self.indicator)),
        ]
        for saved, make in cases:
            with self.subTest(saved=saved):
                make()
                with self.assertRaises(WorkflowError) as raised:
                    loci_remove(cycle=self.cycle, assessments=[locus], by=self.admin)
                self.assertIn(
                    "Disdukcapil Kabupaten Tanggamus tidak dapat dihapus dari lokus "
                    "karena sudah ada ",
                    raised.exception.problems[0],
                )
                self.assertIn(saved, raised.exception.problems[0])
                self.assertTrue(Assessment.objects.filter(pk=locus.pk).exists())

    def test_it_refuses_to_remove_a_submitted_locus_and_removes_none_of_the_others(self):
        Assessment.objects.filter(pk=self.assessment.pk).update(status=AssessmentStatus.SUBMITTED)
        self.client.force_login(self.admin)
        response = self.client.post(
            url("loci_pick", self.cycle.pk),
            {"action": "hapus", "loci": [self.assessment.pk, self.other_assessment.pk]},
            follow=True,
        )
        self.assertContains(
            response,
            "Disdukcapil Kabupaten Lampung Selatan tidak dapat dihapus dari lokus karena "
            "statusnya “Diajukan”.",
        )
        self.assertEqual(self.cycle.assessments.count(), 2)

    def test_it_filters_candidate_units_and_reports_a_bad_filter(self):
        self.client.force_login(self.admin)
        other_type = f.make_service_type("rsud", "RSUD")
        f.make_unit(self.tanggamus, "RSUD Tanggamus", other_type)
        cases = [
            ({"q": "puskesmas"}, {"Puskesmas 0", "Puskesmas 1", "Puskesmas 2"}),
            (
                {"agency": self.pemprov.pk},
                {"RSUD Provinsi 0", "RSUD Provinsi 1", "DPMPTSP Provinsi Lampung"},
            ),
            ({"service_type": other_type.pk}, {"RSUD Tanggamus"}),
            ({"province": self.province.pk, "q": "tanggamus"}, {"RSUD Tanggamus"}),
            ({"q": "rumah sakit umum daerah tanggamus"}, {"RSUD Tanggamus"}),
            (
                {"q": "pusat kesehatan masyarakat lampung selatan"},
                {f"Puskesmas {i}" for i in range(3)},
            ),
            ({"q": "rsud pemerintah provinsi"}, {"RSUD Provinsi 0", "RSUD Provinsi 1"}),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response = self.client.get(url("loci_pick", self.cycle.pk), params)
                self.assertEqual({u.name for u in response.context["units"]}, expected)
        response = self.client.get(
            url("loci_pick", self.cycle.pk), {"agency": "x", "halaman": "abc"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("agency", response.context["filters"].errors)

    @private_cache
    def test_it_lists_candidate_units_in_constant_queries(self):
        self.client.force_login(self.admin)
        small = f.make_cycle(self.instrument, owner=self.kemenpan, name="Kecil")
        agency = f.make_agency(kind=AgencyKind.KOTA, province=self.province)
        for _ in range(15):
            f.make_unit(agency)
        for _ in range(20):
            f.make_assessment(small, f.make_unit(agency))
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(url("loci_pick", small.pk), {"agency": agency.pk})
        self.assertEqual(len(response.context["units"].object_list), 15)
        for _ in range(185):
            f.make_unit(agency)
        for _ in range(180):
            f.make_assessment(small, f.make_unit(agency))
        with self.assertNumQueries(len(ctx.captured_queries)):
            response = self.client.get(url("loci_pick", small.pk), {"agency": agency.pk})
        self.assertEqual(response.context["units"].paginator.count, 200)
        self.assertEqual(len(response.context["units"].object_list), 50)


class LociImportPageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.new_units = [f.make_unit(cls.lamsel, f"Puskesmas {i}") for i in range(3)]

    def upload(self, cycle, name, content):
        return self.client.post(
            url("loci_import", cycle.pk), {"file": SimpleUploadedFile(name, content)}
        )

    def test_it_imports_a_good_file_and_shows_the_counts(self):
        self.client.force_login(self.admin)
        rows = [[u.code] for u in self.new_units] + [[self.unit.code]]
        response = self.upload(self.cycle, "lokus.csv", csv_bytes(["kode_unit"], rows))
        report = response.context["report"]
        self.assertEqual((report.errors, report.new, report.skipped), ([], 3, 1))
        self.assertContains(response, "3 lokus baru ditambahkan, 1 sudah ada (dilewati)")
        self.assertEqual(self.cycle.assessments.count(), 5)

    def test_it_accepts_a_periode_column_naming_this_cycle_in_xlsx(self):
        self.client.force_login(self.admin)
        rows = [
            ["pekppp nasional 2024", self.new_units[0].code],
            ["", self.new_units[1].code],
            [self.cycle.pk, self.new_units[2].code],
        ]
        response = self.upload(self.cycle, "lokus.xlsx", xlsx_bytes(["periode", "kode_unit"], rows))
        self.assertEqual(response.context["report"].new, 3)

    def test_it_shows_row_and_column_errors_and_imports_nothing(self):
        self.client.force_login(self.admin)
        rows = [
            ["PEKPPP Nasional 2024", self.new_units[0].code],
            ["PEKPPP Mandiri Lampung 2024", self.new_units[1].code],
            ["", "UPP-TIDAK-ADA"],
        ]
        response = self.upload(self.cycle, "lokus.csv", csv_bytes(["periode", "kode_unit"], rows))
        self.assertEqual(
            [str(p) for p in response.context["report"].errors],
            [
                "Baris 3, kolom periode: periode 'PEKPPP Mandiri Lampung 2024' bukan periode ini "
                "(PEKPPP Nasional 2024); kosongkan sel ini atau hapus kolom periode",
                "Baris 4, kolom kode_unit: unit 'UPP-TIDAK-ADA' tidak ditemukan",
            ],
        )
        self.assertContains(response, "2 kesalahan; tidak ada lokus yang diimpor.")
        self.assertContains(response, '<td class="num">4</td><td>kode_unit</td>', html=False)
        self.assertEqual(self.cycle.assessments.count(), 2)

    def test_it_refuses_units_of_other_agencies_in_a_mandiri_cycle(self):
        self.client.force_login(self.coordinator)
        prov = f.make_unit(self.pemprov, "RSUD Provinsi")
        rows = [[prov.code], [self.new_units[0].code]]
        response = self.upload(self.mandiri, "lokus.csv", csv_bytes(["kode_unit"], rows))
        self.assertEqual(
            [str(p) for p in response.context["report"].errors],
            [
                f"Baris 3, kolom kode_unit: unit '{self.new_units[0].code}' bukan milik Pemerintah "
                "Provinsi Lampung; periode Mandiri hanya untuk unit instansi penyelenggara"
            ],
        )
        self.assertEqual(self.mandiri.assessments.count(), 1)

    def test_it_refuses_a_file_that_is_not_csv_or_xlsx(self):
        self.client.force_login(self.admin)
        response = self.upload(self.cycle, "lokus.pdf", b"%PDF-1.4")
        self.assertEqual(response.status_code, 200)
        self.assertIn("file", response.context["form"].errors)
        response = self.upload(self.cycle, "lokus.xlsx", b"not a zip")
        self.assertFalse(response.context["report"].ok)
        self.assertEqual(self.cycle.assessments.count(), 2)


class CycleWindowsEditTests(PersonaTestCase):
    def test_it_keeps_windows_in_phase_order_on_the_detail_page(self):
        self.client.force_login(self.admin)
        # Publication opened first: the page still lists phases in their own order.
        PhaseWindow.objects.filter(cycle=self.cycle, phase=Phase.PUBLICATION).update(
            starts_on=dt.date(2024, 1, 1)
        )
        response = self.client.get(url("cycle_detail", self.cycle.pk))
        self.assertEqual([w.phase for w in response.context["windows"]], Phase.values)
