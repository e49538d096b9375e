"""Follow-up items: made at final from the evaluators' recommendations (once), then the unit's
edits with their history, the version check, the status rules and the evidence files."""

import datetime as dt
import io
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import SimpleTestCase

from evaluations.models import (
    AssessmentStatus,
    FollowUpChange,
    FollowUpFile,
    FollowUpItem,
    FollowUpStatus,
    Score,
)
from evaluations.services.followup import (
    FollowUpConflict,
    followup_file_remove,
    followup_item_update,
    followup_items_create,
    recommendation_text,
)
from evaluations.services.workflow import WorkflowError
from scoring.services.moderation import assessment_finalize, moderation_decide
from tests import factories as f
from tests.evaluations.moderation_factories import ModerationTestCase, evaluated

from . import f01_factories as ff
from .followup_factories import FollowUpWorld, record, values

S = FollowUpStatus
GOLDEN = f.golden_levels("boundary-45050")


def stored_files() -> set[Path]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "followup"
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def history(item):
    return list(
        FollowUpChange.objects.filter(item=item)
        .order_by("pk")
        .values_list("field", "old", "new", "actor__username")
    )


class RecommendationTextTest(SimpleTestCase):
    def test_it_keeps_one_text_as_written(self):
        self.assertEqual(recommendation_text(["  Tetapkan SP.  ", ""]), "Tetapkan SP.")

    def test_it_numbers_different_texts_lead_first_and_drops_repeats(self):
        texts = ["Tetapkan SP.", "", "tetapkan   sp.", "Publikasikan SP.", "Tetapkan SP."]
        self.assertEqual(recommendation_text(texts), "(1) Tetapkan SP.\n\n(2) Publikasikan SP.")

    def test_it_is_empty_without_texts(self):
        self.assertEqual(recommendation_text(["", "  "]), "")


class CreationAtFinalTest(ModerationTestCase):
    """assessment_finalize makes the items in its transaction, from the real moderation flow."""

    def setUp(self):
        self.nasional.followup_deadline = dt.date(2026, 3, 31)
        self.nasional.save(update_fields=["followup_deadline"])
        levels = dict(GOLDEN)
        self.lead, self.second = evaluated(
            self.locus, levels, levels, evaluators=[self.evaluator, self.second]
        )

    def recommend(self, assignment, texts):
        for number, text in texts.items():
            Score.objects.filter(assignment=assignment, indicator__number=number).update(
                recommendation=text
            )

    def items(self):
        return list(
            FollowUpItem.objects.filter(assessment=self.locus)
            .order_by("indicator__number")
            .values_list("indicator__number", "level", "recommendation", "target_date", "unit")
        )

    def test_it_makes_one_item_per_indicator_with_a_recommendation(self):
        self.recommend(
            self.lead, {1: "Tetapkan SP dengan SK.", 7: "Publikasikan hasil SKM.", 31: "Antrean."}
        )
        self.recommend(
            self.second,
            {1: "tetapkan  SP dengan sk.", 7: "Gunakan media daring.", 12: "Adakan pelatihan."},
        )
        moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        self.assertEqual(self.items(), [])  # moderated, not final yet
        assessment_finalize(assessment=self.locus, by=self.admin)
        deadline = dt.date(2026, 3, 31)
        self.assertEqual(
            self.items(),
            [
                (1, GOLDEN[1], "Tetapkan SP dengan SK.", deadline, self.unit.pk),
                (
                    7,
                    GOLDEN[7],
                    "(1) Publikasikan hasil SKM.\n\n(2) Gunakan media daring.",
                    deadline,
                    self.unit.pk,
                ),
                (12, GOLDEN[12], "Adakan pelatihan.", deadline, self.unit.pk),
            ],
        )
        item = FollowUpItem.objects.get(assessment=self.locus, indicator__number=1)
        self.assertEqual((item.status, item.version, item.planned_action), (S.NOT_STARTED, 0, ""))
        # Again, by the backfill command: nothing new.
        self.assertEqual(followup_items_create(assessment=self.locus), 0)
        out = io.StringIO()
        call_command("followup_backfill", stdout=out)
        self.assertEqual(out.getvalue(), "0 butir tindak lanjut dibuat pada 0 lokus final.\n")
        self.assertEqual(len(self.items()), 3)

    def test_the_backfill_makes_the_items_of_an_assessment_final_before(self):
        self.recommend(self.lead, {2: "Libatkan akademisi."})
        self.locus.status = AssessmentStatus.FINAL
        self.locus.save(update_fields=["status"])
        for number, level in GOLDEN.items():
            self.locus.final_levels.create(
                indicator=self.golden_instrument.indicators.get(number=number), level=level
            )
        out = io.StringIO()
        call_command("followup_backfill", "--cycle", str(self.nasional.pk), stdout=out)
        self.assertEqual(out.getvalue(), "1 butir tindak lanjut dibuat pada 1 lokus final.\n")
        self.assertEqual(
            self.items(),
            [(2, GOLDEN[2], "Libatkan akademisi.", dt.date(2026, 3, 31), self.unit.pk)],
        )
        call_command("followup_backfill", stdout=out)
        self.assertEqual(len(self.items()), 1)

    def test_it_refuses_an_assessment_that_is_not_final(self):
        with self.assertRaises(WorkflowError):
            followup_items_create(assessment=self.locus)


