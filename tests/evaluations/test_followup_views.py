"""The follow-up register in the browser's terms: each role's list and monitoring with exact
percentages, filters, the item page with its form, conflict and files, the XLSX export, and
last cycle's follow-up beside F-01 and F-02."""

import datetime as dt
import io
import re

import openpyxl
from django.urls import reverse

from evaluations.models import FollowUpFile, FollowUpItem, FollowUpStatus, Phase
from evaluations.services.f01 import answers_ensure
from evaluations.services.f02 import scores_ensure
from tests import factories as f

from . import f01_factories as ff
from .followup_factories import LEVELS, TEXTS, FollowUpWorld, done, finalized, record

S = FollowUpStatus
LIST = reverse("evaluations:followup_list")
EXPORT = reverse("evaluations:followup_export")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def rows(response, table_class: str) -> list[list[str]]:
    """The cells of each row of the tables with `table_class`, tags and spaces squeezed."""
    html = response.content.decode()
    found = []
    for table in re.findall(rf'<table class="{table_class}">(.*?)</table>', html, re.S):
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S):
            cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", tr, re.S)
            found.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells])
    return found


class RegisterListTest(FollowUpWorld):
    def get(self, user, **params):
        self.client.force_login(user)
        return self.client.get(LIST, params)

    def test_the_operator_sees_their_units_items_to_edit(self):
        response = self.get(self.operator)
        self.assertEqual(response.status_code, 200)
        body = text(response)
        # One unit: its name heads the totals; no table and no unit column repeat it.
        self.assertIn(f'<h2 id="fu-summary-title">{self.unit.name}', body)
        self.assertIn(
            "Seluruh butir: 3 Selesai: 0 Tidak dapat dilaksanakan: 0 Terlambat: 3 "
            "Persentase selesai: 0,0%",
            re.sub(r"<[^>]+>", "", body),
        )
        self.assertEqual(rows(response, "fu-progress"), [])
        overdue = "Belum dilaksanakan terlambat"  # the 2023 deadline has passed
        self.assertEqual(
            rows(response, "fu-items"),
            [
                ["Indikator", "Tingkat", "Rekomendasi", "Status", "Target selesai", "Tindakan"],
                ["1. Indikator 1", "2", TEXTS[1], overdue, "30-06-2024", "Ubah"],
                ["2. Indikator 2", "3", TEXTS[2], overdue, "30-06-2024", "Ubah"],
                ["4. Indikator 4", "1", TEXTS[4], overdue, "30-06-2024", "Ubah"],
            ],
        )
        self.assertNotIn(self.other_unit.name, body)
        # Every cycle: each row names its cycle.
        response = self.get(self.operator, periode="semua")
        self.assertEqual(rows(response, "fu-items")[1][0], "1. Indikator 1 PEKPPP Nasional 2023")

    def test_the_coordinators_percentage_follows_what_the_unit_records(self):
        response = self.get(self.coordinator)
        self.assertEqual(
            rows(response, "fu-progress"),
            [
                ["Unit", "Butir", "Selesai", "Tidak dapat", "Terlambat", "% selesai"],
                [self.prov_unit.name, "3", "0", "0", "3", "0,0%"],
            ],
        )
        self.assertNotIn(self.unit.name, text(response))
        done(self.prov_items[1], self.prov_operator)
        record(
            self.prov_items[2],
            self.prov_operator,
            status=S.NOT_POSSIBLE,
            status_reason="Tidak ada dana",
        )
        response = self.get(self.coordinator)
        self.assertEqual(
            rows(response, "fu-progress")[1],
            [self.prov_unit.name, "3", "1", "1", "1", "33,3%"],
        )
        self.assertContains(response, '<strong id="fu-percent">33,3%</strong>', html=True)
        done(self.prov_items[4], self.prov_operator)
        response = self.get(self.coordinator)
        self.assertEqual(
            rows(response, "fu-progress")[1],
            [self.prov_unit.name, "3", "2", "1", "0", "66,7%"],
        )

    def test_leadership_reads_their_agencys_units(self):
        done(self.items[1], self.operator)
        response = self.get(self.leader)
        self.assertEqual(
            rows(response, "fu-progress")[1:],
            [[self.unit.name, "3", "1", "0", "2", "33,3%"]],
        )
        links = re.findall(r'href="/tindak-lanjut/\d+/">(\w+)</a>', response.content.decode())
        self.assertEqual(links, ["Lihat"] * 3)

    def test_the_admin_sees_a_table_per_province_with_agency_rows_and_totals(self):
        national = f.make_agency("Kementerian Imigrasi", f.AgencyKind.KEMENTERIAN, code="IMI")
        jabar = f.make_province("Jawa Barat", "32")
        bandung = f.make_agency("Pemerintah Kota Bandung", f.AgencyKind.KOTA, jabar, code="K-3273")
        for unit in (
            f.make_unit(national, "Kantor Imigrasi"),
            f.make_unit(bandung, "Disdukcapil Bandung"),
        ):
            finalized(f.make_assessment(self.finished, unit), LEVELS, TEXTS)
        done(self.items[1], self.operator)
        done(self.prov_items[1], self.prov_operator)
        done(self.prov_items[2], self.prov_operator)
        response = self.get(self.admin)
        titles = re.findall(r'<h3 id="fu-t\d+">([^<]+)</h3>', response.content.decode())
        self.assertEqual(
            titles, ["Lampung", "Jawa Barat", "Instansi pusat (tanpa provinsi: K/L, POLRI, BUMN)"]
        )
        self.assertEqual(
            rows(response, "fu-progress"),
            [
                ["Instansi", "Butir", "Selesai", "Tidak dapat", "Terlambat", "% selesai"],
                ["Pemerintah Kabupaten Lampung Selatan", "3", "1", "0", "2", "33,3%"],
                ["Pemerintah Kabupaten Tanggamus", "3", "0", "0", "3", "0,0%"],
                ["Pemerintah Provinsi Lampung", "3", "2", "0", "1", "66,7%"],
                ["Jumlah", "9", "3", "0", "6", "33,3%"],
                ["Instansi", "Butir", "Selesai", "Tidak dapat", "Terlambat", "% selesai"],
                ["Pemerintah Kota Bandung", "3", "0", "0", "3", "0,0%"],
                ["Jumlah", "3", "0", "0", "3", "0,0%"],
                ["Instansi", "Butir", "Selesai", "Tidak dapat", "Terlambat", "% selesai"],
                ["Kementerian Imigrasi", "3", "0", "0", "3", "0,0%"],
                ["Jumlah", "3", "0", "0", "3", "0,0%"],
            ],
        )
        self.assertContains(response, '<strong id="fu-percent">20,0%</strong>', html=True)

    def test_filters_narrow_the_list_and_bad_values_are_named_and_ignored(self):
        record(self.items[2], self.operator, status=S.IN_PROGRESS, target_date=dt.date(2099, 1, 1))
        cases = [
            ({"status": "berjalan"}, ["2. Indikator 2"]),
            ({"terlambat": "1"}, ["1. Indikator 1", "4. Indikator 4"]),
            ({"status": "berjalan", "terlambat": "1"}, []),
            (
                {"periode": "semua"},
                [f"{n}. Indikator {n} PEKPPP Nasional 2023" for n in (1, 2, 4)],
            ),
        ]
        for params, expected in cases:
            with self.subTest(params=params):
                response = self.get(self.operator, **params)
                self.assertEqual([r[0] for r in rows(response, "fu-items")[1:]], expected)
        response = self.get(
            self.operator, periode="999", status="kabur", terlambat="ya", halaman="-2"
        )
        self.assertEqual(response.status_code, 200)
        for message in (
            "Periode “999” tidak ditemukan; periode terbaru ditampilkan.",
            "Status “kabur” tidak dikenal; semua status ditampilkan.",
            "Pilihan terlambat “ya” tidak dikenal; filter ini diabaikan.",
            "Nomor halaman “-2” tidak valid; halaman pertama ditampilkan.",
        ):
            self.assertContains(response, message)
        self.assertEqual(len(rows(response, "fu-items")) - 1, 3)

    def test_the_cycle_filter_limits_the_monitoring_too(self):
        later = f.make_cycle(self.instrument, year=2024, owner=self.kemenpan, name="PEKPPP 2024b")
        finalized(f.make_assessment(later, self.prov_unit), {1: 1}, {1: "Baru"})
        response = self.get(self.coordinator)  # the newest cycle by default
        self.assertEqual(rows(response, "fu-progress")[1][:2], [self.prov_unit.name, "1"])
        response = self.get(self.coordinator, periode=self.finished.pk)
        self.assertEqual(rows(response, "fu-progress")[1][:2], [self.prov_unit.name, "3"])
        response = self.get(self.coordinator, periode="semua")
        self.assertEqual(rows(response, "fu-progress")[1][:2], [self.prov_unit.name, "4"])

    def test_roles_without_the_register_are_refused(self):
        for person in (self.evaluator, self.outsider):
            with self.subTest(person=person.username):
                self.assertEqual(self.get(person).status_code, 403)
                self.assertEqual(self.client.get(EXPORT).status_code, 403)

    def test_it_costs_the_same_queries_with_few_and_many_items(self):
        # user, roles, cycles of the filter, monitoring counts, page count, page rows, the bell
        # (the session is in the cache)
        people = (self.admin, self.coordinator, self.leader, self.operator)
        for person in people:
            with self.subTest(person=person.username, size="small"):
                self.client.force_login(person)
                with self.assertNumQueries(7):
                    self.assertEqual(self.client.get(LIST).status_code, 200)
        many = {n: 1 for n in range(1, 31)}
        texts = {n: f"Rekomendasi {n}" for n in range(1, 31)}
        for unit in (
            self.unit,
            self.prov_unit,
            f.make_unit(self.lamsel),
            f.make_unit(self.pemprov),
        ):
            cycle = f.make_cycle(self.instrument, year=2022, owner=self.kemenpan)
            finalized(f.make_assessment(cycle, unit), many, texts)
        done(self.items[1], self.operator)
        for person in people:
            with self.subTest(person=person.username, size="large"):
                self.client.force_login(person)
                with self.assertNumQueries(7):
                    response = self.client.get(LIST, {"periode": "semua"})
                self.assertGreater(len(rows(response, "fu-items")), 30)


