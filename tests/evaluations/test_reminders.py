"""Reminders of open work with a fixed clock: the right people, the right days, once.

The persona world's cycles (tests/base.py, factories.make_cycle) have 30-day windows from
1 March 2024: F-01 to 30 March, survey 31 March–29 April, F-02 30 April–29 May,
clarification 30 May–28 June, moderation 29 June–28 July.
"""

import datetime as dt
import io
import threading
from unittest import mock, skipUnless

from celery.schedules import crontab
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.utils import timezone

from evaluations.models import (
    Clarification,
    EvaluatorAssignment,
    FollowUpItem,
    FollowUpStatus,
    Indicator,
    Phase,
    PhaseExtension,
    Score,
    SurveyChannel,
    SurveyResponse,
)
from evaluations.selectors.work import WorkKind, open_work_due, open_work_of
from evaluations.services.reminders import reminders_send
from evaluations.tasks import reminders_send_task
from notifications.models import Notification, NotificationKind
from pekppp.celery import app as celery_app
from tests import factories as f
from tests.base import PersonaTestCase
from tests.evaluations.f02_factories import Status, give_levels, set_status
from units.models import Role, User

D = dt.date
F01_ENDS = D(2024, 3, 30)
SURVEY_ENDS = D(2024, 4, 29)
F02_ENDS = D(2024, 5, 29)
CLARIFICATION_ENDS = D(2024, 6, 28)
MODERATION_ENDS = D(2024, 7, 28)


def days_before(deadline: dt.date, *days: int) -> list[dt.date]:
    return [deadline - dt.timedelta(days=n) for n in days]


# Mails leave through the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class ReminderTestCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for person in User.objects.all():
            person.email = f"{person.username}@contoh.go.id"
            person.save(update_fields=["email"])
        # The other unit has an operator too: reminders go to each unit's own people.
        cls.other_operator = f.make_user(
            "operator-tanggamus", agency=cls.tanggamus, email="op2@contoh.go.id"
        )
        f.grant(cls.other_operator, Role.UNIT_OPERATOR, unit=cls.other_unit)

    def run_on(self, day: dt.date) -> tuple[int, list]:
        """Run the job for `day`: the notifications it made and the mails it sent."""
        before, sent = Notification.objects.count(), len(mail.outbox)
        with self.captureOnCommitCallbacks(execute=True):
            result = reminders_send(today=day)
        made = Notification.objects.count() - before
        self.assertEqual(result.notifications, made)
        return made, mail.outbox[sent:]

    def notes(self, person) -> list[tuple[str, str, str]]:
        return list(
            Notification.objects.filter(recipient=person)
            .order_by("pk")
            .values_list("kind", "key", "url")
        )


class ReminderDayTests(ReminderTestCase):
    def test_it_reminds_3_days_and_1_day_before_a_phase_closes_and_never_twice(self):
        made = {}
        for day in days_before(F01_ENDS, 4, 3, 2, 1, 0):
            made[day.day] = self.run_on(day)[0]
            self.assertEqual(self.run_on(day), (0, []), day)  # a second run: nothing
        # Two operators (two units in draft) on day 27 and 29; nothing on 26, 28 and 30.
        self.assertEqual(made, {26: 0, 27: 2, 28: 0, 29: 2, 30: 0})
        f01 = f"/penilaian/{self.assessment.pk}/f01/"
        self.assertEqual(
            self.notes(self.operator),
            [
                ("reminder", f"f01:c{self.cycle.pk}:2024-03-30:3d", f01),
                ("reminder", f"f01:c{self.cycle.pk}:2024-03-30:1d", f01),
            ],
        )
        self.assertEqual(len(mail.outbox), 4)
        first = mail.outbox[0]
        self.assertEqual(first.to, ["operator@contoh.go.id"])
        self.assertEqual(
            first.subject,
            "[PEKPPP] Pengingat: tahap Penilaian mandiri (F-01) ditutup 3 hari lagi — "
            "PEKPPP Nasional 2024",
        )
        self.assertIn("ditutup pada akhir hari Sabtu, 30 Maret 2024 (3 hari lagi)", first.body)
        self.assertIn(
            f"- Disdukcapil Kabupaten Lampung Selatan: F-01 belum diajukan\n"
            f"  {settings.SITE_URL}{f01}",
            first.body,
        )
        html = first.alternatives[0].content
        self.assertIn(f'<a href="{settings.SITE_URL}{f01}">F-01 belum diajukan</a>', html)
        self.assertIn("ditutup besok", mail.outbox[2].subject)
        # Nobody else: not the evaluator, the leader, the coordinator or the admin.
        self.assertEqual(
            set(Notification.objects.values_list("recipient__username", flat=True)),
            {"operator", "operator-tanggamus"},
        )

    def test_it_reminds_a_unit_with_an_extension_against_its_extended_date(self):
        PhaseExtension.objects.create(
            assessment=self.assessment,
            phase=Phase.SELF_ASSESSMENT,
            ends_on=D(2024, 4, 5),
            reason="Banjir",
            granted_by=self.admin,
        )
        self.run_on(D(2024, 3, 27))
        self.run_on(D(2024, 3, 29))
        self.assertEqual(self.notes(self.operator), [])
        self.assertEqual(len(self.notes(self.other_operator)), 2)
        self.assertEqual(self.run_on(D(2024, 4, 2))[0], 1)
        self.assertEqual(self.run_on(D(2024, 4, 4))[0], 1)
        self.assertEqual(
            [key for _kind, key, _url in self.notes(self.operator)],
            [f"f01:c{self.cycle.pk}:2024-04-05:3d", f"f01:c{self.cycle.pk}:2024-04-05:1d"],
        )

    def test_it_leaves_submitted_work_alone(self):
        set_status(self.assessment, Status.SUBMITTED)
        self.run_on(D(2024, 3, 27))
        self.assertEqual(self.notes(self.operator), [])
        self.assertEqual(len(self.notes(self.other_operator)), 1)

    def test_it_leaves_inactive_people_alone_and_writes_in_the_persons_language(self):
        User.objects.filter(pk=self.other_operator.pk).update(is_active=False)
        User.objects.filter(pk=self.operator.pk).update(language="en")
        made, mails = self.run_on(D(2024, 3, 29))
        self.assertEqual(made, 1)
        self.assertEqual(
            mails[0].subject,
            "[PEKPPP] Reminder: the Self-assessment (F-01) phase closes tomorrow — "
            "PEKPPP Nasional 2024",
        )
        self.assertIn("Disdukcapil Kabupaten Lampung Selatan: F-01 not submitted", mails[0].body)


