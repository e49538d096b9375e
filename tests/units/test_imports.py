"""Spreadsheet imports of agencies, service units and people/roles (service, command, admin)."""

import csv
import io
import tempfile
from pathlib import Path

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from units.importing import ImportProblem, import_file
from units.models import Agency, AgencyKind, Role, RoleAssignment, ServiceUnit, User
from units.resources import AgencyResource, PersonRoleResource, ServiceUnitResource

UNIT_HEADERS = ["kode", "nama", "kode_instansi", "jenis_layanan", "ruang_lingkup", "alamat"]
AGENCY_HEADERS = ["kode", "nama", "jenis", "kode_provinsi"]
PEOPLE_HEADERS = [
    "username",
    "nama_lengkap",
    "email",
    "nip",
    "kode_instansi_asal",
    "peran",
    "kode_instansi",
    "kode_unit",
]
NIP = "198501012010011001"


def csv_bytes(headers, rows, delimiter=",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def unit_rows(count, start=0, agency="KAB-1801"):
    return [
        [f"UPP-{i:04d}", f"Unit {i}", agency, "disdukcapil", "administratif", f"Jl. {i}"]
        for i in range(start, start + count)
    ]


class ImportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.province = f.make_province("Lampung", "18")
        cls.lamsel = f.make_agency(
            "Kabupaten Lampung Selatan", AgencyKind.KABUPATEN, cls.province, code="KAB-1801"
        )
        cls.pemprov = f.make_agency(
            "Provinsi Lampung", AgencyKind.PROVINSI, cls.province, code="PROV-18"
        )
        cls.dukcapil = f.make_service_type("disdukcapil", "Disdukcapil")
        cls.dpmptsp = f.make_service_type("dpmptsp", "DPMPTSP")


class AgencyImportTests(ImportTestCase):
    rows = [
        ["KAB-1802", "Pemerintah Kabupaten Lampung Timur", "Pemerintah Kabupaten", "18"],
        ["KEMENKES", "Kementerian Kesehatan", "kementerian", ""],
    ]

    def assert_imported(self):
        east = Agency.objects.get(code="KAB-1802")
        self.assertEqual(
            (east.name, east.kind, east.province, east.ranking_group),
            ("Pemerintah Kabupaten Lampung Timur", "kabupaten", self.province, "kabkota"),
        )
        health = Agency.objects.get(code="KEMENKES")
        self.assertEqual(
            (health.kind, health.province, health.ranking_group), ("kementerian", None, "kl")
        )

    def test_it_imports_agencies_from_csv(self):
        report = import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, self.rows), "csv")
        self.assertEqual((report.errors, report.new, report.updated), ([], 2, 0))
        self.assert_imported()

    def test_it_imports_agencies_from_xlsx(self):
        rows = [[*self.rows[0][:3], 18], [*self.rows[1][:3], None]]  # a number cell, an empty cell
        report = import_file(AgencyResource, xlsx_bytes(AGENCY_HEADERS, rows), "xlsx")
        self.assertEqual((report.errors, report.new), ([], 2))
        self.assert_imported()

    def test_it_updates_agencies_on_reimport(self):
        import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, self.rows), "csv")
        rows = [["KAB-1802", "Kabupaten Lampung Timur", "kabupaten", "18"], self.rows[1]]
        report = import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, rows), "csv")
        self.assertEqual((report.new, report.updated, report.skipped), (0, 1, 1))
        self.assertEqual(Agency.objects.filter(code__in=["KAB-1802", "KEMENKES"]).count(), 2)
        self.assertEqual(Agency.objects.get(code="KAB-1802").name, "Kabupaten Lampung Timur")

    def test_it_accepts_choice_values_and_labels_in_any_case(self):
        kinds = [
            "Kabupaten",
            "kabupaten",
            "Pemerintah Kabupaten",
            "PEMERINTAH KOTA",
            "pemprov",
            " Lembaga ",
        ]
        rows = [[f"AG-{i}", f"Instansi {i}", kind, "18"] for i, kind in enumerate(kinds)]
        report = import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, rows), "csv")
        self.assertEqual(report.errors, [])
        self.assertEqual(
            list(
                Agency.objects.filter(code__startswith="AG-")
                .order_by("code")
                .values_list("kind", flat=True)
            ),
            ["kabupaten", "kabupaten", "kabupaten", "kota", "provinsi", "lembaga"],
        )

    def test_it_requires_a_province_for_regional_agencies(self):
        rows = [self.rows[1], ["KOTA-1871", "Pemerintah Kota Bandar Lampung", "kota", ""]]
        report = import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, rows), "csv")
        self.assertEqual(
            report.errors,
            [ImportProblem(3, "kode_provinsi", "wajib diisi untuk jenis Pemerintah Kota")],
        )
        self.assertFalse(Agency.objects.filter(code__in=["KEMENKES", "KOTA-1871"]).exists())

    def test_it_rejects_an_unknown_kind_and_province(self):
        rows = [["AG-1", "Instansi", "kabupatn", "99"]]
        report = import_file(AgencyResource, csv_bytes(AGENCY_HEADERS, rows), "csv")
        self.assertEqual(
            [str(p) for p in report.errors],
            [
                "Baris 2, kolom jenis: nilai 'kabupatn' tidak dikenal; isi salah satu: "
                "kementerian, lembaga, provinsi, kabupaten, kota, polri, bumn",
                "Baris 2, kolom kode_provinsi: provinsi '99' tidak ditemukan",
            ],
        )


