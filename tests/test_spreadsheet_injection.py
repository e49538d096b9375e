"""Formula injection: names that look like formulas go through every spreadsheet the portal
writes (the ranked report, the open data files and each admin export, in XLSX and CSV) and come
out as text."""

import csv
import io

from django.contrib import admin
from django.forms import BooleanField
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook

from reports.models import DocumentKind
from tests import factories as f
from tests.reports.doc_factories import build, scored
from units.importing import SpreadsheetImportExportAdmin, import_file
from units.models import AgencyKind, Role, ServiceUnit
from units.resources import ServiceUnitResource

HYPERLINK = '=HYPERLINK("http://evil.example","x")'
PLUS = "+1+1"
MINUS = "-2+3"
AT = "@SUM(A1)"
ERROR = "#N/A"  # not a formula, but openpyxl makes it an error cell
FORMULAE = (HYPERLINK, PLUS, MINUS, AT)
CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def xlsx_cells(content: bytes) -> list:
    book = load_workbook(io.BytesIO(content))
    return [c for sheet in book.worksheets for r in sheet.iter_rows() for c in r]


def csv_fields(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [field for r in csv.reader(io.StringIO(text)) for field in r]


class InjectionWorld(TestCase):
    @classmethod
    def setUpTestData(cls):
        province = f.make_province(AT, "99")
        cls.agency = f.make_agency(HYPERLINK, AgencyKind.KABUPATEN, province, code="EVIL-1")
        service_type = f.make_service_type("evil", MINUS)
        cls.cycle = f.make_cycle(f.make_instrument("INJ-1"), year=2023, name=AT)
        cls.unit = f.make_unit(cls.agency, PLUS, service_type)
        ServiceUnit.objects.filter(pk=cls.unit.pk).update(address=MINUS)
        cls.other = f.make_unit(cls.agency, ERROR, service_type)
        scored(cls.cycle, cls.agency, "", "4.10", unit=cls.unit)
        scored(cls.cycle, cls.agency, "", "3.20", unit=cls.other)
        cls.operator = f.make_user(MINUS, full_name=HYPERLINK, email="evil@example.test", nip=AT)
        f.grant(cls.operator, Role.UNIT_OPERATOR, unit=cls.unit)
        cls.superuser = f.make_user("root", is_staff=True, is_superuser=True)

    def assert_text_cells(self, cells) -> None:
        """Every formula-like name and the error code are string cells; no cell is a formula
        or an error."""
        for text in (*FORMULAE, ERROR):
            with self.subTest(text=text):
                found = [c for c in cells if c.value == text]
                self.assertTrue(found)
                self.assertEqual({c.data_type for c in found}, {"s"})
        self.assertFalse([c.coordinate for c in cells if c.data_type in ("f", "e")])


class RankedReportTest(InjectionWorld):
    def test_it_stores_every_name_as_text(self):
        publication = f.publish(self.cycle)
        _built, content, _calls = build(
            DocumentKind.RANKED_REPORT_XLSX, cycle=self.cycle, publication=publication
        )
        # Cycle, unit, agency, province and service type names; an error code as well.
        self.assert_text_cells(xlsx_cells(content))


class OpenDataFilesTest(InjectionWorld):
    """The published revision's CSV and XLSX files (unit, agency, province and service type
    names are copied into the publication)."""

    def download(self, fmt: str) -> bytes:
        publication = f.publish(self.cycle)
        url = reverse(f"public:data_{fmt}", args=[self.cycle.pk, publication.revision])
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200)
        return response.content

    def test_it_stores_every_name_as_text_in_xlsx(self):
        self.assert_text_cells(xlsx_cells(self.download("xlsx")))

    def test_it_neutralises_formula_characters_in_csv(self):
        fields = csv_fields(self.download("csv"))
        for text in FORMULAE:
            with self.subTest(text=text):
                self.assertIn("'" + text, fields)
        self.assertFalse([v for v in fields if v.startswith(CSV_TRIGGERS)])


class AdminExportTest(InjectionWorld):
    # Which user text each export carries.
    EXPECTED = {
        "units.province": {AT},
        "units.agency": {HYPERLINK},
        "units.serviceunit": {PLUS, MINUS, ERROR},
        "units.roleassignment": {MINUS, HYPERLINK, AT},
        "evaluations.assessment": {AT},
    }

    def setUp(self):
        self.client.force_login(self.superuser)

    def export(self, model, fmt: str) -> bytes:
        """Export every row with every column through the admin's export page."""
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_export")
        form = self.client.get(url).context["form"]
        formats = {label.lower(): value for value, label in form.fields["format"].choices}
        data = {"format": formats[fmt], "resource": "0"}
        data |= {n: "on" for n, field in form.fields.items() if isinstance(field, BooleanField)}
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        return response.content

    def exports(self):
        models = [
            model
            for model, model_admin in admin.site._registry.items()
            if isinstance(model_admin, SpreadsheetImportExportAdmin)
        ]
        self.assertEqual({m._meta.label_lower for m in models}, set(self.EXPECTED))
        return models

    def test_it_exports_names_as_string_cells_in_xlsx(self):
        for model in self.exports():
            cells = xlsx_cells(self.export(model, "xlsx"))
            for text in self.EXPECTED[model._meta.label_lower]:
                with self.subTest(model=model._meta.label, text=text):
                    found = [c for c in cells if c.value == text]
                    self.assertTrue(found)
                    self.assertEqual({c.data_type for c in found}, {"s"})
            with self.subTest(model=model._meta.label):
                self.assertFalse([c.coordinate for c in cells if c.data_type in ("f", "e")])

    def test_it_neutralises_formula_characters_in_csv(self):
        for model in self.exports():
            fields = csv_fields(self.export(model, "csv"))
            for text in self.EXPECTED[model._meta.label_lower] - {ERROR}:
                with self.subTest(model=model._meta.label, text=text):
                    self.assertIn("'" + text, fields)
            with self.subTest(model=model._meta.label):
                self.assertFalse([v for v in fields if v.startswith(CSV_TRIGGERS)])

    def test_it_imports_its_own_export_unchanged(self):
        for fmt in ("csv", "xlsx"):
            with self.subTest(fmt=fmt):
                report = import_file(
                    ServiceUnitResource, self.export(ServiceUnit, fmt), fmt, dry_run=True
                )
                self.assertEqual(report.errors, [])
                self.assertEqual((report.new, report.updated, report.skipped), (0, 0, 2))
        self.unit.refresh_from_db()
        self.assertEqual((self.unit.name, self.unit.address), (PLUS, MINUS))
