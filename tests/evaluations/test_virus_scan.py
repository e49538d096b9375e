"""Virus scan of uploads through a real clamd, started by this module.

Virus definitions cannot be downloaded here (freshclam needs the internet), so clamd runs
with a one-signature database that knows the EICAR test string; CI installs clamav-daemon.
The EICAR string is assembled at run time so that this file itself is not flagged.
"""

import shutil
import socket
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, override_settings
from django.urls import reverse

from evaluations.models import Evidence, FieldVisit, FieldVisitPhoto
from pekppp.lib.clamd import Clamd, ClamdError

from . import f01_factories as ff
from . import f02_factories as f2
from .test_evidence import EvidenceCase, stored_files

EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
CLAMD = shutil.which("clamd") or next(
    (p for p in ("/usr/sbin/clamd", "/usr/local/sbin/clamd") if Path(p).exists()), None
)
_daemon: dict = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def setUpModule():
    if CLAMD is None:
        return
    folder = Path(tempfile.mkdtemp(prefix="pekppp-clamd-"))
    (folder / "db").mkdir()
    (folder / "db" / "eicar.ndb").write_text(f"Eicar-Test-Signature:0:*:{EICAR.hex()}\n")
    port = _free_port()
    (folder / "clamd.conf").write_text(
        f"DatabaseDirectory {folder / 'db'}\nLocalSocket {folder / 'clamd.sock'}\n"
        f"TCPSocket {port}\nTCPAddr 127.0.0.1\nForeground yes\nLogFile {folder / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(folder / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        if (folder / "clamd.sock").exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    _daemon.update(process=process, folder=folder, socket=str(folder / "clamd.sock"), port=port)


def tearDownModule():
    if _daemon:
        _daemon["process"].terminate()
        _daemon["process"].wait(timeout=30)
        shutil.rmtree(_daemon["folder"], ignore_errors=True)


class ScannedByClamd:
    """Mixin: uploads are scanned by the module's clamd; the class is skipped without one."""

    @classmethod
    def setUpClass(cls):
        if not _daemon:
            raise unittest.SkipTest("clamd is not installed (apt-get install clamav-daemon)")
        cls.enterClassContext(override_settings(CLAMD_SOCKET=_daemon["socket"]))
        super().setUpClass()


class ClamdClientTest(ScannedByClamd, SimpleTestCase):
    def test_it_finds_eicar_and_passes_clean_bytes_over_the_unix_socket(self):
        clamd = Clamd(socket_path=_daemon["socket"])
        self.assertEqual(clamd.scan([b"%PDF-1.4 ", EICAR]), "Eicar-Test-Signature.UNOFFICIAL")
        self.assertIsNone(clamd.scan([b"%PDF-1.4 laporan", b" tahunan"]))

    def test_it_speaks_tcp_too(self):
        clamd = Clamd(host="127.0.0.1", port=_daemon["port"])
        self.assertEqual(clamd.scan([EICAR]), "Eicar-Test-Signature.UNOFFICIAL")

    def test_it_raises_when_clamd_cannot_be_reached(self):
        with self.assertRaises(ClamdError):
            Clamd(socket_path=_daemon["socket"] + ".missing").scan([b"x"])


class EvidenceScanTest(ScannedByClamd, EvidenceCase):
    def url(self):
        return reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[0].pk])

    def test_it_refuses_an_infected_upload_and_stores_nothing(self):
        self.client.force_login(self.operator)
        before = stored_files()
        response = self.client.post(
            self.url(), {"files": [ff.upload("laporan.pdf", ff.PDF_BYTES + EICAR)]}, follow=True
        )
        self.assertContains(
            response,
            "laporan.pdf: Berkas ditolak: pemindai virus menemukan "
            "Eicar-Test-Signature.UNOFFICIAL.",
        )
        self.assertFalse(Evidence.objects.exists())
        self.assertEqual(stored_files(), before)

    def test_it_stores_a_clean_upload_after_scanning_it(self):
        self.client.force_login(self.operator)
        response = self.client.post(self.url(), {"files": [ff.upload("sk.pdf", ff.PDF_BYTES)]})
        self.assertEqual(response.status_code, 302)
        revision = Evidence.objects.get().revisions.get()
        with revision.file.open("rb") as handle:
            self.assertEqual(handle.read(), ff.PDF_BYTES)  # read back whole after the scan
        self.assertIs(revision.virus_scanned, True)  # recorded: the API says "clean"


class EvidenceScannerDownTest(EvidenceCase):
    def test_it_refuses_uploads_while_clamd_cannot_be_reached(self):
        self.client.force_login(self.operator)
        missing = str(Path(tempfile.gettempdir()) / "pekppp-no-clamd.sock")
        with override_settings(CLAMD_SOCKET=missing):
            response = self.client.post(
                reverse("evaluations:evidence_upload", args=[self.assessment.pk, self.ind[0].pk]),
                {"files": [ff.upload("sk.pdf", ff.PDF_BYTES)]},
                follow=True,
            )
        self.assertContains(response, "Pemindai virus sedang tidak dapat dihubungi")
        self.assertFalse(Evidence.objects.exists())


class VisitPhotoScanTest(ScannedByClamd, f2.F02TestCase):
    def test_it_refuses_an_infected_photo_and_records_nothing(self):
        f2.set_status(self.assessment, f2.Status.IN_EVALUATION)
        self.client.force_login(self.evaluator)
        response = self.client.post(
            reverse("evaluations:field_visit", args=[self.assessment.pk]),
            {
                "visit_date": "2020-01-02",
                "people_met": "Kepala Dinas",
                "observations": "Ruang tunggu bersih.",
                "photos": [SimpleUploadedFile("loket.png", f2.png_bytes() + EICAR)],
            },
        )
        self.assertContains(
            response,
            "loket.png: Berkas ditolak: pemindai virus menemukan Eicar-Test-Signature.UNOFFICIAL.",
        )
        self.assertFalse(FieldVisit.objects.exists())
        self.assertFalse(FieldVisitPhoto.objects.exists())
