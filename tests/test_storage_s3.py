"""Private files in an S3-compatible bucket: evidence, visit photos and documents.

The bucket lives in a real S3 server (moto's, over HTTP on 127.0.0.1) started by this module;
the portal talks to it through django-storages exactly as it would to AWS or MinIO.
"""

import hashlib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from evaluations.models import EvidenceRevision, FieldVisitPhoto
from evaluations.services.evidence import evidence_replace
from evaluations.storage import private_storage
from reports.models import DocumentStatus
from reports.tasks import document_build
from tests.evaluations import f01_factories as ff
from tests.evaluations import f02_factories as f2
from tests.evaluations import test_evidence
from tests.reports import test_documents

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

BUCKET = "pekppp-private-test"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}
_server = None


def setUpModule():
    global _server
    _server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    _server.start()
    S3Case.s3().create_bucket(Bucket=BUCKET)


def tearDownModule():
    _server.stop()


class S3Case:
    """Mixin: STORAGES["private"] is the test bucket for the whole class, data included."""

    @staticmethod
    def endpoint() -> str:
        host, port = _server.get_host_and_port()
        return f"http://{host}:{port}"

    @classmethod
    def s3(cls):
        return boto3.client("s3", endpoint_url=cls.endpoint(), region_name="us-east-1", **KEYS)

    @classmethod
    def setUpClass(cls):
        # The same OPTIONS as settings.py builds from AWS_STORAGE_BUCKET_NAME, pointed here.
        private = {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": cls.endpoint(),
                "region_name": "us-east-1",
                "access_key": KEYS["aws_access_key_id"],
                "secret_key": KEYS["aws_secret_access_key"],
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "max_memory_size": 2 * 1024 * 1024,
            },
        }
        cls.enterClassContext(override_settings(STORAGES=settings.STORAGES | {"private": private}))
        super().setUpClass()

    def stored(self, name: str) -> bytes:
        """The object's bytes, read with the owner's credentials."""
        return self.s3().get_object(Bucket=BUCKET, Key=name)["Body"].read()

    def assert_private(self, name: str) -> None:
        """An anonymous GET of the object's address is refused by the S3 server."""
        with self.assertRaises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{self.endpoint()}/{BUCKET}/{name}", timeout=10)
        self.assertEqual(refused.exception.code, 403)

    def assert_streamed(self, response, data: bytes) -> None:
        """The view itself sends the bytes: no redirect, no bucket address for the browser."""
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Location", response)
        self.assertEqual(b"".join(response.streaming_content), data)
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")


class EvidenceS3Test(S3Case, test_evidence.EvidenceCase):
    def test_it_uses_the_bucket_for_the_private_alias(self):
        self.assertEqual(type(storages["private"]).__name__, "S3Storage")
        self.assertIs(private_storage()._wrapped, storages["private"])
        self.assertEqual(EvidenceRevision._meta.get_field("file").storage.bucket_name, BUCKET)

    def test_it_stores_an_upload_in_the_bucket_and_streams_it_to_those_who_may_see_it(self):
        self.client.force_login(self.operator)
        url = reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[0].pk])
        response = self.client.post(url, {"files": [ff.upload("SK.pdf", ff.PDF_BYTES)]})
        self.assertEqual(response.status_code, 302)
        revision = EvidenceRevision.objects.get()
        self.assertRegex(
            revision.file.name, rf"^evidence/{self.assessment.pk}/[0-9a-f]{{32}}\.pdf$"
        )
        self.assertEqual(self.stored(revision.file.name), ff.PDF_BYTES)
        local = Path(settings.PRIVATE_MEDIA_ROOT) / revision.file.name
        self.assertFalse(local.exists())  # nothing on this machine's disk
        self.assert_private(revision.file.name)

        download = reverse("evaluations:evidence_download", args=[revision.pk])
        response = self.client.get(download)
        self.assert_streamed(response, ff.PDF_BYTES)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="SK.pdf"')
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.client.force_login(self.outsider)
        response = self.client.get(download)
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.endpoint(), response.content.decode())

    def test_a_new_revision_keeps_the_first_object(self):
        evidence = self.upload("v1.pdf")
        evidence_replace(
            evidence=evidence, file=ff.upload("v2.png", ff.PNG_BYTES), by=self.operator
        )
        first, second = evidence.revisions.order_by("number")
        self.assertEqual(
            (self.stored(first.file.name), self.stored(second.file.name)),
            (ff.PDF_BYTES, ff.PNG_BYTES),
        )

    def test_a_missing_object_is_a_404(self):
        revision = self.upload().revisions.get()
        self.s3().delete_object(Bucket=BUCKET, Key=revision.file.name)
        self.client.force_login(self.operator)
        response = self.client.get(reverse("evaluations:evidence_download", args=[revision.pk]))
        self.assertEqual(response.status_code, 404)


class VisitPhotoS3Test(S3Case, f2.F02TestCase):
    def test_it_stores_a_visit_photo_in_the_bucket_and_streams_it_inline(self):
        f2.set_status(self.assessment, f2.Status.IN_EVALUATION)
        self.client.force_login(self.evaluator)
        png = f2.png_bytes()
        response = self.client.post(
            reverse("evaluations:field_visit", args=[self.assessment.pk]),
            {
                "visit_date": "2020-01-02",
                "people_met": "Kepala Dinas",
                "observations": "Ruang tunggu bersih.",
                "photos": [SimpleUploadedFile("Loket.png", png)],
            },
        )
        self.assertEqual(response.status_code, 302)
        photo = FieldVisitPhoto.objects.get()
        self.assertEqual(self.stored(photo.file.name), png)
        self.assert_private(photo.file.name)

        url = reverse("evaluations:visit_photo_download", args=[photo.pk])
        response = self.client.get(url)
        self.assert_streamed(response, png)
        self.assertEqual(response["Content-Disposition"], 'inline; filename="Loket.png"')
        self.client.force_login(self.stranger)
        self.assertEqual(self.client.get(url).status_code, 404)


class DocumentS3Test(S3Case, test_documents.PublishedWorld):
    def build(self):
        with self.captureOnCommitCallbacks(execute=False):
            document = self.ranked()
        document_build.apply(args=[document.pk])
        document.refresh_from_db()
        return document

    def test_a_built_document_is_stored_in_the_bucket_once_and_streamed(self):
        document = self.build()
        self.assertEqual(document.status, DocumentStatus.DONE, document.error)
        data = self.stored(document.file.name)
        self.assertEqual(
            (len(data), hashlib.sha256(data).hexdigest()), (document.size, document.sha256)
        )
        self.assert_private(document.file.name)

        url = reverse("reports:document_download", args=[document.pk])
        self.client.force_login(self.admin)
        response = self.client.get(url)
        self.assert_streamed(response, data)
        self.assertEqual(
            response["Content-Disposition"],
            'attachment; filename="peringkat-pekppp-nasional-2023.xlsx"',
        )
        self.client.force_login(self.outsider)
        self.assertEqual(self.client.get(url).status_code, 404)

        # A second run replaces the object under the same name, never a suffixed copy.
        type(document).objects.filter(pk=document.pk).update(status=DocumentStatus.QUEUED)
        document_build.apply(args=[document.pk])
        document.refresh_from_db()
        self.assertEqual(self.stored(document.file.name), data)
        folder = document.file.name.rsplit("/", 1)[0] + "/"
        listed = self.s3().list_objects_v2(Bucket=BUCKET, Prefix=folder).get("Contents", [])
        self.assertEqual([o["Key"] for o in listed], [document.file.name])