class UnitImportTests(ImportTestCase):
    def test_it_imports_units_from_csv(self):
        rows = [
            [
                "UPP-1",
                "Disdukcapil Lampung Selatan",
                "KAB-1801",
                "disdukcapil",
                "Administratif",
                "Jl. Kesuma 1",
            ],
            ["UPP-2", "DPMPTSP Provinsi Lampung", "PROV-18", "DPMPTSP", "jasa", ""],
        ]
        report = import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, rows), "csv")
        self.assertEqual((report.errors, report.total_rows, report.new), ([], 2, 2))
        self.assertEqual(
            list(
                ServiceUnit.objects.order_by("code").values_list(
                    "code",
                    "name",
                    "agency__code",
                    "service_type__code",
                    "scope",
                    "address",
                    "is_active",
                )
            ),
            [
                (
                    "UPP-1",
                    "Disdukcapil Lampung Selatan",
                    "KAB-1801",
                    "disdukcapil",
                    "administratif",
                    "Jl. Kesuma 1",
                    True,
                ),
                ("UPP-2", "DPMPTSP Provinsi Lampung", "PROV-18", "dpmptsp", "jasa", "", True),
            ],
        )

    def test_it_imports_units_from_xlsx(self):
        rows = [[1801001, "Disdukcapil", "KAB-1801", "disdukcapil", "Barang", None]]
        report = import_file(ServiceUnitResource, xlsx_bytes(UNIT_HEADERS, rows), "xlsx")
        self.assertEqual((report.errors, report.new), ([], 1))
        unit = ServiceUnit.objects.get()
        self.assertEqual(
            (unit.code, unit.scope, unit.address, unit.agency),
            ("1801001", "barang", "", self.lamsel),
        )

    def test_it_updates_units_on_reimport_instead_of_duplicating(self):
        import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(3)), "csv")
        rows = unit_rows(3)
        rows[1] = ["UPP-0001", "Unit Satu Baru", "PROV-18", "dpmptsp", "jasa", "Jl. Baru"]
        report = import_file(ServiceUnitResource, xlsx_bytes(UNIT_HEADERS, rows), "xlsx")
        self.assertEqual((report.errors, report.new, report.updated, report.skipped), ([], 0, 1, 2))
        self.assertEqual(ServiceUnit.objects.count(), 3)
        unit = ServiceUnit.objects.get(code="UPP-0001")
        self.assertEqual(
            (unit.name, unit.agency, unit.service_type, unit.scope, unit.address),
            ("Unit Satu Baru", self.pemprov, self.dpmptsp, "jasa", "Jl. Baru"),
        )
        self.assertEqual(ServiceUnit.objects.get(code="UPP-0002").name, "Unit 2")

    def test_it_leaves_columns_missing_from_the_file_untouched(self):
        import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(1)), "csv")
        rows = [["UPP-0000", "Nama Baru", "KAB-1801", "disdukcapil", "administratif"]]
        report = import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS[:5], rows), "csv")
        self.assertEqual(report.updated, 1)
        self.assertEqual(
            ServiceUnit.objects.values_list("name", "address").get(), ("Nama Baru", "Jl. 0")
        )

    def test_it_imports_nothing_when_one_row_is_bad(self):
        rows = unit_rows(5)
        rows[3][2] = "KAB-9999"  # the 4th data row: spreadsheet row 5
        report = import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, rows), "csv")
        self.assertEqual(
            report.errors,
            [ImportProblem(5, "kode_instansi", "instansi 'KAB-9999' tidak ditemukan")],
        )
        self.assertEqual(
            str(report.errors[0]),
            "Baris 5, kolom kode_instansi: instansi 'KAB-9999' tidak ditemukan",
        )
        self.assertEqual((report.new, report.updated), (0, 0))
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_reports_every_bad_cell_by_row_and_column(self):
        rows = unit_rows(7)
        rows[1][3] = "samsat"  # unknown service type
        rows[2][4] = "digital"  # unknown scope
        rows[3][1] = "  "  # empty required
        rows[4][0] = "UPP-0000"  # duplicate of row 2
        rows[5][0] = "X" * 41  # longer than the field
        rows[6][2] = ""  # empty agency
        report = import_file(ServiceUnitResource, xlsx_bytes(UNIT_HEADERS, rows), "xlsx")
        self.assertEqual(
            [(p.row, p.column, p.message) for p in report.errors],
            [
                (3, "jenis_layanan", "jenis layanan 'samsat' tidak ditemukan"),
                (
                    4,
                    "ruang_lingkup",
                    "nilai 'digital' tidak dikenal; isi salah satu: administratif, barang, jasa",
                ),
                (5, "nama", "wajib diisi"),
                (6, "kode", "duplikat: data yang sama sudah ada di baris 2"),
                (7, "kode", "terlalu panjang: 41 karakter, maksimum 40"),
                (8, "kode_instansi", "wajib diisi"),
            ],
        )
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_keeps_spreadsheet_row_numbers_across_blank_lines(self):
        data = (
            b"kode,nama,kode_instansi,jenis_layanan,ruang_lingkup\n"
            b"UPP-1,Unit 1,KAB-1801,disdukcapil,jasa\n"
            b"\n"
            b",,,,\n"
            b"UPP-2,Unit 2,KAB-1801,disdukcapil,jasaa\n"
            b"\n"
        )
        report = import_file(ServiceUnitResource, data, "csv")
        self.assertEqual([(p.row, p.column) for p in report.errors], [(5, "ruang_lingkup")])

    def test_it_reads_semicolon_csv_with_bom_and_spreadsheet_style_headers(self):
        headers = ["Kode", "Nama", "Kode Instansi", "Jenis Layanan", "Ruang Lingkup"]
        data = "\ufeff".encode() + csv_bytes(
            headers, [["UPP-1", "Unit; satu", "KAB-1801", "disdukcapil", "Jasa"]], ";"
        )
        report = import_file(ServiceUnitResource, data, "csv")
        self.assertEqual((report.errors, report.new), ([], 1))
        self.assertEqual(
            ServiceUnit.objects.values_list("code", "name", "scope").get(),
            ("UPP-1", "Unit; satu", "jasa"),
        )

    def test_it_rejects_a_file_missing_a_required_column(self):
        headers = [h for h in UNIT_HEADERS if h != "kode_instansi"]
        report = import_file(
            ServiceUnitResource,
            csv_bytes(headers, [["UPP-1", "U", "disdukcapil", "jasa", ""]]),
            "csv",
        )
        self.assertEqual(
            report.errors, [ImportProblem(None, None, "Kolom wajib tidak ada: kode_instansi")]
        )
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_rejects_files_that_are_not_spreadsheets(self):
        pdf = b"%PDF-1.7\n\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n\x00\xff"
        cases = [
            (pdf, "xlsx", "Berkas bukan lembar kerja Excel (.xlsx) yang sah."),
            (pdf, "csv", "Berkas bukan teks UTF-8 (byte tidak sah di posisi 9)."),
            ("kode,nama\n".encode("utf-16"), "csv", "Berkas bukan teks UTF-8"),
            (b"", "csv", "Berkas kosong (0 byte)."),
            (
                b"kode,nama,kode_instansi,jenis_layanan,ruang_lingkup\n",
                "csv",
                "Berkas hanya berisi judul kolom",
            ),
            (xlsx_bytes([], []), "xlsx", "Berkas XLSX kosong"),
            (b"kode\n1\n", "ods", "Format 'ods' tidak didukung"),
        ]
        for data, fmt, start in cases:
            with self.subTest(fmt=fmt, start=start):
                report = import_file(ServiceUnitResource, data, fmt)
                self.assertEqual(len(report.errors), 1)
                self.assertEqual((report.errors[0].row, report.errors[0].column), (None, None))
                self.assertTrue(
                    report.errors[0].message.startswith(start), report.errors[0].message
                )

    def test_it_names_all_missing_columns_of_a_text_file_that_is_not_a_table(self):
        report = import_file(
            ServiceUnitResource, b"Daftar unit pelayanan tahun 2024\nlihat lampiran\n", "csv"
        )
        self.assertEqual(
            [str(p) for p in report.errors],
            ["Kolom wajib tidak ada: kode, nama, kode_instansi, jenis_layanan, ruang_lingkup"],
        )

    def test_it_writes_nothing_on_a_dry_run(self):
        report = import_file(
            ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(3)), "csv", dry_run=True
        )
        self.assertEqual((report.errors, report.new, report.dry_run), ([], 3, True))
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_does_not_query_per_row(self):
        def queries(rows):
            with CaptureQueriesContext(connection) as ctx:
                report = import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, rows), "csv")
            self.assertEqual(report.errors, [])
            return len(ctx.captured_queries)

        small_new = queries(unit_rows(50))
        with self.assertNumQueries(small_new):
            report = import_file(
                ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(200, start=50)), "csv"
            )
        self.assertEqual(report.new, 200)
        small_update = queries(unit_rows(50, agency="PROV-18"))
        with self.assertNumQueries(small_update):
            report = import_file(
                ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(200, 50, "PROV-18")), "csv"
            )
        self.assertEqual(report.updated, 200)
        self.assertEqual(ServiceUnit.objects.filter(agency=self.pemprov).count(), 250)


