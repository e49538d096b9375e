"""Master data for a real country: the shipped provinces, the province import, and
Indonesia's regencies/cities and kecamatan imported at real size (command and admin)."""

import io
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse

from bench.country import AGENCY_COLUMNS, UNIT_COLUMNS, district_rows, regency_rows
from tests import factories as f
from tests.units.test_imports import csv_bytes, write_temp, xlsx_bytes
from units.importing import import_file
from units.models import Agency, AgencyKind, Province, ServiceUnit
from units.provinces import PROVINCES, provinces_upsert
from units.resources import AgencyResource, ProvinceResource
from units.services import province_upsert

PROVINCE_COLUMNS = ["kode", "nama"]


def stored_provinces() -> list[tuple[str, str]]:
    return list(Province.objects.order_by("code").values_list("code", "name"))


class ShippedProvincesTests(TestCase):
    def test_the_migration_ships_the_38_provinces_with_their_official_codes(self):
        stored = stored_provinces()
        self.assertEqual(len(stored), 38)
        self.assertEqual(stored, list(PROVINCES))
        self.assertEqual(stored[0], ("11", "Aceh"))
        self.assertIn(("34", "Daerah Istimewa Yogyakarta"), stored)
        self.assertIn(("65", "Kalimantan Utara"), stored)
        self.assertEqual(stored[-5:], [
            ("92", "Papua Barat"),
            ("93", "Papua Selatan"),
            ("94", "Papua Tengah"),
            ("95", "Papua Pegunungan"),
            ("96", "Papua Barat Daya"),
        ])  # fmt: skip

    def test_it_is_idempotent_with_the_demo_and_with_itself(self):
        lampung = Province.objects.get(code="18")
        self.assertEqual(province_upsert(code="18", name="Lampung"), lampung)
        self.assertEqual(provinces_upsert(Province), 0)
        self.assertEqual(stored_provinces(), list(PROVINCES))

    def test_it_adopts_provinces_typed_in_by_hand_and_keeps_their_agencies(self):
        Province.objects.filter(code__in=["11", "31", "32", "51"]).delete()
        Province.objects.filter(code="18").update(name="Prov. Lampung")
        aceh = Province.objects.create(code="AC", name="ACEH")  # its name under another code
        agency = f.make_agency("Pemerintah Kabupaten Aceh Besar", AgencyKind.KABUPATEN, aceh)
        Province.objects.create(code="31", name="Jawa Barat")  # a swapped pair
        Province.objects.create(code="32", name="DKI Jakarta")
        Province.objects.create(code="BL", name="Bali")  # a duplicate of 51 …
        Province.objects.create(code="51", name="Pulau Bali")  # … which exists by code
        self.assertEqual(provinces_upsert(Province), 6)
        self.assertEqual(stored_provinces(), sorted([*PROVINCES, ("BL", "Bali (kode BL)")]))
        agency.refresh_from_db()
        self.assertEqual((agency.province.pk, agency.province.code), (aceh.pk, "11"))
        self.assertEqual(provinces_upsert(Province), 0)


