"""notify / deliver: one notification per person in their language, mailed once by the worker."""

from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from notifications.models import Notification, NotificationKind
from notifications.services import notifications_mark_read, notify, notify_later
from notifications.tasks import deliver
from tests import factories as f
from tests.base import PersonaTestCase

CONTEXT = {"unit": "Disdukcapil Kabupaten Lampung Selatan", "cycle": "PEKPPP Nasional 2024"}


def final(people, **extra):
    return notify(
        recipients=people,
        kind=NotificationKind.FINAL,
        template="final",
        context=CONTEXT,
        url="/penilaian/7/",
        **extra,
    )


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class NotifyTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.operator.email = "operator@example.org"
        cls.operator.save(update_fields=["email"])
        cls.leader.email = "pimpinan@example.org"
        cls.leader.language = "en"
        cls.leader.save(update_fields=["email", "language"])

    def test_it_stores_and_mails_each_person_in_their_language(self):
        with self.captureOnCommitCallbacks(execute=True):
            made = final([self.operator, self.leader])
        self.assertEqual(len(made), 2)
        mine, theirs = (
            Notification.objects.get(recipient=self.operator),
            Notification.objects.get(recipient=self.leader),
        )
        self.assertEqual(
            (mine.kind, mine.title, mine.url),
            ("final", "Penilaian final: Disdukcapil Kabupaten Lampung Selatan", "/penilaian/7/"),
        )
        self.assertEqual(theirs.title, "Final assessment: Disdukcapil Kabupaten Lampung Selatan")
        self.assertIsNone(mine.read_at)
        self.assertIsNotNone(mine.emailed_at)
        by_address = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(sorted(by_address), ["operator@example.org", "pimpinan@example.org"])
        indonesian, english = by_address["operator@example.org"], by_address["pimpinan@example.org"]
        self.assertEqual(indonesian.subject, mine.title)
        self.assertEqual(indonesian.body, mine.body)
        self.assertIn("Yth. Operator Disdukcapil,", indonesian.body)
        self.assertIn(
            "Penilaian Disdukcapil Kabupaten Lampung Selatan pada PEKPPP Nasional 2024 telah "
            "final.",
            indonesian.body,
        )
        self.assertIn(f"{settings.SITE_URL}/penilaian/7/", indonesian.body)
        self.assertIn(f"{settings.SITE_URL}/notifikasi/", indonesian.body)
        html, kind = indonesian.alternatives[0]
        self.assertEqual(kind, "text/html")
        self.assertIn('<html lang="id">', html)
        self.assertIn(f'<a href="{settings.SITE_URL}/penilaian/7/">', html)
        self.assertIn("Pesan ini dikirim oleh Portal PEKPPP", html)
        self.assertNotIn("style=", html)
        self.assertEqual(english.subject, theirs.title)
        self.assertIn("Dear Pimpinan Lampung Selatan,", english.body)
        self.assertIn('<html lang="en">', english.alternatives[0][0])
        self.assertIn("This message was sent by the PEKPPP Portal", english.alternatives[0][0])

    def test_it_keeps_text_as_written_in_the_plain_mail_and_escapes_it_in_html(self):
        with self.captureOnCommitCallbacks(execute=True):
            notify(
                recipients=[self.operator],
                kind=NotificationKind.FINAL,
                template="final",
                context={"unit": "UPT <Samsat> & Co", "cycle": "2024"},
            )
        message = mail.outbox[0]
        self.assertEqual(message.subject, "Penilaian final: UPT <Samsat> & Co")
        self.assertIn("Penilaian UPT <Samsat> & Co pada 2024", message.body)
        self.assertIn("UPT &lt;Samsat&gt; &amp; Co", message.alternatives[0][0])

    def test_it_skips_inactive_people_and_stores_without_mail_for_people_without_address(self):
        self.leader.is_active = False
        self.leader.save(update_fields=["is_active"])
        with self.captureOnCommitCallbacks(execute=True):
            made = final([self.operator, self.leader, self.evaluator, None])
        self.assertEqual(sorted(n.recipient.username for n in made), ["evaluator", "operator"])
        self.assertEqual([m.to for m in mail.outbox], [["operator@example.org"]])
        self.assertIsNone(Notification.objects.get(recipient=self.evaluator).emailed_at)

    def test_it_notifies_each_person_once_per_key(self):
        with self.captureOnCommitCallbacks(execute=True):
            first = final([self.operator], key="final:7")
        with self.captureOnCommitCallbacks(execute=True):
            again = final([self.operator, self.leader], key="final:7")
        self.assertEqual(len(first), 1)
        self.assertEqual([n.recipient for n in again], [self.leader])
        self.assertEqual(Notification.objects.filter(key="final:7").count(), 2)
        self.assertEqual(len(mail.outbox), 2)

    def test_it_sends_a_mail_once_when_the_job_runs_twice(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            made = final([self.operator])
        self.assertEqual(len(callbacks), 1)
        payload = [[made[0].pk, "<p>html</p>"]]
        self.assertEqual(deliver.apply(args=[payload]).get(), 1)
        self.assertEqual(deliver.apply(args=[payload]).get(), 0)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].alternatives[0][0], "<p>html</p>")

    def test_it_records_a_mail_server_failure_and_keeps_the_notification(self):
        with (
            override_settings(
                MAILERS={"default": {"BACKEND": "tests.notifications.failing_mail.Backend"}}
            ),
            self.captureOnCommitCallbacks(execute=True),
        ):
            final([self.operator])
        notification = Notification.objects.get(recipient=self.operator)
        self.assertEqual(notification.mail_error, "server mail tidak menjawab")
        self.assertIsNotNone(notification.emailed_at)  # claimed: never retried into a duplicate
        self.assertEqual(mail.outbox, [])

    def test_it_stores_many_people_in_constant_queries(self):
        def count(n):
            people = [f.make_user(email=f"orang{i}@example.org") for i in range(n)]
            with CaptureQueriesContext(connection) as queries:
                final(people)
            return len(queries)

        # The INSERT (one per 500 rows), plus the savepoint pair of the atomic block.
        self.assertEqual(count(3), count(60))

    def test_it_fans_out_to_the_worker_once_per_key(self):
        people = [self.operator, self.leader, self.evaluator]
        for _ in range(2):  # a second run (or a retried job) adds nobody
            with self.captureOnCommitCallbacks(execute=True):
                notify_later(
                    recipient_ids=[p.pk for p in people] + [self.operator.pk],
                    kind=NotificationKind.PUBLICATION,
                    template="publication",
                    context={"cycle": "PEKPPP Nasional 2024", "revision": 1, "reason": ""},
                    url="/hasil/1/",
                    key="publication:1:1",
                )
        self.assertEqual(
            sorted(
                Notification.objects.filter(key="publication:1:1").values_list(
                    "recipient__username", flat=True
                )
            ),
            ["evaluator", "operator", "pimpinan"],
        )
        self.assertEqual(len(mail.outbox), 2)


class MarkReadTest(PersonaTestCase):
    def test_it_marks_only_the_persons_own_notifications(self):
        mine = [
            Notification.objects.create(
                recipient=self.operator, kind="final", title=f"n{i}", body="b"
            )
            for i in range(3)
        ]
        other = Notification.objects.create(
            recipient=self.leader, kind="final", title="x", body="b"
        )
        self.assertEqual(
            notifications_mark_read(person=self.operator, ids=[mine[0].pk, other.pk]), 1
        )
        self.assertEqual(notifications_mark_read(person=self.operator), 2)
        self.assertEqual(notifications_mark_read(person=self.operator), 0)
        other.refresh_from_db()
        self.assertIsNone(other.read_at)