class PeopleImportTests(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.unit = f.make_unit(cls.lamsel, "Disdukcapil Lampung Selatan", cls.dukcapil)
        cls.unit.code = "UPP-1801-01"
        cls.unit.save()

    rows = [
        [
            "budi",
            "Budi Santoso",
            "budi@lampungprov.go.id",
            NIP,
            "PROV-18",
            "Koordinator",
            "PROV-18",
            "",
        ],
        ["budi", "", "", "", "", "pimpinan", "KAB-1801", ""],
        ["sari", "Sari Dewi", "", "", "KAB-1801", "Operator UPP", "", "UPP-1801-01"],
        ["eva", "Eva Evaluator", "eva@menpan.go.id", "", "", "evaluator", "", ""],
    ]

    def roles(self):
        return set(
            RoleAssignment.objects.values_list(
                "user__username", "role", "agency__code", "unit__code"
            )
        )

    def assert_imported(self):
        self.assertEqual(
            self.roles(),
            {
                ("budi", Role.COORDINATOR, "PROV-18", None),
                ("budi", Role.LEADERSHIP, "KAB-1801", None),
                ("sari", Role.UNIT_OPERATOR, None, "UPP-1801-01"),
                ("eva", Role.EVALUATOR, None, None),
            },
        )
        budi = User.objects.get(username="budi")
        self.assertEqual(
            (budi.full_name, budi.email, budi.nip, budi.agency),
            ("Budi Santoso", "budi@lampungprov.go.id", NIP, self.pemprov),
        )
        self.assertEqual(User.objects.get(username="sari").agency, self.lamsel)
        for user in User.objects.filter(username__in=["budi", "sari", "eva"]):
            self.assertFalse(user.has_usable_password())

    def test_it_creates_users_and_scoped_roles_from_csv(self):
        report = import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, self.rows), "csv")
        self.assertEqual((report.errors, report.new), ([], 4))
        self.assertEqual(report.details, {"pengguna baru": 3, "pengguna diperbarui": 0})
        self.assert_imported()

    def test_it_creates_users_and_scoped_roles_from_xlsx(self):
        report = import_file(PersonRoleResource, xlsx_bytes(PEOPLE_HEADERS, self.rows), "xlsx")
        self.assertEqual((report.errors, report.new), ([], 4))
        self.assert_imported()

    def test_it_updates_people_and_skips_roles_they_already_hold(self):
        budi = f.make_user("budi", full_name="Budi", email="lama@example.com")
        f.grant(budi, Role.COORDINATOR, agency=self.pemprov)
        report = import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, self.rows), "csv")
        self.assertEqual((report.errors, report.new, report.skipped), ([], 3, 1))
        self.assertEqual(report.details, {"pengguna baru": 2, "pengguna diperbarui": 1})
        budi.refresh_from_db()
        self.assertEqual(
            (budi.full_name, budi.email, budi.agency),
            ("Budi Santoso", "budi@lampungprov.go.id", self.pemprov),
        )
        self.assertTrue(budi.check_password(f.PASSWORD))  # an existing password is kept
        self.assertEqual(RoleAssignment.objects.filter(user=budi).count(), 2)

    def test_it_rejects_a_coordinator_without_kode_instansi(self):
        rows = [self.rows[3], ["andi", "Andi", "", "", "", "koordinator", "", ""]]
        report = import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, rows), "csv")
        self.assertEqual(
            [str(p) for p in report.errors],
            [
                "Baris 3, kolom kode_instansi: "
                "wajib diisi untuk peran Koordinator (Biro/Bagian Organisasi)"
            ],
        )
        self.assertFalse(User.objects.filter(username__in=["andi", "eva"]).exists())
        self.assertFalse(RoleAssignment.objects.exists())

    def test_it_rejects_scopes_that_do_not_fit_the_role(self):
        rows = [
            ["a", "", "", "", "", "evaluator", "KAB-1801", ""],
            ["b", "", "", "", "", "operator", "KAB-1801", ""],
            ["c", "", "", "", "", "pimpinan", "KAB-9999", ""],
        ]
        report = import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, rows), "csv")
        self.assertEqual(
            [(p.row, p.column, p.message) for p in report.errors],
            [
                (2, "kode_instansi", "harus kosong untuk peran Evaluator"),
                (3, "kode_instansi", "harus kosong untuk peran Operator UPP"),
                (3, "kode_unit", "wajib diisi untuk peran Operator UPP"),
                (4, "kode_instansi", "instansi 'KAB-9999' tidak ditemukan"),
            ],
        )

    def test_it_rejects_bad_person_columns(self):
        rows = [
            ["budi santoso", "", "", "", "", "evaluator", "", ""],
            ["eva", "Eva", "bukan-email", "12345", "", "evaluator", "", ""],
            ["eva", "Eva Lain", "", "", "", "admin", "", ""],
            ["eva", "", "", "", "", "Evaluator", "", ""],
        ]
        report = import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, rows), "csv")
        self.assertEqual(
            [(p.row, p.column) for p in report.errors],
            [(2, "username"), (3, "email"), (3, "nip"), (5, "peran"), (4, "nama_lengkap")],
        )
        self.assertEqual(
            report.errors[-1].message, "berbeda dengan baris 3 ('Eva') untuk pengguna 'eva'"
        )
        self.assertEqual(report.errors[-2].message, "duplikat: data yang sama sudah ada di baris 3")

    def test_it_rejects_a_nip_rounded_by_excel(self):
        rows = [["eva", "Eva", "", 198501012010011001, "", "evaluator", "", ""]]
        report = import_file(PersonRoleResource, xlsx_bytes(PEOPLE_HEADERS, rows), "xlsx")
        self.assertEqual([(p.row, p.column) for p in report.errors], [(2, "nip")])
        self.assertIn("format sel sebagai Teks", report.errors[0].message)

    def test_it_reads_a_file_without_scope_columns(self):
        data = csv_bytes(["username", "peran"], [["eva", "evaluator"], ["adm", "Admin KemenPANRB"]])
        report = import_file(PersonRoleResource, data, "csv")
        self.assertEqual((report.errors, report.new), ([], 2))
        self.assertEqual(
            self.roles(),
            {("eva", Role.EVALUATOR, None, None), ("adm", Role.MINISTRY_ADMIN, None, None)},
        )

    def test_it_does_not_query_per_row(self):
        def rows(start, count):
            return [
                [f"user{i}", f"Orang {i}", "", "", "KAB-1801", "pimpinan", "KAB-1801", ""]
                for i in range(start, start + count)
            ]

        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(
                import_file(PersonRoleResource, csv_bytes(PEOPLE_HEADERS, rows(0, 50)), "csv").new,
                50,
            )
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.assertEqual(
                import_file(
                    PersonRoleResource, csv_bytes(PEOPLE_HEADERS, rows(50, 200)), "csv"
                ).new,
                200,
            )


