"""`manage.py backup` and `manage.py restore`: the round trip of a published world with its
evidence, visit photos and documents, and every refusal leaving the installation untouched.

Runs on SQLite and on PostgreSQL (CI sets DATABASE_URL): the archive is the same on both.
"""

import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from pathlib import Path
from unittest import mock

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase

from evaluations.models import EvidenceRevision, FieldVisit, FieldVisitPhoto
from evaluations.storage import PRIVATE_STORAGE_ALIAS
from pekppp.backup import backed_up_models
from reports.models import Award, Document, DocumentKind, DocumentStatus
from scoring.models import PublishedResult
from tests import factories as f
from tests.scoring.public_factories import build_public_world
from units.models import User

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
XLSX = b"PK\x03\x04 a ranked report, as far as storage is concerned"


def row_counts() -> dict[str, int]:
    return {
        model._meta.label_lower: model._base_manager.count()
        for model in backed_up_models(include_auto_created=True)
    }


def rankings() -> list[tuple]:
    """The published rankings as the public reads them: per publication and unit."""
    return list(
        PublishedResult.objects.order_by("publication__cycle__year", "publication__revision")
        .values_list(
            "publication__cycle__name",
            "publication__revision",
            "unit_name",
            "ranking_group",
            "ipp",
            "grade",
            "rank",
            "rank_national",
            "rank_service_type",
            "aspects",
        )
        .order_by("publication__cycle__year", "rank_national", "unit_name")
    )