class ReminderKindTests(ReminderTestCase):
    def test_it_reminds_operators_of_a_survey_below_m_only(self):
        for _ in range(10):
            SurveyResponse.objects.create(
                assessment=self.other_assessment, answers=[4] * 14, channel=SurveyChannel.ONLINE
            )
        SurveyResponse.objects.create(
            assessment=self.assessment, answers=[4] * 14, channel=SurveyChannel.ONLINE
        )
        made, mails = self.run_on(SURVEY_ENDS - dt.timedelta(days=3))
        self.assertEqual(made, 1)
        self.assertEqual(mails[0].to, ["operator@contoh.go.id"])
        self.assertIn("Survei F-03: 1 dari minimum 10 responden", mails[0].body)
        self.assertIn(f"/penilaian/{self.assessment.pk}/survei/", mails[0].body)

    def test_it_reminds_operators_of_clarifications_with_the_indicators_to_answer(self):
        set_status(self.assessment, Status.CLARIFICATION)
        indicators = {i.number: i for i in Indicator.objects.filter(instrument=self.instrument)}
        for number in (12, 4):
            Clarification.objects.create(
                assessment=self.assessment,
                indicator=indicators[number],
                question="Mohon bukti SOP terbaru.",
                asked_by=self.evaluator,
            )
        made, mails = self.run_on(CLARIFICATION_ENDS - dt.timedelta(days=1))
        self.assertEqual(made, 1)
        self.assertIn("Klarifikasi indikator 4, 12 belum dijawab", mails[0].body)
        self.assertEqual(
            self.notes(self.operator),
            [
                (
                    "reminder",
                    f"clarification:c{self.cycle.pk}:2024-06-28:1d",
                    f"/penilaian/{self.assessment.pk}/f01/#ind-4",
                )
            ],
        )

    def test_it_reminds_each_evaluator_once_for_all_their_loci_with_what_is_left(self):
        set_status(self.assessment, Status.IN_EVALUATION)
        set_status(self.other_assessment, Status.SUBMITTED)
        mine = EvaluatorAssignment.objects.get(assessment=self.assessment, evaluator=self.evaluator)
        f.assign(self.other_assessment, self.evaluator)
        done = f.assign(self.other_assessment, f.make_evaluator("evaluator-selesai"))
        EvaluatorAssignment.objects.filter(pk=done.pk).update(submitted_at=timezone.now())
        give_levels(mine, {n: 4 for n in range(1, 21)})
        made, mails = self.run_on(F02_ENDS - dt.timedelta(days=3))
        self.assertEqual(made, 1)  # one mail for two loci; nothing for the one who submitted
        body = mails[0].body
        self.assertEqual(mails[0].to, ["evaluator@contoh.go.id"])
        self.assertIn(
            "- Disdukcapil Kabupaten Lampung Selatan: F-02 belum diserahkan: "
            "10 indikator belum dinilai",
            body,
        )
        self.assertIn(
            "- Disdukcapil Kabupaten Tanggamus: F-02 belum diserahkan: 30 indikator belum dinilai",
            body,
        )
        self.assertEqual(
            self.notes(self.evaluator), [("reminder", f"f02:c{self.cycle.pk}:2024-05-29:3d", "/")]
        )
        self.assertEqual(Score.objects.filter(assignment=mine, level__isnull=False).count(), 20)

    def test_it_reminds_those_who_run_the_cycle_of_loci_not_moderated(self):
        set_status(self.assessment, Status.MODERATED)
        set_status(self.mandiri_assessment, Status.IN_EVALUATION)
        second_admin = f.make_user("admin-dua", email="admin2@contoh.go.id")
        f.grant(second_admin, Role.MINISTRY_ADMIN)
        made, mails = self.run_on(MODERATION_ENDS - dt.timedelta(days=3))
        self.assertEqual(made, 3)
        self.assertEqual(
            sorted(m.to[0] for m in mails),
            ["admin2@contoh.go.id", "admin@contoh.go.id", "koordinator@contoh.go.id"],
        )
        by_person = {m.to[0]: m.body for m in mails}
        self.assertIn(
            "Disdukcapil Kabupaten Lampung Selatan: Moderasi: penilaian belum ditetapkan final",
            by_person["admin@contoh.go.id"],
        )
        self.assertNotIn("DPMPTSP", by_person["admin@contoh.go.id"])
        self.assertIn(
            "DPMPTSP Provinsi Lampung: Moderasi: menunggu F-02 evaluator",
            by_person["koordinator@contoh.go.id"],
        )
        self.assertEqual(
            self.notes(self.coordinator),
            [
                (
                    "reminder",
                    f"moderation:c{self.mandiri.pk}:2024-07-28:3d",
                    f"/penilaian/{self.mandiri_assessment.pk}/moderasi/",
                )
            ],
        )

    def test_it_reminds_operators_of_follow_up_targets_not_done(self):
        indicators = {i.number: i for i in Indicator.objects.filter(instrument=self.instrument)}
        target = D(2025, 6, 30)
        items = {
            number: FollowUpItem.objects.create(
                assessment=self.assessment,
                unit=self.unit,
                indicator=indicators[number],
                level=2,
                recommendation=f"Rekomendasi indikator {number}",
                target_date=target,
                status=status,
            )
            for number, status in (
                (3, FollowUpStatus.NOT_STARTED),
                (5, FollowUpStatus.IN_PROGRESS),
                (8, FollowUpStatus.DONE),
            )
        }
        FollowUpItem.objects.create(  # no target date: nothing to remind of
            assessment=self.assessment,
            unit=self.unit,
            indicator=indicators[9],
            level=1,
            recommendation="Tanpa target",
        )
        self.assertEqual(self.run_on(target - dt.timedelta(days=2))[0], 0)
        made, mails = self.run_on(target - dt.timedelta(days=3))
        self.assertEqual(made, 1)
        message = mails[0]
        self.assertEqual(message.to, ["operator@contoh.go.id"])
        self.assertIn("Target tindak lanjut 3 hari lagi", message.subject)
        self.assertIn("Tindak lanjut indikator 3 (Belum dilaksanakan)", message.body)
        self.assertIn("Tindak lanjut indikator 5 (Sedang berjalan)", message.body)
        self.assertIn("Rekomendasi: Rekomendasi indikator 5", message.body)
        self.assertNotIn("indikator 8", message.body)
        self.assertIn(f"/tindak-lanjut/{items[3].pk}/", message.body)
        self.assertEqual(
            self.notes(self.operator),
            [("followup_due", f"followup:c{self.cycle.pk}:2025-06-30:3d", "/")],
        )


