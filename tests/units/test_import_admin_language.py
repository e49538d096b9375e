"""The admin's spreadsheet import pages speak the reader's language: django-import-export ships
no Indonesian, the portal's catalogue `locale/import_export` adds it."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests import factories as f

from .test_imports import UNIT_HEADERS, ImportTestCase, csv_bytes, unit_rows


class ImportAdminLanguageTest(ImportTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.root = f.make_user("root", is_staff=True, is_superuser=True)

    def setUp(self):
        self.client.force_login(self.root)

    def test_it_shows_the_import_form_in_indonesian(self):
        for name in ("agency", "serviceunit", "roleassignment"):
            with self.subTest(name):
                response = self.client.get(reverse(f"admin:units_{name}_import"))
                self.assertEqual(response.status_code, 200)
                for text in (
                    "Impor ini memuat kolom berikut:",
                    "Berkas yang diimpor",
                    "Format berkas",
                    'value="Kirim"',
                ):
                    self.assertContains(response, text)
                for text in ("This importer will", "File to import", 'value="Submit"'):
                    self.assertNotContains(response, text)

    def test_it_shows_the_preview_in_indonesian(self):
        upload = SimpleUploadedFile("upp.csv", csv_bytes(UNIT_HEADERS, unit_rows(2)))
        response = self.client.post(
            reverse("admin:units_serviceunit_import"),
            {"resource": "0", "format": "0", "import_file": upload},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h2>Pratinjau</h2>", html=True)
        self.assertContains(response, 'value="Konfirmasi impor"')
        self.assertContains(response, "Berikut pratinjau data yang akan diimpor.")
        self.assertContains(response, "Baru", count=2)  # one mark per new row

    def test_it_keeps_english_for_english_readers(self):
        self.client.cookies["django_language"] = "en"
        response = self.client.get(reverse("admin:units_agency_import"))
        self.assertContains(response, "This importer will import the following fields:")
        self.assertContains(response, "File to import")
