"""Priority coaching pages: who sees which rows, the manager's forms, refusals on the page,
a unit's coaching page with attachments, downloads through the permission check, follow-up
progress, links from the cycle pages, and constant queries."""

import datetime as dt
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import FollowUpItem, FollowUpStatus
from scoring.models import CoachingFile, CoachingSession, PriorityUnit
from scoring.services import priority as services
from tests import factories as f
from units.models import Role, ServiceUnit

from .factories import make_ranked_units
from .priority_world import PriorityWorld

PDF = f.EVIDENCE_PDF
TODAY = timezone.localdate()


class PriorityPages(PriorityWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.url = reverse("scoring:priority_list", args=[cls.finished.pk])
        cls.lamsel_coordinator = f.make_user("koordinator-lamsel", agency=cls.lamsel)
        f.grant(cls.lamsel_coordinator, Role.COORDINATOR, agency=cls.lamsel)

    def as_(self, user):
        self.client.force_login(user)
        return self.client

    def propose_and_confirm(self, *units):
        services.priority_propose(cycle=self.finished, by=self.admin)
        services.priority_confirm(
            cycle=self.finished, by=self.admin, units=[u.pk for u in units] or None
        )

    def unit_url(self, unit, name="coaching_page", *args):
        return reverse(f"scoring:{name}", args=[self.finished.pk, unit.pk, *args])


class PriorityListTest(PriorityPages):
    def test_it_names_its_urls(self):
        pk, unit = self.finished.pk, self.unit.pk
        self.assertEqual(self.url, f"/periode/{pk}/prioritas/")
        self.assertEqual(self.unit_url(self.unit), f"/periode/{pk}/prioritas/{unit}/pendampingan/")
        self.assertEqual(
            reverse("scoring:priority_propose", args=[pk]), f"/periode/{pk}/prioritas/usulkan/"
        )

    def test_it_shows_each_person_the_rows_they_may_read(self):
        self.propose_and_confirm(self.unit, ServiceUnit.objects.get(name="Prov 0010"))
        people = self.personas() | {"lamsel_coordinator": self.lamsel_coordinator}
        expected = {
            "admin": (200, 6),
            # Confirmed units of their agency only: none for Pemprov's coordinator but Prov 0010.
            "coordinator": (200, 1),
            "lamsel_coordinator": (200, 1),
            "operator": (200, 1),
            "leader": (200, 1),
            "evaluator": (404, None),
            "outsider": (404, None),
        }
        self.assertRedirects(self.client.get(self.url), f"/masuk/?next={self.url}")
        for name, (status, rows) in expected.items():
            with self.subTest(persona=name):
                response = self.as_(people[name]).get(self.url)
                self.assertEqual(response.status_code, status)
                if rows is not None:
                    self.assertEqual(len(response.context["listing"].page.object_list), rows)
        response = self.as_(self.operator).get(self.url)
        self.assertContains(response, "Disdukcapil Kabupaten Lampung Selatan")
        self.assertNotContains(response, "Prov 0010")
        self.assertNotContains(response, "Usulkan UPP prioritas")

    def test_it_hides_an_unpublished_cycle_from_all_but_its_overseers(self):
        url = reverse("scoring:priority_list", args=[self.cycle.pk])
        response = self.as_(self.admin).get(url)
        self.assertContains(response, "Periode ini belum dipublikasikan")
        for person in (self.coordinator, self.operator, self.leader):
            self.assertEqual(self.as_(person).get(url).status_code, 404)
        self.assertEqual(self.as_(self.admin).get("/periode/999999/prioritas/").status_code, 404)

    def test_it_hides_proposals_until_they_are_confirmed(self):
        services.priority_propose(cycle=self.finished, by=self.admin)
        response = self.as_(self.operator).get(self.url)
        self.assertContains(response, "Tidak ada UPP prioritas pembinaan untuk unit atau instansi")
        self.assertEqual(self.as_(self.operator).get(self.unit_url(self.unit)).status_code, 404)

    def test_it_shows_figures_basis_status_coaching_and_follow_up(self):
        self.propose_and_confirm(self.unit)
        services.coaching_session_record(
            priority=PriorityUnit.objects.get(unit=self.unit),
            held_on=TODAY - dt.timedelta(days=2),
            mode="luring",
            people="Tim",
            topics="SOP",
            by=self.admin,
        )
        locus = self.finished.assessments.get(unit=self.unit)
        statuses = ["selesai", "berjalan", "belum", "tidak_dapat"]
        for number, status in enumerate(statuses, start=1):
            FollowUpItem.objects.create(
                assessment=locus,
                unit=self.unit,
                indicator=self.instrument.indicators.get(number=number),
                level=2,
                recommendation="Perbaiki",
                status=status,
                status_reason="Anggaran" if status == FollowUpStatus.NOT_POSSIBLE else "",
                target_date=TODAY - dt.timedelta(days=1) if number in (2, 4) else None,
            )
        response = self.as_(self.admin).get(self.url)
        (row,) = [
            r for r in response.context["listing"].page.object_list if r.priority.unit == self.unit
        ]
        self.assertEqual(
            (row.result.ipp, row.result.grade, row.result.rank, row.group_size),
            (Decimal("2.50"), "C-", 2, 5),
        )
        self.assertEqual(
            (row.coaching.held, row.coaching.last_held), (1, TODAY - dt.timedelta(days=2))
        )
        self.assertEqual((row.followup.total, row.followup.done, row.followup.overdue), (4, 1, 1))
        self.assertEqual(row.followup.percent, Decimal("25.0"))
        self.assertContains(response, "25,0% selesai (1/4)")
        self.assertContains(response, "1 lewat target")
        self.assertContains(
            response,
            '<meter min="0" max="100" low="50" high="99" optimum="100" value="25.0"',
            html=False,
        )
        self.assertContains(response, "Predikat di bawah batas")
        self.assertContains(response, "Peringkat terbawah kelompok")

    def test_it_proposes_and_confirms_from_the_page(self):
        client = self.as_(self.admin)
        response = client.post(
            reverse("scoring:priority_propose", args=[self.finished.pk]),
            {"predikat": "C-", "porsi": "10"},
            follow=True,
        )
        self.assertContains(response, "6 unit baru diusulkan.")
        self.assertEqual(len(self.listed(self.finished)), 6)
        response = client.post(
            reverse("scoring:priority_confirm", args=[self.finished.pk]),
            {"semua": "1"},
            follow=True,
        )
        self.assertContains(response, "6 unit ditetapkan.")
        self.assertEqual(PriorityUnit.objects.filter(confirmed_by=self.admin).count(), 6)

    def test_it_removes_and_adds_from_the_page(self):
        services.priority_propose(cycle=self.finished, by=self.admin)
        client = self.as_(self.admin)
        kab1 = ServiceUnit.objects.get(name="Kab 0001")
        remove = reverse("scoring:priority_remove", args=[self.finished.pk])
        response = client.post(remove, {"unit": kab1.pk, "alasan": ""})
        self.assertContains(response, "Alasan wajib diisi.")
        response = client.post(remove, {"unit": kab1.pk, "alasan": "Dibina provinsi"}, follow=True)
        self.assertContains(response, "Kab 0001 dikeluarkan dari daftar.")
        response = client.get(self.url, {"status": "dikeluarkan"})
        self.assertContains(response, "Dibina provinsi")
        search = client.get(self.url, {"q": "Prov 000"})
        self.assertEqual(
            [c.unit_name for c in search.context["candidates"]],
            [f"Prov 000{n}" for n in range(1, 9)],  # 0009 and 0010 are on the list
        )
        # Every word, in the unit's, the agency's ("Pemerintah Provinsi Lampung") or the
        # province's name.
        search = client.get(self.url, {"q": "pemprov lampung 000"})
        self.assertEqual(
            [c.unit_name for c in search.context["candidates"]],
            [f"Prov 000{n}" for n in range(1, 9)],
        )
        prov1 = ServiceUnit.objects.get(name="Prov 0001")
        add = reverse("scoring:priority_add", args=[self.finished.pk])
        response = client.post(
            add, {"unit": prov1.pk, "alasan": "Permintaan gubernur"}, follow=True
        )
        self.assertContains(response, "Prov 0001 ditambahkan ke daftar dan ditetapkan.")
        self.assertEqual(self.listed(self.finished)["Prov 0001"], "manual")

    def test_it_shows_refusals_on_the_page_and_changes_nothing(self):
        client = self.as_(self.admin)
        cases = [
            ("priority_propose", {"predikat": "Z", "porsi": "10"}, "pilih salah satu predikat"),
            ("priority_propose", {"predikat": "C-", "porsi": "abc"}, "harus berupa angka"),
            ("priority_propose", {"predikat": "C-", "porsi": "99"}, "Porsi peringkat terbawah"),
            ("priority_confirm", {"unit": "x"}, "Unit tidak ditemukan dalam daftar periode ini."),
            ("priority_confirm", {"unit": self.unit.pk}, "Unit tidak ditemukan dalam daftar"),
            ("priority_add", {"unit": self.prov_unit.pk, "alasan": "A"}, "Unit tidak ditemukan"),
            ("priority_add", {"unit": "9" * 30, "alasan": "A"}, "Unit tidak ditemukan"),
        ]
        for name, data, problem in cases:
            with self.subTest(name=name, data=data):
                response = client.post(reverse(f"scoring:{name}", args=[self.finished.pk]), data)
                self.assertContains(response, "Permintaan ditolak; tidak ada yang diubah:")
                self.assertContains(response, problem)
        self.assertFalse(PriorityUnit.objects.exists())

    def test_it_lets_only_the_manager_change_the_list(self):
        for name in ("priority_propose", "priority_confirm", "priority_remove", "priority_add"):
            url = reverse(f"scoring:{name}", args=[self.finished.pk])
            for person, status in (
                (self.operator, 403),
                (self.leader, 403),
                (self.lamsel_coordinator, 403),
                (self.evaluator, 404),
                (self.outsider, 404),
            ):
                with self.subTest(url=name, person=person.username):
                    self.assertEqual(
                        self.as_(person).post(url, {"predikat": "C-", "porsi": "10"}).status_code,
                        status,
                    )
        self.assertFalse(PriorityUnit.objects.exists())

    def test_it_links_the_list_from_the_cycle_and_publication_pages(self):
        client = self.as_(self.admin)
        for page in ("evaluations:cycle_detail", "scoring:publication_detail"):
            with self.subTest(page=page):
                response = client.get(reverse(page, args=[self.finished.pk]))
                self.assertContains(response, f'href="{self.url}"')
        # Before publication the publication page does not offer it.
        response = client.get(reverse("scoring:publication_detail", args=[self.cycle.pk]))
        self.assertNotContains(response, 'id="prioritas"')

    def test_it_pages_the_list_with_links_back_to_it_after_a_refused_post(self):
        make_ranked_units(
            self.finished, ["0.90"] * 100, agency=self.lamsel, service_type=self.unit.service_type
        )
        f.publish(self.finished, self.admin, reason="Lokus tambahan")
        services.priority_propose(cycle=self.finished, by=self.admin)
        client = self.as_(self.admin)
        response = client.get(self.url)
        self.assertEqual(len(response.context["listing"].page.object_list), 100)
        self.assertContains(response, f'href="{self.url}?halaman=2#daftar"')
        second = client.get(self.url, {"halaman": "2"})
        self.assertEqual(len(second.context["listing"].page.object_list), 6)
        self.assertEqual(client.get(self.url, {"halaman": "x"}).status_code, 200)
        # The page re-rendered by a refused POST links to the list, not to the POST's URL.
        refused = client.post(reverse("scoring:priority_remove", args=[self.finished.pk]), {})
        self.assertContains(refused, f'href="{self.url}?status=usulan#daftar"')
        self.assertContains(refused, f'href="{self.url}?halaman=2#daftar"')
        self.assertContains(refused, f'action="{self.url}#tambah"')

    def queries(self, url, user) -> int:
        client = self.as_(user)
        client.get(url)  # warm per-process caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        self.assertEqual(response.status_code, 200)
        return len(captured)

    def test_it_lists_in_constant_queries(self):
        self.propose_and_confirm()
        small = self.queries(self.url, self.admin)
        small_operator = self.queries(self.url, self.operator)
        # 40 more low units, each confirmed with a session and follow-up items.
        make_ranked_units(
            self.finished, ["1.10"] * 40, agency=self.lamsel, service_type=self.unit.service_type
        )
        f.publish(self.finished, self.admin, reason="Lokus tambahan")
        services.priority_propose(cycle=self.finished, by=self.admin)
        services.priority_confirm(cycle=self.finished, by=self.admin)
        for priority in PriorityUnit.objects.select_related("cycle", "unit"):
            session = services.coaching_session_record(
                priority=priority,
                held_on=TODAY,
                mode="daring",
                people="A",
                topics="B",
                by=self.admin,
            )
            services.coaching_file_add(
                session=session, file=SimpleUploadedFile("a.pdf", PDF), by=self.admin
            )
        self.assertGreater(PriorityUnit.objects.count(), 40)
        self.assertEqual(self.queries(self.url, self.admin), small)
        self.assertEqual(self.queries(self.url, self.operator), small_operator)
        self.assertEqual(small, 12)  # with the top bar's bell
        self.assertEqual(small_operator, 11)


class CoachingPageTest(PriorityPages):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.priority_propose(cycle=cls.finished, by=cls.admin)
        services.priority_confirm(cycle=cls.finished, by=cls.admin, units=[cls.unit.pk])
        cls.priority = PriorityUnit.objects.select_related("cycle", "unit").get(unit=cls.unit)
        cls.session = services.coaching_session_record(
            priority=cls.priority,
            held_on=TODAY - dt.timedelta(days=5),
            mode="hibrida",
            people="Tim evaluator",
            topics="Maklumat pelayanan",
            files=[SimpleUploadedFile("daftar hadir.pdf", PDF)],
            by=cls.admin,
        )
        cls.attachment = cls.session.files.get()

    def form(self, **overrides):
        return {
            "held_on": (TODAY + dt.timedelta(days=7)).isoformat(),
            "mode": "daring",
            "people": "Koordinator; operator",
            "topics": "Pengaduan",
            "notes": "",
        } | overrides

    def test_it_opens_for_the_units_people_and_coaches(self):
        url = self.unit_url(self.unit)
        people = self.personas() | {"lamsel_coordinator": self.lamsel_coordinator}
        expected = {
            "admin": (200, True),
            "lamsel_coordinator": (200, True),
            "operator": (200, False),
            "leader": (200, False),
            "coordinator": (404, None),  # Pemprov: not its agency's unit
            "evaluator": (404, None),
            "outsider": (404, None),
        }
        for name, (status, coaches) in expected.items():
            with self.subTest(persona=name):
                response = self.as_(people[name]).get(url)
                self.assertEqual(response.status_code, status)
                if status == 200:
                    self.assertEqual(response.context["coaches"], coaches)
                    self.assertContains(response, "Maklumat pelayanan")
                    self.assertContains(response, "daftar hadir.pdf")
        # A unit not on the list, or only proposed: 404 for its people, a page for the admin.
        kab1 = ServiceUnit.objects.get(name="Kab 0001")
        self.assertEqual(self.as_(self.leader).get(self.unit_url(kab1)).status_code, 404)
        response = self.as_(self.admin).get(self.unit_url(kab1))
        self.assertContains(response, "Sesi dicatat setelah unit ini ditetapkan dalam daftar.")
        self.assertEqual(self.as_(self.admin).get(self.unit_url(self.prov_unit)).status_code, 404)

    def test_it_records_a_scheduled_session_from_the_page(self):
        url = self.unit_url(self.unit, "coaching_session_create")
        upload = SimpleUploadedFile("undangan.pdf", PDF)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.as_(self.lamsel_coordinator).post(url, self.form(lampiran=upload))
        session = CoachingSession.objects.latest("pk")
        self.assertRedirects(response, self.unit_url(self.unit) + f"#sesi-{session.pk}")
        self.assertEqual(
            (
                session.mode,
                session.recorded_by,
                list(session.files.values_list("original_name", flat=True)),
            ),
            ("daring", self.lamsel_coordinator, ["undangan.pdf"]),
        )
        page = self.as_(self.operator).get(self.unit_url(self.unit))
        self.assertContains(page, "Terjadwal")
        self.assertEqual(
            set(self.operator.notifications.values_list("kind", flat=True)), {"coaching"}
        )

    def test_it_refuses_bad_input_on_the_page_and_stores_nothing(self):
        url = self.unit_url(self.unit, "coaching_session_create")
        cases = [
            (self.form(held_on="2024-13-45"), "Tanggal: bukan tanggal yang valid"),
            (self.form(held_on="99999-01-01"), "Tanggal: bukan tanggal yang valid"),
            (self.form(mode="tatap"), "Bentuk: pilih luring, daring atau hibrida."),
            (self.form(people=""), "Peserta:"),
            (self.form(topics="x" * 2001), "Topik:"),
            (self.form(notes="a\x00b"), "Catatan:"),
            (self.form(notes="a\x1bb"), "Catatan memuat karakter kendali"),
            (self.form(held_on="2020-01-01"), "tidak boleh sebelum tahun periode (2023)"),
            (
                self.form(lampiran=SimpleUploadedFile("x.pdf", b"<html></html>")),
                "x.pdf: ",
            ),
            (
                self.form(lampiran=SimpleUploadedFile("kosong.pdf", b"")),
                "kosong.pdf: Berkas kosong",
            ),
        ]
        for data, problem in cases:
            with self.subTest(problem=problem):
                response = self.as_(self.admin).post(url, data)
                self.assertContains(response, "Belum disimpan. Perbaiki lalu kirim lagi:")
                self.assertContains(response, problem)
        self.assertEqual(CoachingSession.objects.count(), 1)
        self.assertEqual(CoachingFile.objects.count(), 1)

    def test_it_lets_only_coaches_record(self):
        url = self.unit_url(self.unit, "coaching_session_create")
        upload_url = self.unit_url(self.unit, "coaching_file_upload", self.session.pk)
        for person, status in (
            (self.operator, 403),
            (self.leader, 403),
            (self.coordinator, 404),
            (self.outsider, 404),
        ):
            with self.subTest(person=person.username):
                self.assertEqual(self.as_(person).post(url, self.form()).status_code, status)
                self.assertEqual(self.as_(person).post(upload_url).status_code, status)
        self.assertEqual(CoachingSession.objects.count(), 1)

    def test_it_adds_an_attachment_to_a_session(self):
        url = self.unit_url(self.unit, "coaching_file_upload", self.session.pk)
        client = self.as_(self.admin)
        response = client.post(url, {"lampiran": SimpleUploadedFile("foto.pdf", PDF)})
        self.assertRedirects(response, self.unit_url(self.unit) + f"#sesi-{self.session.pk}")
        response = client.post(url, {})
        self.assertContains(response, "Lampiran: pilih berkas yang dilampirkan.")
        other = reverse(
            "scoring:coaching_file_upload",
            args=[self.finished.pk, self.other_unit.pk, self.session.pk],
        )
        self.assertEqual(client.post(other).status_code, 404)
        self.assertEqual(self.session.files.count(), 2)

    def test_it_serves_attachments_to_those_who_read_the_page(self):
        url = self.unit_url(self.unit, "coaching_file_download", self.attachment.pk)
        for person in (self.admin, self.operator, self.leader, self.lamsel_coordinator):
            with self.subTest(person=person.username):
                response = self.as_(person).get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(b"".join(response.streaming_content), PDF)
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertEqual(response["X-Content-Type-Options"], "nosniff")
                self.assertIn(
                    'attachment; filename="daftar hadir.pdf"', response["Content-Disposition"]
                )
        for person in (self.coordinator, self.evaluator, self.outsider):
            with self.subTest(person=person.username):
                self.assertEqual(self.as_(person).get(url).status_code, 404)
        # The file of another unit's page is not served through this one.
        wrong = reverse(
            "scoring:coaching_file_download",
            args=[
                self.finished.pk,
                ServiceUnit.objects.get(name="Kab 0001").pk,
                self.attachment.pk,
            ],
        )
        self.assertEqual(self.as_(self.admin).get(wrong).status_code, 404)

    def test_it_shows_the_page_in_constant_queries(self):
        url = self.unit_url(self.unit)
        small = self.queries(url, self.operator)
        for n in range(6):
            session = services.coaching_session_record(
                priority=self.priority,
                held_on=TODAY - dt.timedelta(days=n),
                mode="luring",
                people=f"Peserta {n}",
                topics="Topik",
                files=[SimpleUploadedFile(f"f{n}.pdf", PDF), SimpleUploadedFile(f"g{n}.pdf", PDF)],
                by=self.admin,
            )
            self.assertEqual(session.files.count(), 2)
        self.assertEqual(self.queries(url, self.operator), small)
        self.assertEqual(small, 10)  # with the top bar's bell

    queries = PriorityListTest.queries