class OpenWorkSelectorTests(ReminderTestCase):
    def test_it_reads_everyones_due_work_in_constant_queries(self):
        def due():
            return open_work_due(on=D(2024, 3, 27), deadlines=[F01_ENDS])

        # F-01, survey, clarifications, follow-ups, F-02, moderation; the units' operators
        with self.assertNumQueries(7):
            small = due()
        for _ in range(10):
            unit = f.make_unit(self.tanggamus)
            f.make_assessment(self.cycle, unit)
            f.grant(f.make_user(), Role.UNIT_OPERATOR, unit=unit)
        with self.assertNumQueries(7):
            large = due()
        self.assertEqual((len(small), len(large)), (2, 12))
        self.assertEqual(large[0].people, frozenset([self.operator.pk]))

    def test_it_reads_one_persons_work_most_urgent_first(self):
        set_status(self.other_assessment, Status.IN_EVALUATION)
        f.assign(self.other_assessment, self.evaluator)
        f.grant(self.evaluator, Role.UNIT_OPERATOR, unit=self.unit)
        FollowUpItem.objects.create(
            assessment=self.assessment,
            unit=self.unit,
            indicator=Indicator.objects.get(instrument=self.instrument, number=2),
            level=2,
            recommendation="Perbarui maklumat pelayanan.",
            target_date=D(2024, 6, 1),
        )
        person = User.objects.get(pk=self.evaluator.pk)
        with self.assertNumQueries(6):  # roles; F-01, survey, clarifications, follow-ups; F-02
            work = open_work_of(person, on=D(2024, 5, 10))
        # F-01 closed 41 days ago: no longer listed (OVERDUE_SHOWN_DAYS); the survey 11 days ago.
        self.assertEqual(
            [(w.kind, w.unit_name, w.days_left, w.url) for w in work],
            [
                (
                    WorkKind.SURVEY,
                    "Disdukcapil Kabupaten Lampung Selatan",
                    -11,
                    f"/penilaian/{self.assessment.pk}/survei/",
                ),
                (
                    WorkKind.F02,
                    "Disdukcapil Kabupaten Tanggamus",
                    19,
                    f"/penilaian/{self.other_assessment.pk}/f02/",
                ),
                (
                    WorkKind.FOLLOWUP,
                    "Disdukcapil Kabupaten Lampung Selatan",
                    22,
                    f"/tindak-lanjut/{FollowUpItem.objects.get().pk}/",
                ),
            ],
        )
        self.assertEqual(open_work_of(self.leader, on=D(2024, 5, 10)), [])


