"""The evaluator's field visit record and the permission-checked photo download."""

import datetime as dt
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from evaluations.models import FieldVisit, FieldVisitPhoto, Phase
from evaluations.services.f02 import field_visit_save
from tests import factories as f

from . import f01_factories
from . import f02_factories as ff
from .f02_factories import F02TestCase, Status


class FieldVisitTest(F02TestCase):
    def setUp(self):
        ff.set_status(self.assessment, Status.IN_EVALUATION)
        self.client.force_login(self.evaluator)
        self.url = reverse("evaluations:field_visit", args=[self.assessment.pk])
        self.visit_day = timezone.localdate() - dt.timedelta(days=3)

    def visit_data(self, *photos, **fields):
        data = {
            "visit_date": self.visit_day.isoformat(),
            "people_met": "Kepala Dinas; petugas loket",
            "observations": "Ruang tunggu bersih; papan standar pelayanan terpasang.",
        }
        data |= fields
        if photos:
            data["photos"] = list(photos)
        return data

    def test_it_saves_a_visit_with_a_png_photo(self):
        png = ff.png_bytes()
        upload = SimpleUploadedFile("Loket depan.PNG", png, content_type="application/octet-stream")
        response = self.client.post(self.url, self.visit_data(upload))
        self.assertRedirects(response, self.url)
        visit = FieldVisit.objects.get(assignment=self.assignment)
        self.assertEqual(visit.visit_date, self.visit_day)
        self.assertEqual(visit.people_met, "Kepala Dinas; petugas loket")
        photo = visit.photos.get()
        self.assertEqual(
            (photo.original_name, photo.content_type, photo.extension, photo.size, photo.sha256),
            ("Loket depan.PNG", "image/png", ".png", len(png), hashlib.sha256(png).hexdigest()),
        )
        self.assertRegex(photo.file.name, rf"^visits/{self.assessment.pk}/[0-9a-f]{{32}}\.png$")
        with photo.file.open("rb") as fh:
            self.assertEqual(fh.read(), png)
        page = self.client.get(self.url)
        self.assertContains(page, reverse("evaluations:visit_photo_download", args=[photo.pk]))
        self.assertContains(page, "Ruang tunggu bersih")

    def test_it_refuses_a_file_that_is_not_jpeg_or_png_whatever_its_name(self):
        fake = SimpleUploadedFile("foto.png", b"%PDF-1.4 bukan gambar", content_type="image/png")
        response = self.client.post(self.url, self.visit_data(fake))
        self.assertContains(response, "foto.png: foto harus berupa berkas JPEG atau PNG.")
        self.assertFalse(FieldVisit.objects.exists())
        self.assertFalse(FieldVisitPhoto.objects.exists())

    @override_settings(EVIDENCE_MAX_FILE_MB=0)
    def test_it_refuses_a_photo_over_the_size_limit(self):
        big = SimpleUploadedFile("besar.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100)
        response = self.client.post(self.url, self.visit_data(big))
        self.assertContains(response, "besar.jpg: ukuran berkas melebihi 0 MB.")
        self.assertFalse(FieldVisitPhoto.objects.exists())

    def test_it_refuses_an_image_bomb_with_its_name_and_dimensions(self):
        for fmt, name in (("PNG", "denah.png"), ("JPEG", "loket.jpg")):
            with self.subTest(fmt):
                bomb = SimpleUploadedFile(name, f01_factories.image_bomb(fmt, 20000, 20000))
                response = self.client.post(self.url, self.visit_data(bomb))
                self.assertContains(response, f"{name}: Gambar ini berukuran 20000 × 20000 piksel")
                self.assertFalse(FieldVisitPhoto.objects.exists())
        # Any other refused file is simply not a photo.
        pdf = f01_factories.pdf_bytes(catalog={"/OpenAction": f01_factories.pdf_action("/URI")})
        response = self.client.post(self.url, self.visit_data(SimpleUploadedFile("x.png", pdf)))
        self.assertContains(response, "x.png: foto harus berupa berkas JPEG atau PNG.")

    def test_it_refuses_a_nul_in_a_text_naming_the_field(self):
        response = self.client.post(self.url, self.visit_data(people_met="Kepala\x00 dinas"))
        self.assertContains(response, "Pihak yang ditemui: Karakter null tidak diizinkan.")
        self.assertNotContains(response, "Tanggal kunjungan tidak valid.")
        self.assertFalse(FieldVisit.objects.exists())
        response = self.client.post(self.url, self.visit_data(visit_date="kemarin"))
        self.assertContains(response, "Tanggal kunjungan tidak valid.")

    def test_it_lists_every_missing_field(self):
        response = self.client.post(
            self.url, {"visit_date": "", "people_met": " ", "observations": ""}
        )
        for problem in (
            "Tanggal kunjungan wajib diisi.",
            "Pihak yang ditemui wajib diisi.",
            "Hasil pengamatan wajib diisi.",
        ):
            self.assertContains(response, problem)
        self.assertFalse(FieldVisit.objects.exists())

    def test_it_updates_the_visit_and_adds_photos(self):
        self.client.post(self.url, self.visit_data(SimpleUploadedFile("a.png", ff.png_bytes())))
        self.client.post(
            self.url,
            self.visit_data(
                SimpleUploadedFile("b.jpg", b"\xff\xd8\xff\xe0JFIF"), observations="Diperbarui"
            ),
        )
        visit = FieldVisit.objects.get()
        self.assertEqual(visit.observations, "Diperbarui")
        self.assertEqual(
            sorted(visit.photos.values_list("original_name", "content_type")),
            [("a.png", "image/png"), ("b.jpg", "image/jpeg")],
        )

    def test_it_refuses_outside_the_evaluation_window(self):
        f.close_window(self.cycle, Phase.EVALUATION)
        response = self.client.post(self.url, self.visit_data())
        self.assertContains(response, "sudah ditutup")
        self.assertFalse(FieldVisit.objects.exists())

    def test_it_walks_the_page_permissions(self):
        for user, status in [
            (self.operator, 403),
            (self.admin, 403),
            (self.stranger, 404),
            (self.outsider, 404),
            (self.evaluator2, 200),
            (self.evaluator, 200),
        ]:
            self.client.force_login(user)
            self.assertEqual(self.client.get(self.url).status_code, status, user)
        self.client.logout()
        self.assertEqual(self.client.get(self.url).status_code, 302)


class VisitPhotoDownloadTest(F02TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        ff.set_status(cls.assessment, Status.IN_EVALUATION)
        cls.png = ff.png_bytes(3, 3)
        visit = field_visit_save(
            assignment=cls.assignment,
            date=timezone.localdate() - dt.timedelta(days=2),
            people_met="Kepala Dinas",
            observations="Baik",
            photos=[SimpleUploadedFile('foto "loket"\n.png', cls.png)],
            by=cls.evaluator,
        )
        cls.photo = visit.photos.get()
        cls.lamsel_coordinator = f.make_user("koordinator-lamsel", agency=cls.lamsel)
        f.grant(cls.lamsel_coordinator, f.Role.COORDINATOR, agency=cls.lamsel)

    def test_it_serves_the_photo_only_to_the_team_and_overseers(self):
        url = reverse("evaluations:visit_photo_download", args=[self.photo.pk])
        cases = [
            (self.evaluator, 200),  # the visit's evaluator
            (self.evaluator2, 200),  # another evaluator of the same assessment
            (self.admin, 200),
            (self.lamsel_coordinator, 200),  # coordinator who can see the assessment
            (self.coordinator, 404),  # coordinator of another agency
            (self.operator, 403),  # sees the assessment, not the visit record
            (self.leader, 403),
            (self.stranger, 404),
            (self.outsider, 404),
        ]
        for user, status in cases:
            self.client.force_login(user)
            response = self.client.get(url)
            self.assertEqual(response.status_code, status, user)
            if status == 200:
                self.assertEqual(b"".join(response.streaming_content), self.png)
                self.assertEqual(response["Content-Type"], "image/png")
                self.assertTrue(response["Content-Disposition"].startswith("inline;"))
                self.assertNotIn("\n", response["Content-Disposition"])
        self.client.logout()
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.evaluator)
        missing = reverse("evaluations:visit_photo_download", args=[self.photo.pk + 1000])
        self.assertEqual(self.client.get(missing).status_code, 404)