class ProvinceImportTests(TestCase):
    def test_it_renames_and_adds_provinces_by_code(self):
        rows = [["31", "Daerah Khusus Jakarta"], ["97", "Provinsi Contoh"], ["18", "Lampung"]]
        report = import_file(ProvinceResource, csv_bytes(PROVINCE_COLUMNS, rows), "csv")
        self.assertEqual((report.errors, report.new, report.updated, report.skipped), ([], 1, 1, 1))
        self.assertEqual(Province.objects.get(code="31").name, "Daerah Khusus Jakarta")
        self.assertEqual(Province.objects.get(code="97").name, "Provinsi Contoh")
        self.assertEqual(Province.objects.count(), 39)

    def test_it_reads_number_cells_and_exports_what_it_imports(self):
        rows = [[31, "Daerah Khusus Jakarta"]]
        report = import_file(ProvinceResource, xlsx_bytes(PROVINCE_COLUMNS, rows), "xlsx")
        self.assertEqual((report.errors, report.updated), ([], 1))
        exported = ProvinceResource().export().csv.splitlines()
        self.assertEqual(exported[0], "kode,nama")
        self.assertEqual(len(exported), 39)
        self.assertIn("31,Daerah Khusus Jakarta", exported)

    def test_it_reports_every_bad_row_and_imports_nothing(self):
        rows = [
            ["1", "Provinsi Satu Angka"],
            ["ab", "Provinsi Huruf"],
            ["97", "Lampung"],  # the name of 18
            ["98", "Provinsi Contoh"],
            ["99", "provinsi contoh"],  # the same name again
            ["", "Tanpa Kode"],
            ["33", ""],
            ["34", "x" * 101],
        ]
        report = import_file(ProvinceResource, csv_bytes(PROVINCE_COLUMNS, rows), "csv")
        self.assertEqual(
            [str(p) for p in report.errors],
            [
                "Baris 2, kolom kode: '1' bukan kode provinsi: 2 angka, mis. 18",
                "Baris 3, kolom kode: 'ab' bukan kode provinsi: 2 angka, mis. 18",
                "Baris 7, kolom kode: wajib diisi",
                "Baris 8, kolom nama: wajib diisi",
                "Baris 9, kolom nama: terlalu panjang: 101 karakter, maksimum 100",
                "Baris 4, kolom nama: 'Lampung' sudah dipakai provinsi kode 18",
                "Baris 6, kolom nama: duplikat: nama yang sama ada di baris 5",
            ],
        )
        self.assertEqual(stored_provinces(), list(PROVINCES))

    def test_the_command_imports_provinces(self):
        path = write_temp(self, csv_bytes(PROVINCE_COLUMNS, [["97", "Provinsi Contoh"]]), ".csv")
        out = io.StringIO()
        call_command("import_units", path, "--jenis", "provinsi", stdout=out)
        self.assertEqual(
            out.getvalue(), f"{path}: 1 baris — 1 baru, 0 diperbarui, 0 tidak berubah.\n"
        )
        self.assertTrue(Province.objects.filter(code="97", name="Provinsi Contoh").exists())

    def test_the_admin_imports_provinces_after_the_preview(self):
        self.client.force_login(f.make_user("root", is_staff=True, is_superuser=True))
        upload = SimpleUploadedFile(
            "provinsi.xlsx", xlsx_bytes(PROVINCE_COLUMNS, [["97", "Provinsi Contoh"]])
        )
        response = self.client.post(
            reverse("admin:units_province_import"),
            {"resource": "0", "format": "1", "import_file": upload},
        )
        self.assertEqual(response.context["result"].totals["new"], 1)
        self.assertFalse(Province.objects.filter(code="97").exists())  # a preview
        response = self.client.post(
            reverse("admin:units_province_process_import"),
            response.context["confirm_form"].initial,
        )
        self.assertRedirects(response, reverse("admin:units_province_changelist"))
        self.assertTrue(Province.objects.filter(code="97", name="Provinsi Contoh").exists())


class AgencyProvinceCodeTests(TestCase):
    def test_a_regional_agency_may_name_every_province_by_code(self):
        rows = [[f"PROV-{code}", f"Pemerintah Provinsi {name}", "provinsi", code]
                for code, name in PROVINCES]  # fmt: skip
        report = import_file(AgencyResource, csv_bytes(AGENCY_COLUMNS, rows), "csv")
        self.assertEqual((report.errors, report.new), ([], 38))
        self.assertEqual(
            sorted(Agency.objects.values_list("code", "province__code")),
            [(f"PROV-{code}", code) for code, _ in PROVINCES],
        )

    def test_a_name_where_the_code_belongs_is_answered_with_the_code(self):
        rows = [["11.01", "Pemerintah Kabupaten Aceh Selatan", "kabupaten", "aceh"]]
        report = import_file(AgencyResource, csv_bytes(AGENCY_COLUMNS, rows), "csv")
        self.assertEqual(
            [str(p) for p in report.errors],
            ["Baris 2, kolom kode_provinsi: provinsi 'aceh' tidak ditemukan: isi kodenya, 11, "
             "bukan nama"],
        )  # fmt: skip

    def test_a_code_in_a_fractional_number_cell_is_refused(self):
        # Excel shows 11.10 typed in a number cell as 11.1: the code is lost already.
        rows = [
            [11.1, "Pemerintah Kabupaten Aceh Tengah", "kabupaten", 11],
            [11.0, "X", "kota", 11],
        ]
        report = import_file(AgencyResource, xlsx_bytes(AGENCY_COLUMNS, rows), "xlsx")
        self.assertEqual(
            [str(p) for p in report.errors],
            ["Baris 2, kolom kode: kode 11.1 ada di sel berformat angka, yang menghapus nol di "
             "belakang (18.10 menjadi 18.1); format kolom sebagai Teks lalu ketik ulang"],
        )  # fmt: skip
        self.assertFalse(Agency.objects.exists())