class ItemPageTest(FollowUpWorld):
    def setUp(self):
        self.item = self.items[1]
        self.url = reverse("evaluations:followup_detail", args=[self.item.pk])
        self.update = reverse("evaluations:followup_update", args=[self.item.pk])

    def post(self, data, files=()):
        form = {
            "planned_action": "",
            "responsible": "",
            "target_date": "2024-06-30",
            "status": "belum",
            "status_reason": "",
            "version": "0",
            **data,
        }
        if files:
            form["files"] = list(files)
        return self.client.post(self.update, form)

    def test_the_operator_records_follow_up_and_sees_it_in_the_history(self):
        self.client.force_login(self.operator)
        response = self.client.get(self.url)
        self.assertContains(response, "Tetapkan SP dengan SK.")
        self.assertContains(response, 'name="version" value="0"')
        response = self.post(
            {
                "planned_action": "Menyusun SK",
                "responsible": "Kabid Pelayanan",
                "target_date": "31-05-2024",
                "status": "selesai",
            },
            files=[ff.upload("SK final.pdf", ff.PDF_BYTES)],
        )
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        response = self.client.get(self.url)
        self.assertContains(response, "Tindak lanjut tersimpan.")
        self.assertContains(
            response, '<span class="fu-status fu-selesai" id="fu-status">Selesai</span>', html=True
        )
        history = rows(response, "fu-history")[1:]
        self.assertEqual(
            [r[1:] for r in history],
            [
                ["Operator Disdukcapil", "Berkas bukti", "—", "SK final.pdf"],
                ["Operator Disdukcapil", "Status", "Belum dilaksanakan", "Selesai"],
                ["Operator Disdukcapil", "Target selesai", "30-06-2024", "31-05-2024"],
                ["Operator Disdukcapil", "Penanggung jawab", "—", "Kabid Pelayanan"],
                ["Operator Disdukcapil", "Rencana aksi", "—", "Menyusun SK"],
            ],
        )
        attachment = FollowUpFile.objects.get(item=self.item)
        download = reverse("evaluations:followup_file_download", args=[attachment.pk])
        self.assertContains(response, f'href="{download}"')
        file = self.client.get(download)
        self.assertEqual(b"".join(file.streaming_content), ff.PDF_BYTES)
        self.assertEqual(file["Content-Type"], "application/pdf")
        self.assertIn('filename="SK final.pdf"', file["Content-Disposition"])

    def test_a_stale_save_shows_both_values_and_keeps_the_saved_one(self):
        record(self.item, self.operator, planned_action="Rencana dari tab lain")
        self.client.force_login(self.operator)
        response = self.post({"planned_action": "Rencana saya", "version": "0"})
        self.assertEqual(response.status_code, 409)
        body = text(response)
        self.assertIn("Nilai Anda (belum tersimpan)", body)
        self.assertIn("Rencana saya", body)
        self.assertIn("Rencana dari tab lain", body)
        self.assertIn('name="version" value="1"', body)  # saving again is a deliberate choice
        self.item.refresh_from_db()
        self.assertEqual(self.item.planned_action, "Rencana dari tab lain")
        self.assertEqual(
            self.post({"planned_action": "Rencana saya", "version": "1"}).status_code, 302
        )
        self.item.refresh_from_db()
        self.assertEqual((self.item.planned_action, self.item.version), ("Rencana saya", 2))

    def test_bad_input_answers_400_with_the_reason_and_stores_nothing(self):
        self.client.force_login(self.operator)
        cases = [
            ({"target_date": "30-02-2024"}, (), "Target selesai bukan tanggal yang valid"),
            ({"target_date": "99999-01-01"}, (), "Target selesai bukan tanggal yang valid"),
            ({"status": "selesai"}, (), "Status selesai memerlukan minimal satu berkas bukti"),
            ({"status": "tidak_dapat"}, (), "Tuliskan alasan mengapa rekomendasi tidak dapat"),
            ({"status": "hilang"}, (), "Status tindak lanjut “hilang” tidak dikenal."),
            ({"planned_action": "a\x00b"}, (), "Karakter null tidak diizinkan."),
            ({"responsible": "x" * 201}, (), "Penanggung jawab terlalu panjang: paling banyak 200"),
            ({"version": "abc"}, (), "Data yang dikirim tidak lengkap; muat ulang halaman ini."),
            (
                {"status": "selesai"},
                [ff.upload("foto.png", b"GIF89a bukan png")],
                "foto.png: ",
            ),
        ]
        for data, files, message in cases:
            with self.subTest(data=data):
                response = self.post(data, files)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, message, status_code=400)
        self.item.refresh_from_db()
        self.assertEqual((self.item.version, self.item.status), (0, "belum"))
        self.assertFalse(FollowUpFile.objects.exists())

    def test_readers_see_the_item_without_a_form_and_cannot_change_it(self):
        done(self.item, self.operator)
        attachment = FollowUpFile.objects.get(item=self.item)
        download = reverse("evaluations:followup_file_download", args=[attachment.pk])
        remove = reverse("evaluations:followup_file_remove", args=[attachment.pk])
        for person, page, change in (
            (self.admin, 200, 403),
            (self.leader, 200, 403),
            (self.coordinator, 404, 404),  # Lampung Selatan is not the province's own agency
            (self.evaluator, 404, 404),
            (self.prov_operator, 404, 404),
            (self.outsider, 404, 404),
        ):
            with self.subTest(person=person.username):
                self.client.force_login(person)
                response = self.client.get(self.url)
                self.assertEqual(response.status_code, page)
                if page == 200:
                    self.assertNotContains(response, 'name="planned_action"')
                    self.assertContains(response, "Tetapkan SP dengan SK.")
                self.assertEqual(self.client.get(download).status_code, page)
                self.assertEqual(self.post({"planned_action": "x"}).status_code, change)
                self.assertEqual(self.client.post(remove).status_code, change)
        self.item.refresh_from_db()
        self.assertEqual(self.item.planned_action, "")

    def test_a_closed_item_offers_only_its_status_and_reopens(self):
        done(self.item, self.operator)
        self.client.force_login(self.operator)
        response = self.client.get(self.url)
        self.assertContains(response, "Butir ini sudah ditutup")
        self.assertRegex(
            response.content.decode(), r'<textarea name="planned_action"[^>]* disabled'
        )
        self.assertNotContains(response, 'name="files"')
        self.assertNotContains(response, "/hapus/")
        response = self.post({"planned_action": "Diabaikan", "status": "berjalan", "version": "1"})
        self.assertEqual(response.status_code, 302)
        self.item.refresh_from_db()
        self.assertEqual((self.item.status, self.item.planned_action), ("berjalan", ""))
        self.assertContains(self.client.get(self.url), 'name="files"')

    def test_a_removed_file_is_no_longer_served(self):
        record(self.item, self.operator, files=[ff.upload("a.pdf", ff.PDF_BYTES)])
        attachment = FollowUpFile.objects.get(item=self.item)
        self.client.force_login(self.operator)
        remove = reverse("evaluations:followup_file_remove", args=[attachment.pk])
        self.assertRedirects(self.client.post(remove), self.url)
        download = reverse("evaluations:followup_file_download", args=[attachment.pk])
        self.assertEqual(self.client.get(download).status_code, 404)
        self.assertEqual(self.client.post(remove).status_code, 404)

    def test_the_item_page_costs_a_fixed_number_of_queries(self):
        self.client.force_login(self.operator)
        # user, roles, item, files, history, the bell
        with self.assertNumQueries(6):
            self.client.get(self.url)
        for n in range(5):
            record(
                self.item,
                self.operator,
                planned_action=f"Rencana {n}",
                files=[ff.upload(f"{n}.pdf", ff.PDF_BYTES)],
            )
        with self.assertNumQueries(6):
            response = self.client.get(self.url)
        self.assertEqual(len(rows(response, "fu-history")) - 1, 10)