class BackupRestoreTest(TransactionTestCase):
    def setUp(self):
        self.workdir = Path(tempfile.mkdtemp(prefix="pekppp-backup-test-"))
        self.addCleanup(shutil.rmtree, self.workdir)
        self.archive = self.workdir / "cadangan.zip"
        # The award a migration ships: an earlier TransactionTestCase's flush may remove it.
        Award.objects.get_or_create(
            code="pelayanan-prima", defaults={"title": "Pelayanan Prima", "grades": ["A"]}
        )
        build_public_world(self)
        locus = self.cycle.assessments.get(unit=self.lamsel_unit)
        operator = f.make_user("operator-cadangan")
        indicators = list(self.cycle.instrument.indicators.order_by("number")[:2])
        self.revisions = [
            f.add_evidence(locus, indicators[0], operator),
            f.add_evidence(
                locus,
                indicators[1],
                operator,
                content=PNG,
                content_type="image/png",
                extension=".png",
            ),
        ]
        visit = FieldVisit.objects.create(
            assignment=f.assign(locus, f.make_evaluator(), lead=True),
            visit_date=dt.date(2023, 3, 1),
            people_met="Kepala dinas",
            observations="Ruang tunggu bersih",
        )
        photo = FieldVisitPhoto(
            visit=visit,
            original_name="ruang-tunggu.png",
            content_type="image/png",
            extension=".png",
            size=len(PNG),
            sha256=hashlib.sha256(PNG).hexdigest(),
        )
        photo.file.save("foto.png", ContentFile(PNG), save=True)
        document = Document.objects.create(
            key="ranked_xlsx:backup-test",
            kind=DocumentKind.RANKED_REPORT_XLSX,
            cycle=self.cycle,
            publication=self.publication,
            status=DocumentStatus.DONE,
            filename="laporan-peringkat.xlsx",
            sha256=hashlib.sha256(XLSX).hexdigest(),
            size=len(XLSX),
            requested_by=self.admin,
        )
        document.file.save("laporan-peringkat.xlsx", ContentFile(XLSX), save=True)

        self.counts = row_counts()
        self.rankings = rankings()
        self.stored = self.stored_files()
        out = io.StringIO()
        call_command("backup", str(self.archive), stdout=out)
        self.assertIn("4 berkas", out.getvalue())

    def stored_files(self) -> dict[str, bytes]:
        """Every stored file the rows name, by name, read through its field's storage."""
        found = {}
        for model in (EvidenceRevision, FieldVisitPhoto, Document):
            for row in model.objects.exclude(file=""):
                with row.file.storage.open(row.file.name) as handle:
                    found[row.file.name] = handle.read()
        return found

    def empty_installation(self) -> None:
        storage = EvidenceRevision._meta.get_field("file").storage
        for name in self.stored:
            storage.delete(name)
        call_command("flush", interactive=False, verbosity=0)

    def assert_empty(self) -> None:
        self.assertFalse(User.objects.exists())
        self.assertFalse(PublishedResult.objects.exists())
        storage = EvidenceRevision._meta.get_field("file").storage
        self.assertEqual([name for name in self.stored if storage.exists(name)], [])

    def restore(self, path: Path | None = None) -> str:
        out = io.StringIO()
        call_command("restore", str(path or self.archive), stdout=out)
        return out.getvalue()

    def rewrite(self, change) -> Path:
        """A copy of the archive with `change(name, data) -> data` applied to each member."""
        copy = self.workdir / "diubah.zip"
        with zipfile.ZipFile(self.archive) as source, zipfile.ZipFile(copy, "w") as target:
            for info in source.infolist():
                target.writestr(info, change(info.filename, source.read(info)))
        return copy

    def test_it_restores_rows_files_and_rankings_into_an_empty_installation(self):
        self.empty_installation()
        self.assert_empty()

        output = self.restore()

        self.assertIn("dipulihkan", output)
        with zipfile.ZipFile(self.archive) as archive:
            manifest = json.loads(archive.read("manifest.json"))
        self.assertEqual(row_counts(), self.counts)
        self.assertEqual(manifest["row_counts"], self.counts)
        self.assertGreater(self.counts["evaluations.evidencerevision"], 0)
        self.assertEqual(self.rankings, rankings())
        self.assertEqual(len(self.rankings), 8)
        for revision in EvidenceRevision.objects.all():
            with revision.file.open("rb") as handle:
                self.assertEqual(hashlib.sha256(handle.read()).hexdigest(), revision.sha256)
        self.assertEqual(self.stored_files(), self.stored)
        self.assertEqual(
            {entry["name"]: entry["sha256"] for entry in manifest["files"]},
            {name: hashlib.sha256(data).hexdigest() for name, data in self.stored.items()},
        )
        self.assertEqual(manifest["database"]["vendor"], connection.vendor)
        self.assertEqual(manifest["latest_migrations"]["reports"], "0003_result_letters")
        # Sequences continue after the restored ids: new rows can be written.
        newest = User.objects.order_by("-pk").values_list("pk", flat=True).first()
        self.assertGreater(f.make_user().pk, newest)

    def test_it_refuses_a_non_empty_installation(self):
        with self.assertRaisesMessage(CommandError, "Instalasi tujuan tidak kosong"):
            self.restore()
        self.assertEqual(row_counts(), self.counts)

    def test_it_refuses_files_already_in_storage(self):
        storage = EvidenceRevision._meta.get_field("file").storage
        self.empty_installation()
        name = self.revisions[0].file.name
        storage.save(name, ContentFile(b"sisa instalasi lama"))
        self.addCleanup(storage.delete, name)

        with self.assertRaisesMessage(CommandError, "1 berkas arsip sudah ada"):
            self.restore()
        self.assertFalse(User.objects.exists())

    def test_it_refuses_a_tampered_archive_and_restores_nothing(self):
        evidence = self.revisions[1].file.name

        def flip_one_byte(name, data):
            if name.endswith(evidence):
                return data[:-1] + bytes([data[-1] ^ 1])
            return data

        tampered = self.rewrite(flip_one_byte)
        self.empty_installation()

        with self.assertRaisesMessage(CommandError, "arsip rusak: checksum SHA-256 files/"):
            self.restore(tampered)
        self.assert_empty()

    def test_it_refuses_a_damaged_zip(self):
        damaged = self.workdir / "rusak.zip"
        data = bytearray(self.archive.read_bytes())
        data[data.index(PNG[-8:])] ^= 1  # inside a stored file: the ZIP's own CRC fails
        damaged.write_bytes(bytes(data))
        self.empty_installation()

        with self.assertRaisesMessage(CommandError, "arsip rusak"):
            self.restore(damaged)
        self.assert_empty()

    def test_it_refuses_files_that_are_not_portal_backups(self):
        text = self.workdir / "catatan.txt"
        text.write_text("bukan arsip")
        with self.assertRaisesMessage(CommandError, "bukan arsip cadangan portal PEKPPP (bukan"):
            self.restore(text)
        other_zip = self.workdir / "lain.zip"
        with zipfile.ZipFile(other_zip, "w") as archive:
            archive.writestr("laporan.txt", "isi")
        with self.assertRaisesMessage(CommandError, "(tidak ada manifest.json)"):
            self.restore(other_zip)
        with self.assertRaisesMessage(CommandError, "tidak dapat dibaca"):
            self.restore(self.workdir / "tidak-ada.zip")

    def test_it_refuses_an_archive_of_a_newer_portal(self):
        def add_migration(name, data):
            if name == "manifest.json":
                manifest = json.loads(data)
                manifest["migrations"]["scoring"].append("9999_dari_masa_depan")
                return json.dumps(manifest).encode()
            return data

        newer = self.rewrite(add_migration)
        self.empty_installation()

        with self.assertRaisesMessage(CommandError, "scoring.9999_dari_masa_depan"):
            self.restore(newer)
        self.assert_empty()

    def test_it_removes_written_files_and_rows_when_a_write_fails(self):
        self.empty_installation()
        # Patched on the class the file fields use, whichever storage the settings choose.
        storage_class = type(storages[PRIVATE_STORAGE_ALIAS])
        save = storage_class.save
        calls = []

        def fail_on_third(storage, name, content, **kwargs):
            calls.append(name)
            if len(calls) == 3:
                raise OSError("disk penuh")
            return save(storage, name, content, **kwargs)

        with (
            mock.patch.object(storage_class, "save", fail_on_third),
            self.assertRaisesMessage(CommandError, "tidak dapat ditulis (disk penuh)"),
        ):
            self.restore()
        self.assertEqual(len(calls), 3)
        self.assert_empty()

    def test_it_refuses_to_overwrite_an_archive(self):
        with self.assertRaisesMessage(CommandError, "sudah ada"):
            call_command("backup", str(self.archive))
