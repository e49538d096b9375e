"""Priority coaching services: the proposal from the current publication (exact units), its
idempotency, the manager's decisions, and coaching sessions with attachments and the
notification of a scheduled one."""

import datetime as dt
import hashlib
from decimal import Decimal
from unittest import mock

from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from evaluations.models import AssessmentStatus, Scheme
from evaluations.services.workflow import WorkflowError
from notifications.models import Notification, NotificationKind
from scoring.models import CoachingFile, CoachingSession, PriorityUnit, Result
from scoring.services import priority as services
from tests import factories as f
from units.models import Role, ServiceUnit

from .factories import make_result
from .priority_world import DEFAULT_PROPOSAL, PriorityWorld

PDF = f.EVIDENCE_PDF
TODAY = timezone.localdate()


def pdf(name: str = "daftar-hadir.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


class ProposalTest(PriorityWorld):
    def propose(self, **kwargs):
        return services.priority_propose(cycle=self.finished, by=self.admin, **kwargs)

    def test_it_proposes_low_grades_and_the_bottom_share_of_each_group(self):
        proposal = self.propose()
        self.assertEqual(self.listed(self.finished), DEFAULT_PROPOSAL)
        self.assertEqual((len(proposal.added), proposal.already, proposal.kept_off), (6, 0, 0))
        row = PriorityUnit.objects.get(cycle=self.finished, unit=self.unit)
        self.assertEqual(row.published_result, self.publication.results.get(unit=self.unit))
        self.assertIsNone(row.confirmed_at)

    def test_it_stops_at_the_grade_boundary(self):
        self.propose(max_grade="C", bottom_share=Decimal("0"))
        self.assertEqual(
            set(self.listed(self.finished)),
            {
                "Disdukcapil Kabupaten Tanggamus",  # 2.51: C
                "Disdukcapil Kabupaten Lampung Selatan",  # 2.50: C-
                "Kab 0001",
                "Kab 0002",
                "Kab 0003",
            },
        )

    def test_it_leaves_c_out_with_the_default_c_minus(self):
        self.propose(bottom_share=Decimal("0"))
        self.assertEqual(
            set(self.listed(self.finished)),
            {"Disdukcapil Kabupaten Lampung Selatan", "Kab 0001", "Kab 0002", "Kab 0003"},
        )

    def test_it_takes_ties_at_the_bottom_share_whole(self):
        self.propose(max_grade="F", bottom_share=Decimal("0.05"))  # half a provincial unit
        self.assertEqual(self.listed(self.finished), {"Kab 0003": "grade"})
        self.propose(max_grade="F", bottom_share=Decimal("0.10"))  # one, tied with another
        self.assertEqual(
            self.listed(self.finished, basis="bottom"),
            {"Prov 0009": "bottom", "Prov 0010": "bottom"},
        )
        self.propose(max_grade="F", bottom_share=Decimal("0.30"))  # three: ranks 8, 9, 9
        self.assertEqual(
            set(self.listed(self.finished, basis="bottom")), {"Prov 0008", "Prov 0009", "Prov 0010"}
        )
        # The kabupaten group of five now holds one unit in its bottom 30 %: Kab 0003 (F),
        # already proposed for its grade.
        self.assertEqual(PriorityUnit.objects.filter(cycle=self.finished).count(), 4)

    def test_it_adds_nothing_when_run_again(self):
        self.propose()
        before = list(PriorityUnit.objects.values_list("pk", "unit_id", "basis", "proposed_at"))
        proposal = self.propose()
        self.assertEqual((len(proposal.added), proposal.already, proposal.kept_off), (0, 6, 0))
        self.assertEqual(
            list(PriorityUnit.objects.values_list("pk", "unit_id", "basis", "proposed_at")),
            before,
        )

    def test_it_never_brings_back_a_removed_proposal(self):
        self.propose()
        kab = ServiceUnit.objects.get(name="Kab 0001")
        services.priority_remove(
            cycle=self.finished, unit=kab, by=self.admin, reason="Sudah dibina provinsi"
        )
        proposal = self.propose()
        self.assertEqual((len(proposal.added), proposal.already, proposal.kept_off), (0, 5, 1))
        row = PriorityUnit.objects.get(cycle=self.finished, unit=kab)
        self.assertEqual(
            (row.removal_reason, row.removed_by, row.confirmed_at),
            ("Sudah dibina provinsi", self.admin, None),
        )

    def test_it_reads_the_current_revision_after_a_correction(self):
        self.propose()
        prov = ServiceUnit.objects.get(name="Prov 0001")
        Result.objects.filter(assessment__unit=prov).update(ipp="1.90", grade="D")
        correction = f.publish(self.finished, self.admin, reason="Salah input tingkat final")
        proposal = self.propose()
        self.assertEqual([p.unit for p in proposal.added], [prov])
        self.assertEqual(proposal.added[0].published_result.publication, correction)
        # Prov 0001 is now last of its group: the tied pair rank 8 and no longer in the 10 %.
        self.assertEqual(self.listed(self.finished)["Prov 0001"], "grade")

    def test_it_refuses_an_unpublished_cycle(self):
        with self.assertRaises(WorkflowError) as caught:
            services.priority_propose(cycle=self.cycle, by=self.admin)
        self.assertEqual(
            caught.exception.problems,
            ("Periode ini belum dipublikasikan: UPP prioritas diusulkan dari hasil publikasi.",),
        )

    def test_it_refuses_a_share_outside_0_to_50_percent_and_an_unknown_grade(self):
        for kwargs in ({"bottom_share": Decimal("0.51")}, {"bottom_share": Decimal("-0.1")}):
            with self.subTest(**kwargs), self.assertRaises(WorkflowError):
                self.propose(**kwargs)
        with self.assertRaises(WorkflowError):
            self.propose(max_grade="G")
        self.assertFalse(PriorityUnit.objects.exists())

    def test_it_is_decided_by_whoever_runs_the_cycle(self):
        lamsel_coordinator = f.make_user(agency=self.lamsel)
        f.grant(lamsel_coordinator, Role.COORDINATOR, agency=self.lamsel)
        for person in (self.coordinator, lamsel_coordinator, self.leader, self.operator):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                services.priority_propose(cycle=self.finished, by=person)
        # A Mandiri cycle is its owner's coordinator's to decide.
        make_result(self.mandiri_assessment, "1.20")
        f.publish(self.mandiri, self.coordinator)
        services.priority_propose(cycle=self.mandiri, by=self.coordinator)
        self.assertEqual(self.listed(self.mandiri), {"DPMPTSP Provinsi Lampung": "grade"})
        self.assertEqual(self.mandiri.scheme, Scheme.MANDIRI)


class DecisionTest(PriorityWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.priority_propose(cycle=cls.finished, by=cls.admin)
        cls.kab1 = ServiceUnit.objects.get(name="Kab 0001")

    def row(self, unit) -> PriorityUnit:
        return PriorityUnit.objects.get(cycle=self.finished, unit=unit)

    def test_it_confirms_one_proposal_with_who_and_when(self):
        count = services.priority_confirm(cycle=self.finished, by=self.admin, units=[self.unit.pk])
        row = self.row(self.unit)
        self.assertEqual((count, row.confirmed_by), (1, self.admin))
        self.assertLessEqual(timezone.now() - row.confirmed_at, dt.timedelta(minutes=1))
        self.assertEqual(PriorityUnit.objects.filter(confirmed_at__isnull=False).count(), 1)

    def test_it_confirms_every_pending_proposal_but_not_removed_ones(self):
        services.priority_remove(cycle=self.finished, unit=self.kab1, by=self.admin, reason="X")
        count = services.priority_confirm(cycle=self.finished, by=self.admin)
        self.assertEqual(count, 5)
        self.assertIsNone(self.row(self.kab1).confirmed_at)
        with self.assertRaises(WorkflowError):  # already confirmed
            services.priority_confirm(cycle=self.finished, by=self.admin, units=[self.unit.pk])

    def test_it_puts_a_removed_unit_back_when_confirmed_by_name(self):
        services.priority_remove(cycle=self.finished, unit=self.kab1, by=self.admin, reason="X")
        services.priority_confirm(cycle=self.finished, by=self.admin, units=[self.kab1.pk])
        row = self.row(self.kab1)
        self.assertEqual((row.removed_at, row.removal_reason, row.basis), (None, "", "grade"))
        self.assertIsNotNone(row.confirmed_at)

    def test_it_removes_only_with_a_reason(self):
        for reason in ("", "   ", "alasan\x00"):
            with self.subTest(reason=reason), self.assertRaises(WorkflowError):
                services.priority_remove(
                    cycle=self.finished, unit=self.kab1, by=self.admin, reason=reason
                )
        self.assertIsNone(self.row(self.kab1).removed_at)
        services.priority_confirm(cycle=self.finished, by=self.admin, units=[self.kab1.pk])
        services.priority_remove(
            cycle=self.finished, unit=self.kab1, by=self.admin, reason=" Dibina provinsi "
        )
        row = self.row(self.kab1)
        self.assertEqual(
            (row.removal_reason, row.removed_by, row.confirmed_at, row.confirmed_by),
            ("Dibina provinsi", self.admin, None, None),
        )
        with self.assertRaises(WorkflowError):  # already off the list
            services.priority_remove(cycle=self.finished, unit=self.kab1, by=self.admin, reason="Y")

    def test_it_adds_a_locus_by_hand_confirmed(self):
        prov1 = ServiceUnit.objects.get(name="Prov 0001")
        row = services.priority_add(
            cycle=self.finished, unit=prov1, by=self.admin, reason="Permintaan gubernur"
        )
        row.refresh_from_db()
        self.assertEqual(
            (row.basis, row.note, row.confirmed_by, row.published_result),
            ("manual", "Permintaan gubernur", self.admin, self.publication.results.get(unit=prov1)),
        )

    def test_it_refuses_to_add_without_reason_twice_or_outside_the_cycle(self):
        prov1 = ServiceUnit.objects.get(name="Prov 0001")
        cases = [
            (prov1, "", "Alasan penambahan wajib diisi."),
            (
                self.unit,
                "Lagi",
                "Disdukcapil Kabupaten Lampung Selatan sudah ada dalam daftar prioritas.",
            ),
            (self.prov_unit, "Lagi", "DPMPTSP Provinsi Lampung bukan lokus periode ini."),
        ]
        for unit, reason, problem in cases:
            with self.subTest(unit=unit.name), self.assertRaises(WorkflowError) as caught:
                services.priority_add(cycle=self.finished, unit=unit, by=self.admin, reason=reason)
            self.assertEqual(caught.exception.problems, (problem,))
        self.assertEqual(PriorityUnit.objects.count(), 6)

    def test_it_brings_a_removed_unit_back_by_hand_with_its_first_basis(self):
        services.priority_remove(cycle=self.finished, unit=self.kab1, by=self.admin, reason="X")
        services.priority_add(cycle=self.finished, unit=self.kab1, by=self.admin, reason="Y")
        row = self.row(self.kab1)
        self.assertEqual((row.basis, row.note, row.removed_at), ("grade", "Y", None))
        self.assertEqual(row.confirmed_by, self.admin)


# Mails leave through the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class CoachingTest(PriorityWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        services.priority_propose(cycle=cls.finished, by=cls.admin)
        services.priority_confirm(cycle=cls.finished, by=cls.admin, units=[cls.unit.pk])
        cls.priority = PriorityUnit.objects.select_related("cycle", "unit").get(unit=cls.unit)
        cls.lamsel_coordinator = f.make_user("koordinator-lamsel", agency=cls.lamsel)
        f.grant(cls.lamsel_coordinator, Role.COORDINATOR, agency=cls.lamsel)

    def record(self, by=None, **overrides):
        data = {
            "held_on": TODAY - dt.timedelta(days=3),
            "mode": "luring",
            "people": "Tim KemenPANRB; Kepala Disdukcapil",
            "topics": "Standar pelayanan",
            "notes": "Maklumat dipasang ulang",
            "files": [],
        } | overrides
        return services.coaching_session_record(priority=self.priority, by=by or self.admin, **data)

    def test_it_records_a_held_session_with_its_attachment(self):
        session = self.record(files=[pdf()])
        attachment = session.files.get()
        self.assertEqual(
            (attachment.original_name, attachment.content_type, attachment.size, attachment.sha256),
            ("daftar-hadir.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        )
        with attachment.file.open("rb") as stored:
            self.assertEqual(stored.read(), PDF)
        self.assertFalse(attachment.file.name.endswith("daftar-hadir.pdf"))
        self.assertFalse(Notification.objects.exists())  # held, not scheduled

    def test_it_lets_the_units_agency_coordinator_coach_but_not_its_people(self):
        self.record(by=self.lamsel_coordinator)
        for person in (self.coordinator, self.leader, self.operator, self.evaluator):
            with self.subTest(person=person.username), self.assertRaises(PermissionDenied):
                self.record(by=person)
        self.assertEqual(CoachingSession.objects.count(), 1)

    def test_it_refuses_a_wrong_file_and_stores_nothing(self):
        cases = {
            "html.pdf": b"<html><script>alert(1)</script></html>",
            "kosong.pdf": b"",
            "aktif.pdf": b"%PDF-1.4\n1 0 obj<</OpenAction<</S/JavaScript/JS(app.alert(1))>>>>"
            b"endobj\n%%EOF",
        }
        for name, content in cases.items():
            with self.subTest(name=name), self.assertRaises(WorkflowError) as caught:
                self.record(files=[pdf(name, content)])
            self.assertTrue(caught.exception.problems[0].startswith(f"{name}: "))
        with override_settings(EVIDENCE_MAX_FILE_MB=0), self.assertRaises(WorkflowError) as caught:
            self.record(files=[pdf()])
        self.assertEqual(
            caught.exception.problems,
            ("daftar-hadir.pdf: Berkas terlalu besar (0,0 MB); batas per berkas 0 MB.",),
        )
        self.assertFalse(CoachingSession.objects.exists())
        self.assertFalse(CoachingFile.objects.exists())

    def test_it_names_every_missing_or_wrong_field(self):
        with self.assertRaises(WorkflowError) as caught:
            self.record(held_on=dt.date(2022, 12, 31), mode="tatap", people=" ", topics="")
        self.assertEqual(
            caught.exception.problems,
            (
                "Tanggal pendampingan tidak boleh sebelum tahun periode (2023).",
                "Pilih bentuk pendampingan: luring, daring atau hibrida.",
                "Peserta wajib diisi.",
                "Topik wajib diisi.",
            ),
        )
        with self.assertRaises(WorkflowError):
            self.record(held_on=TODAY + dt.timedelta(days=367))
        with self.assertRaises(WorkflowError):
            self.record(notes="catatan\x00")
        self.assertFalse(CoachingSession.objects.exists())

    def test_it_records_only_for_a_confirmed_unit(self):
        kab1 = PriorityUnit.objects.select_related("cycle", "unit").get(unit__name="Kab 0001")
        with self.assertRaises(WorkflowError):
            services.coaching_session_record(
                priority=kab1, held_on=TODAY, mode="daring", people="A", topics="B", by=self.admin
            )

    def test_it_notifies_the_units_operators_and_leadership_of_a_scheduled_session(self):
        second_operator = f.make_user("operator-2", agency=self.lamsel, email="op2@example.id")
        f.grant(second_operator, Role.UNIT_OPERATOR, unit=self.unit)
        gone = f.make_user("operator-lama", agency=self.lamsel, is_active=False, email="x@e.id")
        f.grant(gone, Role.UNIT_OPERATOR, unit=self.unit)
        other = f.make_user("operator-tanggamus", email="tg@example.id")
        f.grant(other, Role.UNIT_OPERATOR, unit=self.other_unit)
        self.operator.email, self.leader.email = "op@example.id", "pimpinan@example.id"
        self.operator.save()
        self.leader.save()
        when = TODAY + dt.timedelta(days=14)
        with self.captureOnCommitCallbacks(execute=True):
            session = self.record(held_on=when, mode="daring", notes="")
        sent = Notification.objects.filter(kind=NotificationKind.COACHING)
        self.assertEqual(
            sorted(sent.values_list("recipient__username", flat=True)),
            ["operator", "operator-2", "pimpinan"],
        )
        url = f"/periode/{self.finished.pk}/prioritas/{self.unit.pk}/pendampingan/"
        self.assertEqual(set(sent.values_list("url", "key")), {(url, f"coaching:{session.pk}")})
        self.assertEqual(
            sorted(address for m in mail.outbox for address in m.to),
            ["op2@example.id", "op@example.id", "pimpinan@example.id"],
        )
        message = mail.outbox[0]
        with translation.override("id"):
            date = date_format(when, "j F Y")
        self.assertEqual(
            message.subject,
            f"[PEKPPP] Jadwal pendampingan Disdukcapil Kabupaten Lampung Selatan: {date}",
        )
        self.assertIn(url, message.body)
        self.assertIn("Daring", message.body)
        self.assertIn("Tim KemenPANRB; Kepala Disdukcapil", message.alternatives[0][0])

    def test_it_writes_the_mail_in_the_persons_language(self):
        self.operator.email, self.operator.language = "op@example.id", "en"
        self.operator.save()
        with self.captureOnCommitCallbacks(execute=True):
            self.record(held_on=TODAY + dt.timedelta(days=1))
        (message,) = mail.outbox
        self.assertTrue(message.subject.startswith("[PEKPPP] Coaching scheduled for "))

    def test_it_adds_attachments_up_to_the_limit(self):
        session = self.record()
        services.coaching_file_add(
            session=session, file=pdf("foto.pdf"), by=self.lamsel_coordinator
        )
        self.assertEqual(list(session.files.values_list("original_name", flat=True)), ["foto.pdf"])
        with self.assertRaises(PermissionDenied):
            services.coaching_file_add(session=session, file=pdf(), by=self.operator)
        with (
            mock.patch.object(services, "MAX_FILES_PER_SESSION", 1),
            self.assertRaises(WorkflowError),
        ):
            services.coaching_file_add(session=session, file=pdf(), by=self.admin)
        self.assertEqual(session.files.count(), 1)


class FinalStatusTest(PriorityWorld):
    def test_the_world_is_published_with_every_locus_final(self):
        self.assertFalse(self.finished.assessments.exclude(status=AssessmentStatus.FINAL).exists())
        self.assertEqual(self.publication.result_count, 15)
