"""Importing loci (cycle × unit) from spreadsheets, and the cycle/locus admin pages."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import Assessment, AssessmentStatus
from evaluations.resources import LocusResource
from tests import factories as f
from tests.units.test_imports import csv_bytes, xlsx_bytes
from units.importing import ImportProblem, import_file
from units.models import AgencyKind

HEADERS = ["periode", "kode_unit"]


class LocusImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN, code="KEMENPANRB")
        cls.lamsel = f.make_agency(
            "Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, code="KAB-1801"
        )
        cls.cycle = f.make_cycle(year=2024, owner=cls.kemenpan, name="PEKPPP Nasional 2024")
        cls.units = [f.make_unit(cls.lamsel, f"Unit {i}") for i in range(3)]
        cls.codes = [u.code for u in cls.units]
        cls.root = f.make_user("root", is_staff=True, is_superuser=True)

    def loci(self):
        return set(Assessment.objects.values_list("cycle__name", "unit__code", "status"))

    def test_it_creates_loci_from_csv(self):
        rows = [["PEKPPP Nasional 2024", code] for code in self.codes]
        report = import_file(LocusResource, csv_bytes(HEADERS, rows), "csv")
        self.assertEqual((report.errors, report.new), ([], 3))
        self.assertEqual(
            self.loci(), {("PEKPPP Nasional 2024", c, AssessmentStatus.DRAFT) for c in self.codes}
        )

    def test_it_creates_loci_from_xlsx_with_the_cycle_by_name_in_any_case_or_by_id(self):
        rows = [["pekppp nasional 2024", self.codes[0]], [self.cycle.pk, self.codes[1]]]
        report = import_file(LocusResource, xlsx_bytes(HEADERS, rows), "xlsx")
        self.assertEqual((report.errors, report.new), ([], 2))
        self.assertEqual(
            self.loci(),
            {("PEKPPP Nasional 2024", c, AssessmentStatus.DRAFT) for c in self.codes[:2]},
        )

    def test_it_leaves_existing_loci_alone_on_reimport(self):
        existing = f.make_assessment(self.cycle, self.units[0])
        Assessment.objects.filter(pk=existing.pk).update(status=AssessmentStatus.SUBMITTED)
        rows = [["PEKPPP Nasional 2024", code] for code in self.codes]
        report = import_file(LocusResource, csv_bytes(HEADERS, rows), "csv")
        self.assertEqual((report.errors, report.new, report.skipped), ([], 2, 1))
        self.assertEqual(Assessment.objects.count(), 3)
        self.assertEqual(Assessment.objects.get(pk=existing.pk).status, AssessmentStatus.SUBMITTED)

    def test_it_rejects_an_unknown_unit_code_and_creates_nothing(self):
        rows = [["PEKPPP Nasional 2024", self.codes[0]], ["PEKPPP Nasional 2024", "UPP-TIDAK-ADA"]]
        report = import_file(LocusResource, csv_bytes(HEADERS, rows), "csv")
        self.assertEqual(
            report.errors, [ImportProblem(3, "kode_unit", "unit 'UPP-TIDAK-ADA' tidak ditemukan")]
        )
        self.assertFalse(Assessment.objects.exists())

    def test_it_rejects_unknown_cycles_inactive_units_and_duplicates(self):
        self.units[2].is_active = False
        self.units[2].save()
        rows = [
            ["PEKPPP 2099", self.codes[0]],
            ["PEKPPP Nasional 2024", self.codes[1]],
            ["PEKPPP Nasional 2024", self.codes[1]],
            ["PEKPPP Nasional 2024", self.codes[2]],
            ["", self.codes[0]],
        ]
        report = import_file(LocusResource, csv_bytes(HEADERS, rows), "csv")
        self.assertEqual(
            [str(p) for p in report.errors],
            [
                "Baris 2, kolom periode: periode 'PEKPPP 2099' tidak ditemukan",
                "Baris 4, kolom kode_unit: duplikat: data yang sama sudah ada di baris 3",
                f"Baris 5, kolom kode_unit: unit '{self.codes[2]}' tidak aktif",
                "Baris 6, kolom periode: wajib diisi",
            ],
        )
        self.assertFalse(Assessment.objects.exists())

    def test_it_rejects_a_cycle_name_shared_by_two_cycles(self):
        f.make_cycle(year=2024, owner=self.lamsel, name="PEKPPP Nasional 2024")
        report = import_file(
            LocusResource, csv_bytes(HEADERS, [["PEKPPP Nasional 2024", self.codes[0]]]), "csv"
        )
        self.assertEqual(
            [str(p) for p in report.errors],
            ["Baris 2, kolom periode: periode 'PEKPPP Nasional 2024' tidak unik (2 data cocok)"],
        )

    def test_it_does_not_query_per_row(self):
        agency = f.make_agency(code="KAB-1802")
        units = [f.make_unit(agency) for _ in range(250)]
        cycle = f.make_cycle(year=2025, owner=self.kemenpan, name="PEKPPP Nasional 2025")

        def data(chosen):
            return csv_bytes(HEADERS, [[cycle.name, u.code] for u in chosen])

        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(import_file(LocusResource, data(units[:50]), "csv").new, 50)
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.assertEqual(import_file(LocusResource, data(units[50:]), "csv").new, 200)

    def test_it_shows_the_row_error_on_the_admin_import_page(self):
        self.client.force_login(self.root)
        rows = [["PEKPPP Nasional 2024", self.codes[0]], ["PEKPPP Nasional 2024", "UPP-X"]]
        upload = SimpleUploadedFile("lokus.csv", csv_bytes(HEADERS, rows))
        response = self.client.post(
            reverse("admin:evaluations_assessment_import"),
            {"resource": "0", "format": "0", "import_file": upload},
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            [(r.number, r.error_dict) for r in response.context["result"].invalid_rows],
            [(3, {"kode_unit": ["Baris 3, kolom kode_unit: unit 'UPP-X' tidak ditemukan"]})],
        )
        self.assertContains(
            response, "Baris 3, kolom kode_unit: unit &#x27;UPP-X&#x27; tidak ditemukan"
        )
        self.assertFalse(Assessment.objects.exists())

    def test_it_imports_loci_through_the_admin_after_confirmation(self):
        self.client.force_login(self.root)
        upload = SimpleUploadedFile(
            "lokus.xlsx", xlsx_bytes(HEADERS, [["PEKPPP Nasional 2024", self.codes[0]]])
        )
        response = self.client.post(
            reverse("admin:evaluations_assessment_import"),
            {"resource": "0", "format": "1", "import_file": upload},
        )
        self.assertFalse(Assessment.objects.exists())
        response = self.client.post(
            reverse("admin:evaluations_assessment_process_import"),
            response.context["confirm_form"].initial,
        )
        self.assertRedirects(response, reverse("admin:evaluations_assessment_changelist"))
        self.assertEqual(
            self.loci(), {("PEKPPP Nasional 2024", self.codes[0], AssessmentStatus.DRAFT)}
        )

    def test_it_lists_loci_cycles_and_assignments_without_a_query_per_row(self):
        self.client.force_login(self.root)
        evaluator = f.make_user("evaluator")
        f.assign(f.make_assessment(self.cycle, self.units[0]), evaluator)
        pages = [
            "admin:evaluations_assessment_changelist",
            "admin:evaluations_cycle_changelist",
            "admin:evaluations_evaluatorassignment_changelist",
        ]
        counts = {}
        for page in pages:
            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse(page)).status_code, 200)
            counts[page] = len(ctx.captured_queries)
        for unit in self.units[1:]:
            cycle = f.make_cycle(year=2023, owner=self.kemenpan)
            f.assign(f.make_assessment(cycle, unit), evaluator)
        for page in pages:
            with self.subTest(page=page), self.assertNumQueries(counts[page]):
                self.client.get(reverse(page))
        response = self.client.get(
            reverse("admin:evaluations_assessment_change", args=[Assessment.objects.first().pk])
        )
        self.assertEqual(response.status_code, 200)