def write_temp(test: TestCase, data: bytes, suffix: str) -> str:
    """A file holding `data`, removed after the test."""
    handle = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)
    handle.write(data)
    handle.close()
    test.addCleanup(Path(handle.name).unlink)
    return handle.name


class ImportCommandTests(ImportTestCase):
    def write(self, data: bytes, suffix: str) -> str:
        return write_temp(self, data, suffix)

    def test_it_imports_units_and_prints_the_counts(self):
        path = self.write(xlsx_bytes(UNIT_HEADERS, unit_rows(3)), ".xlsx")
        out = io.StringIO()
        call_command("import_units", path, stdout=out)
        self.assertEqual(
            out.getvalue(), f"{path}: 3 baris — 3 baru, 0 diperbarui, 0 tidak berubah.\n"
        )
        self.assertEqual(ServiceUnit.objects.count(), 3)

    def test_it_prints_the_errors_and_fails(self):
        rows = unit_rows(3)
        rows[1][3] = "samsat"
        path = self.write(csv_bytes(UNIT_HEADERS, rows), ".csv")
        err = io.StringIO()
        with self.assertRaisesMessage(
            CommandError, "ditolak: 1 kesalahan; tidak ada data yang disimpan."
        ):
            call_command("import_units", path, stderr=err)
        self.assertIn(
            "Baris 3, kolom jenis_layanan: jenis layanan 'samsat' tidak ditemukan\n", err.getvalue()
        )
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_imports_other_kinds_of_file(self):
        path = self.write(
            csv_bytes(AGENCY_HEADERS, [["KEMENKES", "Kementerian Kesehatan", "kementerian", ""]]),
            ".csv",
        )
        call_command("import_units", path, "--jenis", "instansi", stdout=io.StringIO())
        self.assertTrue(Agency.objects.filter(code="KEMENKES").exists())

    def test_it_refuses_an_unreadable_path(self):
        with self.assertRaisesMessage(CommandError, "tidak dapat dibaca"):
            call_command("import_units", "/tidak/ada.csv")