class EditTest(FollowUpWorld):
    def setUp(self):
        self.item = self.items[1]

    def test_it_saves_each_changed_field_with_its_history_and_a_new_version(self):
        saved = record(
            self.item,
            self.operator,
            planned_action="  Susun SK SP\r\nbaru  ",
            responsible="  Kepala   Bidang ",
            target_date=dt.date(2024, 5, 31),
            status=S.IN_PROGRESS,
        )
        self.assertEqual(
            (saved.planned_action, saved.responsible, saved.target_date, saved.status),
            ("Susun SK SP\nbaru", "Kepala Bidang", dt.date(2024, 5, 31), S.IN_PROGRESS),
        )
        self.assertEqual((saved.version, saved.updated_by), (1, self.operator))
        self.assertEqual(
            history(self.item),
            [
                ("planned_action", "", "Susun SK SP\nbaru", "operator"),
                ("responsible", "", "Kepala Bidang", "operator"),
                ("target_date", "2024-06-30", "2024-05-31", "operator"),
                ("status", "belum", "berjalan", "operator"),
            ],
        )
        # Saving the same values again changes nothing.
        again = record(saved, self.operator)
        self.assertEqual(again.version, 1)
        self.assertEqual(len(history(self.item)), 4)

    def test_a_save_on_a_stale_version_is_refused_with_both_values(self):
        record(self.item, self.operator, planned_action="Versi tab pertama")
        with self.assertRaises(FollowUpConflict) as refused:
            followup_item_update(
                item=self.item,
                by=self.operator,
                version=0,
                values=values(self.item, planned_action="Versi tab kedua"),
            )
        conflict = refused.exception
        self.assertEqual(conflict.saved.planned_action, "Versi tab pertama")
        self.assertEqual(conflict.saved.version, 1)
        self.assertEqual(conflict.mine.planned_action, "Versi tab kedua")
        self.item.refresh_from_db()
        self.assertEqual((self.item.planned_action, self.item.version), ("Versi tab pertama", 1))
        self.assertEqual(len(history(self.item)), 1)

    def test_only_the_units_operators_edit(self):
        for person in (
            self.admin,
            self.coordinator,
            self.leader,
            self.evaluator,
            self.prov_operator,
        ):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                record(self.item, person, planned_action="x")
        self.assertEqual(history(self.item), [])

    def test_not_possible_needs_a_reason_which_goes_when_the_status_changes(self):
        with self.assertRaises(WorkflowError) as refused:
            record(self.item, self.operator, status=S.NOT_POSSIBLE, status_reason="  ")
        self.assertEqual(
            refused.exception.problems,
            ("Tuliskan alasan mengapa rekomendasi tidak dapat dilaksanakan.",),
        )
        record(self.item, self.operator, status=S.NOT_POSSIBLE, status_reason="Tidak ada anggaran")
        # A reason sent with another status is not kept.
        saved = record(self.item, self.operator, status=S.IN_PROGRESS, status_reason="abaikan")
        self.assertEqual((saved.status, saved.status_reason), (S.IN_PROGRESS, ""))
        self.assertEqual(
            history(self.item),
            [
                ("status", "belum", "tidak_dapat", "operator"),
                ("status_reason", "", "Tidak ada anggaran", "operator"),
                ("status", "tidak_dapat", "berjalan", "operator"),
                ("status_reason", "Tidak ada anggaran", "", "operator"),
            ],
        )

    def test_done_needs_an_evidence_file(self):
        with self.assertRaises(WorkflowError) as refused:
            record(self.item, self.operator, status=S.DONE)
        self.assertEqual(
            refused.exception.problems,
            ("Status selesai memerlukan minimal satu berkas bukti penyelesaian; unggah dulu.",),
        )
        saved = record(
            self.item,
            self.operator,
            status=S.DONE,
            files=[ff.upload("Laporan akhir.pdf", ff.PDF_BYTES)],
        )
        self.assertEqual(saved.status, S.DONE)
        attachment = FollowUpFile.objects.get(item=self.item)
        self.assertEqual(
            (attachment.original_name, attachment.content_type, attachment.size),
            ("Laporan akhir.pdf", "application/pdf", len(ff.PDF_BYTES)),
        )
        self.assertEqual(attachment.file.read(), ff.PDF_BYTES)
        self.assertTrue(attachment.file.name.startswith(f"followup/{self.locus.pk}/"))
        self.assertEqual(
            history(self.item),
            [
                ("status", "belum", "selesai", "operator"),
                ("file", "", "Laporan akhir.pdf", "operator"),
            ],
        )

    def test_a_closed_item_changes_only_its_status(self):
        record(self.item, self.operator, status=S.DONE, files=[ff.upload("a.pdf", ff.PDF_BYTES)])
        attachment = FollowUpFile.objects.get(item=self.item)
        refusals = [
            lambda: record(self.item, self.operator, planned_action="Tambahan"),
            lambda: record(self.item, self.operator, files=[ff.upload("b.pdf", ff.PDF_BYTES)]),
            lambda: followup_file_remove(attachment=attachment, by=self.operator),
        ]
        for refuse in refusals:
            with self.assertRaises(WorkflowError) as refused:
                refuse()
            self.assertIn("sudah ditutup (Selesai)", refused.exception.problems[0])
        # Reopened, it can be changed again, files included.
        record(self.item, self.operator, status=S.IN_PROGRESS, planned_action="Lanjutkan")
        followup_file_remove(attachment=attachment, by=self.operator)
        self.assertEqual(FollowUpFile.objects.get(pk=attachment.pk).removed_at is not None, True)
        self.assertEqual(
            history(self.item)[-3:],
            [
                ("planned_action", "", "Lanjutkan", "operator"),
                ("status", "selesai", "berjalan", "operator"),
                ("file", "a.pdf", "", "operator"),
            ],
        )
        # Without an active file, selesai is refused again.
        with self.assertRaises(WorkflowError):
            record(self.item, self.operator, status=S.DONE)

    def test_bad_input_is_refused_whole_with_every_problem_named(self):
        before = stored_files()
        cases = [
            (
                {"planned_action": "Rencana\x00"},
                "Rencana aksi memuat karakter kendali (misalnya NUL) yang tidak diizinkan; "
                "hapus karakter itu lalu simpan lagi.",
            ),
            (
                {"planned_action": "x" * 4001},
                "Rencana aksi terlalu panjang: 4001 karakter, paling banyak 4000.",
            ),
            (
                {"responsible": "y" * 201},
                "Penanggung jawab terlalu panjang: 201 karakter, paling banyak 200.",
            ),
            (
                {"target_date": dt.date(1999, 12, 31)},
                "Target selesai harus antara 01-01-2000 dan 31-12-2100.",
            ),
            ({"status": "hilang"}, "Status tindak lanjut tidak dikenal."),
        ]
        for changes, message in cases:
            with self.subTest(changes=list(changes)), self.assertRaises(WorkflowError) as refused:
                record(
                    self.item,
                    self.operator,
                    files=[ff.upload("bukti.pdf", ff.PDF_BYTES)],
                    **changes,
                )
            self.assertEqual(refused.exception.problems, (message,))
        # A good file with a bad one: neither is stored.
        with self.assertRaises(WorkflowError) as refused:
            record(
                self.item,
                self.operator,
                planned_action="Rencana",
                files=[
                    ff.upload("baik.pdf", ff.PDF_BYTES),
                    ff.upload("skrip.pdf", b"MZ\x90\x00 bukan pdf"),
                ],
            )
        self.assertTrue(refused.exception.problems[0].startswith("skrip.pdf: "), refused.exception)
        self.item.refresh_from_db()
        self.assertEqual((self.item.planned_action, self.item.version), ("", 0))
        self.assertEqual(history(self.item), [])
        self.assertFalse(FollowUpFile.objects.exists())
        self.assertEqual(stored_files(), before)

    def test_files_keep_within_the_size_limits(self):
        with self.settings(EVIDENCE_MAX_FILE_MB=0):
            with self.assertRaises(WorkflowError) as refused:
                record(self.item, self.operator, files=[ff.upload("besar.pdf", ff.PDF_BYTES)])
        self.assertEqual(
            refused.exception.problems,
            ("besar.pdf: Berkas terlalu besar (0,0 MB); batas per berkas 0 MB.",),
        )
        self.assertFalse(FollowUpFile.objects.exists())