class RealSizeImportTests(TestCase):
    """514 regencies/cities and 7,300 kecamatan: the size of Indonesia. The command takes
    the whole country; the admin (a preview that renders every row, then the import again)
    all regencies and a tenth of the kecamatan, to keep the suite quick.
    bench/import_units.py --country times both at full size, CSV and XLSX."""

    @classmethod
    def setUpTestData(cls):
        f.make_service_type("kecamatan", "Kecamatan")
        cls.agencies = regency_rows()
        cls.units = district_rows(cls.agencies)

    def test_the_command_imports_the_country(self):
        agencies = write_temp(self, csv_bytes(AGENCY_COLUMNS, self.agencies), ".csv")
        units = write_temp(self, csv_bytes(UNIT_COLUMNS, self.units), ".csv")
        out = io.StringIO()
        started = time.process_time()
        call_command("import_units", agencies, "--jenis", "instansi", stdout=out)
        call_command("import_units", units, stdout=out)
        seconds = time.process_time() - started
        self.assertEqual(
            out.getvalue().splitlines(),
            [
                f"{agencies}: 514 baris — 514 baru, 0 diperbarui, 0 tidak berubah.",
                f"{units}: 7300 baris — 7300 baru, 0 diperbarui, 0 tidak berubah.",
            ],
        )
        self.assertEqual(Agency.objects.filter(kind=AgencyKind.KABUPATEN).count(), 416)
        self.assertEqual(Agency.objects.filter(kind=AgencyKind.KOTA).count(), 98)
        self.assertEqual(
            Agency.objects.filter(province__isnull=False).values("province").distinct().count(), 38
        )
        self.assertEqual(ServiceUnit.objects.count(), 7300)
        self.assertEqual(
            ServiceUnit.objects.filter(agency__code="18.01").count(), 15
        )  # 7,300 over 514: 14 or 15 each
        print(f"\n  import_units 514 agencies + 7,300 units: {seconds:.1f} s of CPU")

    def test_the_admin_imports_the_country(self):
        self.client.force_login(f.make_user("root", is_staff=True, is_superuser=True))
        timings = []
        units = self.units[:730]
        for model, upload, rows in (
            ("agency", xlsx_bytes(AGENCY_COLUMNS, self.agencies), self.agencies),
            ("serviceunit", csv_bytes(UNIT_COLUMNS, units), units),
        ):
            fmt = "1" if model == "agency" else "0"
            started = time.process_time()
            response = self.client.post(
                reverse(f"admin:units_{model}_import"),
                {"resource": "0", "format": fmt, "import_file": SimpleUploadedFile("f", upload)},
            )
            self.assertEqual(response.context["result"].totals["new"], len(rows))
            response = self.client.post(
                reverse(f"admin:units_{model}_process_import"),
                response.context["confirm_form"].initial,
            )
            self.assertRedirects(response, reverse(f"admin:units_{model}_changelist"))
            timings.append(time.process_time() - started)
        self.assertEqual((Agency.objects.count(), ServiceUnit.objects.count()), (514, 730))
        print(f"\n  admin import (preview + confirm): agencies {timings[0]:.1f} s, "
              f"730 units {timings[1]:.1f} s of CPU")  # fmt: skip