class ExportTest(FollowUpWorld):
    def test_it_gives_the_list_the_person_sees_as_text_cells(self):
        record(
            self.items[1],
            self.operator,
            planned_action='=HYPERLINK("http://contoh.test","klik")',
            responsible="+62 812",
            status=S.IN_PROGRESS,
        )
        record(self.items[2], self.operator, planned_action="@SUM(A1)", responsible="-Kabid")
        self.client.force_login(self.operator)
        response = self.client.get(EXPORT, {"status": "berjalan"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        cells = [[c for c in row] for row in sheet.iter_rows()]
        self.assertEqual(
            [c.value for c in cells[0]],
            [
                "Periode", "Instansi", "Unit", "No.", "Kode", "Indikator", "Tingkat final",
                "Rekomendasi", "Rencana aksi", "Penanggung jawab", "Target selesai", "Status",
                "Alasan tidak dapat dilaksanakan", "Terlambat", "Berkas bukti", "Diperbarui",
            ],
        )  # fmt: skip
        self.assertEqual(len(cells), 2)
        values = [c.value for c in cells[1]]
        self.assertEqual(
            values[:15],
            [
                "PEKPPP Nasional 2023",
                "Pemerintah Kabupaten Lampung Selatan",
                self.unit.name,
                1,
                "1.x.K",
                "Indikator 1",
                2,
                TEXTS[1],
                '=HYPERLINK("http://contoh.test","klik")',
                "+62 812",
                dt.datetime(2024, 6, 30),
                "Sedang berjalan",
                None,  # an empty text reads back as an empty cell
                "Ya",
                0,
            ],
        )
        self.assertEqual(cells[1][8].data_type, "s")
        self.assertRegex(values[15], r"^\d\d-\d\d-\d{4} \d\d:\d\d$")
        response = self.client.get(EXPORT, {"periode": "semua"})
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        texts = [[c.value for c in row][8:10] for row in sheet.iter_rows(min_row=2)]
        self.assertIn(["@SUM(A1)", "-Kabid"], texts)
        self.assertTrue(
            all(
                c.data_type == "s"
                for row in sheet.iter_rows(min_row=2)
                for c in row[7:10]
                if c.value
            )
        )

    def test_the_export_costs_the_same_queries_with_few_and_many_items(self):
        self.client.force_login(self.admin)
        # user, roles, cycles of the filter, the count, the rows
        with self.assertNumQueries(5):
            small = self.client.get(EXPORT)
        texts = {n: f"Rekomendasi {n}" for n in range(1, 31)}
        for _ in range(3):
            unit = f.make_unit(self.lamsel)
            finalized(f.make_assessment(self.finished, unit), dict.fromkeys(texts, 1), texts)
        with self.assertNumQueries(5):
            large = self.client.get(EXPORT)
        rows_of = [
            openpyxl.load_workbook(io.BytesIO(r.content)).active.max_row for r in (small, large)
        ]
        self.assertEqual(rows_of, [1 + 9, 1 + 9 + 90])

    def test_the_coordinator_exports_their_agencys_units_only(self):
        self.client.force_login(self.coordinator)
        sheet = openpyxl.load_workbook(io.BytesIO(self.client.get(EXPORT).content)).active
        self.assertEqual(
            {row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}, {self.prov_unit.name}
        )

    def test_bad_filters_send_back_to_the_list_with_the_message(self):
        self.client.force_login(self.operator)
        response = self.client.get(EXPORT, {"status": "kabur"}, follow=True)
        self.assertRedirects(response, f"{LIST}?periode={self.finished.pk}")
        self.assertContains(response, "Status “kabur” tidak dikenal")

    def test_a_list_too_long_is_not_exported(self):
        from evaluations.selectors import followup as sel

        self.client.force_login(self.admin)
        limit, sel.EXPORT_MAX_ROWS = sel.EXPORT_MAX_ROWS, 5
        try:
            response = self.client.get(EXPORT, follow=True)
        finally:
            sel.EXPORT_MAX_ROWS = limit
        self.assertContains(response, "Daftar ini memuat 9 butir, lebih dari 5")


class PreviousCycleTest(FollowUpWorld):
    """The unit's next cycle shows last cycle's level, recommendation and follow-up on F-01
    (its operator, with a link to the item) and F-02 (its evaluator)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for phase in Phase:
            f.open_window(cls.cycle, phase)

    def test_f01_shows_last_cycles_level_and_follow_up(self):
        record(self.items[2], self.operator, status=S.NOT_POSSIBLE, status_reason="Tidak ada forum")
        self.client.force_login(self.operator)
        response = self.client.get(reverse("evaluations:f01_form", args=[self.assessment.pk]))
        body = text(response)
        self.assertIn(
            "tingkat final, rekomendasi dan status tindak lanjut PEKPPP Nasional 2023", body
        )
        boxes = re.findall(r'<aside class="prev-cycle".*?</aside>', response.content.decode(), re.S)
        self.assertEqual(len(boxes), 4)  # indicators 1–4 had final levels
        box = " ".join(re.sub(r"<[^>]+>", " ", boxes[1]).split())
        self.assertEqual(
            box,
            "Periode sebelumnya: PEKPPP Nasional 2023 Tingkat final: 3 Rekomendasi: "
            "Libatkan masyarakat. Tindak lanjut: Tidak dapat dilaksanakan — Tidak ada forum "
            "· Buka tindak lanjut",
        )
        self.assertIn(reverse("evaluations:followup_detail", args=[self.items[2].pk]), boxes[1])
        self.assertIn("Tanpa rekomendasi.", boxes[2])  # level 5, nothing to follow up

    def test_f02_shows_it_to_the_evaluator_without_a_link(self):
        answers_ensure(self.assessment)
        self.assessment.status = "in_evaluation"
        self.assessment.save(update_fields=["status"])
        scores_ensure(self.assessment.assignments.get())
        done(self.items[1], self.operator)
        self.client.force_login(self.evaluator)
        response = self.client.get(reverse("evaluations:f02_form", args=[self.assessment.pk]))
        boxes = re.findall(r'<aside class="prev-cycle".*?</aside>', response.content.decode(), re.S)
        self.assertEqual(len(boxes), 4)
        box = " ".join(re.sub(r"<[^>]+>", " ", boxes[0]).split())
        self.assertEqual(
            box,
            "Periode sebelumnya: PEKPPP Nasional 2023 Tingkat final: 2 Rekomendasi: "
            "Tetapkan SP dengan SK. Tindak lanjut: Selesai",
        )
        self.assertNotIn("/tindak-lanjut/", boxes[0])

    def test_the_match_is_by_indicator_code_across_instruments(self):
        FollowUpItem.objects.all().delete()
        newer = f.make_instrument(
            "UJI-2025",
        )
        cycle = f.make_cycle(newer, year=2025, owner=self.kemenpan)
        assessment = f.make_assessment(cycle, self.unit)
        for phase in Phase:
            f.open_window(cycle, phase)
        self.client.force_login(self.operator)
        response = self.client.get(reverse("evaluations:f01_form", args=[assessment.pk]))
        # The 2024 locus is not final: the 2023 one is the previous final assessment.
        boxes = re.findall(r'<aside class="prev-cycle".*?</aside>', response.content.decode(), re.S)
        self.assertEqual(len(boxes), 4)
        self.assertIn("Tanpa rekomendasi.", boxes[0])
