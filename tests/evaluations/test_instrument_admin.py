"""Instrument versions in the admin: export, import a new version, copy forward."""

import json

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from evaluations import instrument_file
from evaluations.models import InstrumentVersion, Level
from evaluations.services import instrument_export, instrument_import
from tests import factories as f
from tests.base import PersonaTestCase


def export_url(instrument) -> str:
    return reverse("admin:evaluations_instrumentversion_export", args=[instrument.pk])


def copy_url(instrument) -> str:
    return reverse("admin:evaluations_instrumentversion_copy", args=[instrument.pk])


def change_url(instrument) -> str:
    return reverse("admin:evaluations_instrumentversion_change", args=[instrument.pk])


IMPORT_URL = "/admin/evaluations/instrumentversion/impor/"
CHANGELIST_URL = "/admin/evaluations/instrumentversion/"


def upload(doc: dict | bytes, name: str = "instrumen.json") -> SimpleUploadedFile:
    raw = doc if isinstance(doc, bytes) else json.dumps(doc, ensure_ascii=False).encode("utf-8")
    return SimpleUploadedFile(name, raw, content_type="application/json")


def contents(instrument: InstrumentVersion) -> dict:
    """Everything a version says, without its code, name, year, ids or checksum."""
    return {
        "settings": (
            instrument.variant,
            instrument.legal_basis,
            instrument.description,
            instrument.provisional,
            instrument.survey_weight,
            instrument.min_respondents,
        ),
        "aspects": list(instrument.aspects.values_list("order", "code", "name", "weight")),
        "indicators": list(
            instrument.indicators.values_list(
                "number",
                "code",
                "aspect__code",
                "title",
                "question",
                "weight",
                "supplementary",
                "evidence_guidance",
                "evidence_required",
            )
        ),
        "levels": list(
            Level.objects.filter(indicator__instrument=instrument)
            .order_by("indicator__number", "value")
            .values_list("indicator__number", "value", "description")
        ),
        "survey": list(instrument.survey_items.values_list("number", "text")),
        "bands": list(instrument.grade_bands.values_list("grade", "min_ipp", "max_ipp", "label")),
    }


class InstrumentAdminTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        raw = (instrument_file.SHIPPED_DIR / "2022-A.json").read_bytes()
        cls.v2022, _ = instrument_import(data=instrument_file.parse(raw))
        cls.staff = f.make_user("staf-biasa", is_staff=True)
        cls.superuser = f.make_user("super", is_staff=True, is_superuser=True)

    def messages_of(self, response) -> list[str]:
        return [str(m) for m in get_messages(response.wsgi_request)]

    # --- export -----------------------------------------------------------------------------

    def test_it_exports_a_version_as_a_json_attachment(self):
        self.client.force_login(self.admin)
        response = self.client.get(export_url(self.v2022))

        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="2022-A.json"')
        body = response.content.decode("utf-8")
        self.assertEqual(
            body, json.dumps(instrument_export(self.v2022), indent=2, ensure_ascii=False) + "\n"
        )
        self.assertTrue(body.startswith('{\n  "format": 1,\n  "code": "2022-A",'))
        self.assertEqual(instrument_file.validate(json.loads(body)), [])

    def test_it_exports_text_as_utf8_not_escapes(self):
        instrument = f.make_instrument("UJI-UTF8", name="Instrumen uji – σ 0,25 “luring”")
        self.client.force_login(self.admin)
        response = self.client.get(export_url(instrument))
        self.assertIn("Instrumen uji – σ 0,25 “luring”".encode(), response.content)
        self.assertNotIn(b"\\u", response.content)

    def test_export_round_trips_through_import(self):
        self.client.force_login(self.admin)
        exported = json.loads(self.client.get(export_url(self.v2022)).content)
        exported["code"] = "2022-A-rev"
        exported["name"] = "Instrumen PEKPPP 2022 Kode A (revisi)"

        response = self.client.post(IMPORT_URL, {"file": upload(exported, "2022-A-rev.json")})

        new = InstrumentVersion.objects.get(code="2022-A-rev")
        self.assertRedirects(response, change_url(new))
        self.assertEqual(
            self.messages_of(response),
            ["Versi instrumen “2022-A-rev” dibuat dari berkas 2022-A-rev.json."],
        )
        self.assertEqual(new.name, "Instrumen PEKPPP 2022 Kode A (revisi)")
        self.assertEqual(contents(new), contents(self.v2022))
        self.assertEqual(new.indicators.filter(supplementary=False).count(), 30)
        self.assertEqual(Level.objects.filter(indicator__instrument=new).count(), 31 * 6)
        # The original is untouched and exporting the copy gives the same document back.
        self.assertEqual(InstrumentVersion.objects.filter(code="2022-A").count(), 1)
        self.assertEqual(instrument_export(new), exported)

    # --- import -----------------------------------------------------------------------------

    def test_it_shows_the_import_form_with_the_format(self):
        self.client.force_login(self.admin)
        response = self.client.get(IMPORT_URL)
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "admin/evaluations/instrumentversion/import_form.html")
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'type="file" name="file"')

    def test_a_broken_upload_lists_every_problem_and_saves_nothing(self):
        doc = f.instrument_document("UJI-RUSAK")
        doc["aspects"][0]["indicators"][1]["weight"] = "0"
        del doc["aspects"][1]["indicators"][0]["levels"]["3"]
        doc["aspects"][5]["weight"] = "13"
        doc["grade_bands"][2]["min"] = "3.60"
        doc["survey_weight"] = "1.5"
        count = InstrumentVersion.objects.count()
        self.client.force_login(self.admin)

        response = self.client.post(IMPORT_URL, {"file": upload(doc)})

        self.assertEqual(response.status_code, 200)
        self.assertEqual(InstrumentVersion.objects.count(), count)
        self.assertFalse(InstrumentVersion.objects.filter(code="UJI-RUSAK").exists())
        self.assertContains(response, "Berkas ditolak karena 5 masalah berikut")
        for problem in [
            "'survey_weight' (σ) harus antara 0 dan 1",
            "aspek I, indikator 2 (2.x.K): bobot harus bilangan positif (ditulis '0')",
            "aspek II, indikator 10 (10.x.K): rubrik tingkat 3 belum ada",
            "jumlah bobot aspek harus 100 (tertulis 101)",
            "tabel predikat: ada celah atau tumpang tindih antara B- dan B",
        ]:
            self.assertContains(response, f"<li>{escape(problem)}</li>", html=True)
        self.assertContains(response, 'type="file" name="file"')

    def test_an_upload_that_is_not_json_is_refused(self):
        count = InstrumentVersion.objects.count()
        self.client.force_login(self.admin)
        response = self.client.post(IMPORT_URL, {"file": upload(b"Ini bukan JSON", "catatan.txt")})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "bukan berkas JSON yang sah")
        self.assertEqual(InstrumentVersion.objects.count(), count)

    def test_an_import_without_a_file_asks_for_one(self):
        self.client.force_login(self.admin)
        response = self.client.post(IMPORT_URL, {})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["file"])

    def test_import_refuses_to_replace_a_version_a_cycle_uses(self):
        # The persona world's cycles use UJI-2022.
        doc = instrument_export(self.instrument)
        doc["name"] = "Nama baru"
        before = contents(self.instrument)
        self.client.force_login(self.admin)

        response = self.client.post(IMPORT_URL, {"file": upload(doc)})

        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            escape(
                "versi 'UJI-2022' sudah dipakai periode evaluasi dan tidak dapat diubah; "
                "impor sebagai versi baru dengan kode lain"
            ),
        )
        self.instrument.refresh_from_db()
        self.assertEqual(self.instrument.name, "Instrumen uji UJI-2022")
        self.assertEqual(contents(self.instrument), before)

    def test_import_replaces_an_unused_version_with_the_same_code(self):
        doc = instrument_export(self.v2022)
        doc["name"] = "Instrumen PEKPPP 2022 Kode A (diperbaiki)"
        self.client.force_login(self.admin)

        response = self.client.post(IMPORT_URL, {"file": upload(doc)}, follow=True)

        v = InstrumentVersion.objects.get(code="2022-A")
        self.assertRedirects(response, change_url(v))
        self.assertEqual(v.name, "Instrumen PEKPPP 2022 Kode A (diperbaiki)")
        self.assertContains(response, "Versi instrumen “2022-A” diganti dengan isi berkas")

    def test_importing_the_same_document_again_changes_nothing(self):
        self.client.force_login(self.admin)
        exported = self.client.get(export_url(self.v2022)).content
        response = self.client.post(IMPORT_URL, {"file": upload(exported, "2022-A.json")})
        self.assertRedirects(response, change_url(self.v2022))
        self.assertEqual(
            self.messages_of(response),
            ["Versi instrumen “2022-A” sama dengan berkas 2022-A.json; tidak ada yang berubah."],
        )

    # --- copy forward -----------------------------------------------------------------------

    def test_the_copy_form_suggests_next_year(self):
        self.client.force_login(self.admin)
        response = self.client.get(copy_url(self.v2022))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["form"].initial, {"name": self.v2022.name, "year": 2023})

    def test_it_copies_a_version_forward(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            copy_url(self.v2022),
            {"code": "2026-A", "name": "Instrumen PEKPPP 2026 Kode A", "year": "2026"},
        )

        new = InstrumentVersion.objects.get(code="2026-A")
        self.assertRedirects(response, change_url(new))
        self.assertEqual(
            self.messages_of(response), ["Versi “2022-A” disalin menjadi versi baru “2026-A”."]
        )
        self.assertEqual((new.name, new.year), ("Instrumen PEKPPP 2026 Kode A", 2026))
        self.assertEqual(new.indicators.count(), self.v2022.indicators.count())
        self.assertEqual(
            Level.objects.filter(indicator__instrument=new).count(),
            Level.objects.filter(indicator__instrument=self.v2022).count(),
        )
        self.assertEqual(contents(new), contents(self.v2022))

    def test_copying_to_a_taken_code_shows_the_error(self):
        count = InstrumentVersion.objects.count()
        self.client.force_login(self.admin)
        response = self.client.post(
            copy_url(self.v2022), {"code": "UJI-2022", "name": "Salinan", "year": "2026"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["code"],
            ["Kode versi “UJI-2022” sudah dipakai; pilih kode lain."],
        )
        self.assertContains(response, "Kode versi “UJI-2022” sudah dipakai; pilih kode lain.")
        self.assertEqual(InstrumentVersion.objects.count(), count)

    def test_copying_refuses_a_code_that_cannot_be_a_file_name(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            copy_url(self.v2022), {"code": "../2026", "name": "Salinan", "year": "2026"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("code", response.context["form"].errors)
        self.assertFalse(InstrumentVersion.objects.filter(code="../2026").exists())

    # --- pages and links --------------------------------------------------------------------

    def test_the_change_page_links_to_export_and_copy_and_shows_use(self):
        self.client.force_login(self.admin)
        response = self.client.get(change_url(self.instrument))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="{export_url(self.instrument)}"')
        self.assertContains(response, f'href="{copy_url(self.instrument)}"')
        self.assertContains(response, "Dipakai oleh periode evaluasi berikut")
        self.assertContains(response, "PEKPPP Nasional 2024")
        # Read-only: no save button, and the aspects are listed.
        self.assertNotContains(response, 'name="_save"')
        self.assertContains(response, "Kebijakan Pelayanan")

        unused = self.client.get(change_url(self.v2022))
        self.assertContains(unused, "Belum dipakai periode evaluasi")

    def test_the_changelist_has_the_import_button_and_marks_versions_in_use(self):
        self.client.force_login(self.admin)
        response = self.client.get(CHANGELIST_URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'href="{IMPORT_URL}"')
        self.assertContains(response, "Impor versi baru")
        rows = {v.code: v.used for v in response.context["cl"].result_list}
        self.assertEqual(rows, {"UJI-2022": True, "2022-A": False})

    def test_the_changelist_does_not_query_per_version(self):
        self.client.force_login(self.admin)
        self.client.get(CHANGELIST_URL)  # warm the session and content types
        with CaptureQueriesContext(connection) as few:
            self.client.get(CHANGELIST_URL)
        for n in range(5):
            f.make_cycle(f.make_instrument(f"UJI-N{n}"))
        with CaptureQueriesContext(connection) as many:
            response = self.client.get(CHANGELIST_URL)
        self.assertEqual(len(response.context["cl"].result_list), 7)
        self.assertEqual(len(many), len(few))

    def test_the_indicator_admin_lists_indicators_with_their_levels(self):
        self.client.force_login(self.admin)
        response = self.client.get(
            "/admin/evaluations/indicator/", {"instrument__id__exact": self.v2022.pk}
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["cl"].result_count, 31)
        indicator = self.v2022.indicators.get(number=1)
        page = self.client.get(f"/admin/evaluations/indicator/{indicator.pk}/change/")
        self.assertEqual(page.status_code, 200)
        self.assertContains(page, escape(indicator.levels.get(value=5).description))

    # --- who may -----------------------------------------------------------------------------

    def views(self):
        """(method, url, data) of the three views."""
        return [
            ("get", export_url(self.v2022), None),
            ("get", IMPORT_URL, None),
            ("post", IMPORT_URL, {"file": upload(f.instrument_document("UJI-ORANG-LAIN"))}),
            ("get", copy_url(self.v2022), None),
            ("post", copy_url(self.v2022), {"code": "UJI-ORANG-LAIN", "name": "x", "year": "2026"}),
        ]

    def request(self, method, url, data):
        send = getattr(self.client, method)
        return send(url, data) if data else send(url)

    def test_anonymous_is_sent_to_the_admin_login(self):
        for method, url, data in self.views():
            with self.subTest(method=method, url=url):
                response = self.request(method, url, data)
                self.assertRedirects(
                    response, f"/admin/login/?next={url}", fetch_redirect_response=False
                )
        self.assertFalse(InstrumentVersion.objects.filter(code="UJI-ORANG-LAIN").exists())

    def test_people_who_are_not_staff_are_sent_to_the_admin_login(self):
        for persona in (self.outsider, self.coordinator, self.evaluator):
            self.client.force_login(persona)
            for method, url, data in self.views():
                with self.subTest(persona=persona.username, method=method, url=url):
                    response = self.request(method, url, data)
                    self.assertEqual(response.status_code, 302)
                    self.assertTrue(response["Location"].startswith("/admin/login/"))

    def test_staff_without_the_ministry_admin_role_get_403(self):
        # Even holding the model permissions: the views are for ministry admins.
        self.staff.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="evaluations", codename__contains="instrumentversion"
            )
        )
        self.coordinator.is_staff = True
        self.coordinator.save()
        for persona in (self.staff, self.coordinator):
            self.client.force_login(persona)
            for method, url, data in self.views():
                with self.subTest(persona=persona.username, method=method, url=url):
                    self.assertEqual(self.request(method, url, data).status_code, 403)
        self.assertFalse(InstrumentVersion.objects.filter(code="UJI-ORANG-LAIN").exists())

    def test_staff_who_may_view_versions_see_no_links_to_the_views(self):
        self.staff.user_permissions.add(Permission.objects.get(codename="view_instrumentversion"))
        self.client.force_login(self.staff)
        page = self.client.get(change_url(self.v2022))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, export_url(self.v2022))
        self.assertNotContains(page, copy_url(self.v2022))
        self.assertNotContains(self.client.get(CHANGELIST_URL), IMPORT_URL)

    def test_staff_without_any_role_or_permission_cannot_see_versions(self):
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(CHANGELIST_URL).status_code, 403)

    def test_ministry_admins_and_superusers_may_use_the_views(self):
        for persona in (self.admin, self.superuser):
            self.client.force_login(persona)
            for method, url, data in self.views()[:2] + self.views()[3:4]:
                with self.subTest(persona=persona.username, url=url):
                    self.assertEqual(self.request(method, url, data).status_code, 200)