class AdminImportTests(ImportTestCase):
    url = "admin:units_serviceunit_import"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.root = f.make_user("root", is_staff=True, is_superuser=True)

    def post_file(self, data: bytes, name: str, fmt: str):
        upload = SimpleUploadedFile(name, data)
        return self.client.post(
            reverse(self.url), {"resource": "0", "format": fmt, "import_file": upload}
        )

    def test_it_is_only_open_to_staff_who_may_add_and_change_units(self):
        self.assertEqual(self.client.get(reverse(self.url)).status_code, 302)  # to the admin login
        viewer = f.make_user("viewer", is_staff=True)
        viewer.user_permissions.add(*self.permissions("view_serviceunit"))
        self.client.force_login(viewer)
        self.assertEqual(self.client.get(reverse(self.url)).status_code, 403)
        editor = f.make_user("editor", is_staff=True)
        editor.user_permissions.add(
            *self.permissions("view_serviceunit", "add_serviceunit", "change_serviceunit")
        )
        self.client.force_login(editor)
        self.assertEqual(self.client.get(reverse(self.url)).status_code, 200)

    def permissions(self, *codenames):
        from django.contrib.auth.models import Permission

        return Permission.objects.filter(content_type__app_label="units", codename__in=codenames)

    def test_it_shows_the_row_error_and_creates_nothing(self):
        self.client.force_login(self.root)
        rows = unit_rows(5)
        rows[3][2] = "KAB-9999"
        response = self.post_file(csv_bytes(UNIT_HEADERS, rows), "upp.csv", "0")
        self.assertEqual(response.status_code, 200)
        result = response.context["result"]
        self.assertEqual(
            [(r.number, r.error_dict) for r in result.invalid_rows],
            [
                (
                    5,
                    {
                        "kode_instansi": [
                            "Baris 5, kolom kode_instansi: instansi 'KAB-9999' tidak ditemukan"
                        ]
                    },
                )
            ],
        )
        self.assertNotIn("confirm_form", response.context)
        self.assertContains(
            response, "Baris 5, kolom kode_instansi: instansi &#x27;KAB-9999&#x27; tidak ditemukan"
        )
        self.assertContains(response, "baris 1 adalah judul kolom")
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_shows_a_missing_column_without_a_traceback(self):
        self.client.force_login(self.root)
        headers = [h for h in UNIT_HEADERS if h != "jenis_layanan"]
        response = self.post_file(
            csv_bytes(headers, [["UPP-1", "U", "KAB-1801", "jasa", ""]]), "upp.csv", "0"
        )
        self.assertContains(response, "Kolom wajib tidak ada: jenis_layanan")
        self.assertNotContains(response, "Traceback")
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_rejects_a_non_spreadsheet_upload(self):
        self.client.force_login(self.root)
        response = self.post_file(b"%PDF-1.7\n\x00\xff", "upp.xlsx", "1")
        self.assertEqual(response.status_code, 200)
        self.assertIn(
            "Berkas bukan lembar kerja Excel (.xlsx) yang sah.",
            response.context["form"].errors["import_file"][0],
        )
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_imports_after_the_preview_is_confirmed(self):
        self.client.force_login(self.root)
        response = self.post_file(xlsx_bytes(UNIT_HEADERS, unit_rows(3)), "upp.xlsx", "1")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["result"].totals["new"], 3)
        self.assertFalse(ServiceUnit.objects.exists())  # the preview was a dry run
        confirm = response.context["confirm_form"]
        response = self.client.post(
            reverse("admin:units_serviceunit_process_import"), confirm.initial
        )
        self.assertRedirects(response, reverse("admin:units_serviceunit_changelist"))
        self.assertEqual(
            sorted(ServiceUnit.objects.values_list("code", flat=True)),
            ["UPP-0000", "UPP-0001", "UPP-0002"],
        )

    def test_it_saves_nothing_when_the_data_changed_before_confirmation(self):
        self.client.force_login(self.root)
        rows = unit_rows(3)
        rows[1][3] = "dpmptsp"
        response = self.post_file(csv_bytes(UNIT_HEADERS, rows), "upp.csv", "0")
        confirm = response.context["confirm_form"]
        self.dpmptsp.delete()
        response = self.client.post(
            reverse("admin:units_serviceunit_process_import"), confirm.initial, follow=True
        )
        self.assertContains(
            response,
            "Baris 3, kolom jenis_layanan: jenis layanan &#x27;dpmptsp&#x27; tidak ditemukan",
        )
        self.assertContains(response, "Impor dibatalkan; tidak ada data yang disimpan.")
        self.assertFalse(ServiceUnit.objects.exists())

    def test_it_imports_people_and_roles_through_the_admin(self):
        self.client.force_login(self.root)
        upload = SimpleUploadedFile(
            "orang.csv",
            csv_bytes(["username", "peran", "kode_instansi"], [["andi", "koordinator", ""]]),
        )
        response = self.client.post(
            reverse("admin:units_roleassignment_import"),
            {"resource": "0", "format": "0", "import_file": upload},
        )
        self.assertEqual(
            [(r.number, list(r.error_dict)) for r in response.context["result"].invalid_rows],
            [(2, ["kode_instansi"])],
        )
        self.assertFalse(User.objects.filter(username="andi").exists())

    def test_it_lists_units_without_a_query_per_row(self):
        self.client.force_login(self.root)
        import_file(ServiceUnitResource, csv_bytes(UNIT_HEADERS, unit_rows(5)), "csv")
        url = reverse("admin:units_serviceunit_changelist")
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url).status_code, 200)
        import_file(
            ServiceUnitResource,
            csv_bytes(UNIT_HEADERS, unit_rows(40, start=5, agency="PROV-18")),
            "csv",
        )
        with self.assertNumQueries(len(ctx.captured_queries)):
            self.client.get(url)