class ScheduleAndCommandTests(ReminderTestCase):
    def test_the_beat_runs_a_registered_task_every_morning(self):
        entry = settings.CELERY_BEAT_SCHEDULE["reminders-send"]
        celery_app.loader.import_default_modules()
        self.assertIn(entry["task"], celery_app.tasks)
        self.assertIs(celery_app.tasks[entry["task"]].run, reminders_send_task.run)
        self.assertEqual(entry["schedule"], crontab(hour=6, minute=0))
        self.assertEqual(settings.CELERY_TIMEZONE, "Asia/Jakarta")

    def test_the_task_runs_the_job_for_today(self):
        with mock.patch("evaluations.tasks.today", return_value=D(2024, 3, 27)):
            with self.captureOnCommitCallbacks(execute=True):
                reminders_send_task()
        self.assertEqual(Notification.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_command_runs_the_same_job_for_a_given_day(self):
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", "--today", "2024-03-27", stdout=out)
        self.assertEqual(
            out.getvalue(),
            "2024-03-27: 2 pengingat jatuh tempo (tenggat 2024-03-30 dan 2024-03-28), "
            "2 notifikasi baru dibuat.\n",
        )
        out = io.StringIO()
        call_command("send_reminders", "--today", "2024-03-27", stdout=out)
        self.assertIn("0 notifikasi baru dibuat", out.getvalue())
        self.assertEqual(Notification.objects.count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_the_command_refuses_a_bad_date_with_a_clear_message(self):
        for bad in ("27-03-2024", "2024-02-30", "20240327", "kemarin", "2024-03-27\x00", ""):
            with self.subTest(bad=bad), self.assertRaises(CommandError) as caught:
                call_command("send_reminders", "--today", bad)
            self.assertIn("--today harus berupa tanggal YYYY-MM-DD", str(caught.exception))
        self.assertFalse(Notification.objects.exists())


@skipUnless(connection.vendor == "postgresql", "row locks need PostgreSQL (CI sets DATABASE_URL)")
# Mails leave through the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class ConcurrentReminderTest(TransactionTestCase):
    """Two runs of the job at the same moment (two beats, a retried worker) on real
    connections: every reminder is made and mailed once."""

    def setUp(self):
        instrument = f.make_instrument("UJI-SERENTAK")
        self.cycle = f.make_cycle(instrument, year=2024)
        self.operators = []
        for _ in range(6):
            unit = f.make_unit()
            f.make_assessment(self.cycle, unit)
            person = f.make_user(email=f"op{unit.pk}@contoh.go.id")
            f.grant(person, Role.UNIT_OPERATOR, unit=unit)
            self.operators.append(person)

    def test_it_makes_and_mails_each_reminder_once(self):
        start = threading.Barrier(2)
        errors, made = [], []

        def run():
            try:
                start.wait()
                made.append(reminders_send(today=D(2024, 3, 27)).notifications)
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(errors, [])
        self.assertEqual(sum(made), 6)  # between them, each reminder made by one run
        self.assertEqual(Notification.objects.filter(kind=NotificationKind.REMINDER).count(), 6)
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), sorted(p.email for p in self.operators)
        )
