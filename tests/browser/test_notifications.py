"""In Chromium, under the CSP: the bell leads to the list; opening a notification marks it
read and goes to what it is about; the count in the bell falls."""

import datetime as dt

from django.test import override_settings

from evaluations.models import Indicator
from evaluations.services.clarifications import clarification_request
from notifications.models import Notification
from tests import factories as f
from tests.evaluations.moderation_factories import evaluated, open_windows
from units.models import Role

from .support import BrowserTestCase


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class NotificationJourneyTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        province = f.make_province()
        agency = f.make_agency("Pemerintah Kabupaten Lampung Selatan", province=province)
        unit = f.make_unit(agency, "Disdukcapil Kabupaten Lampung Selatan")
        instrument = f.make_instrument("UJI-2022")
        cycle = f.make_cycle(instrument, name="PEKPPP Nasional 2024")
        open_windows(cycle)
        self.assessment = f.make_assessment(cycle, unit)
        self.operator = f.make_user("operator", full_name="Operator Disdukcapil")
        f.grant(self.operator, Role.UNIT_OPERATOR, unit=unit)
        evaluator = f.make_evaluator("evaluator", full_name="Evaluator Nasional")
        evaluated(self.assessment, {1: 3}, evaluators=[evaluator], submitted=False)
        indicator = Indicator.objects.get(instrument=instrument, number=1)
        clarification_request(
            assessment=self.assessment, by=evaluator, items=[(indicator, "Mana SK-nya?")]
        )
        old = Notification.objects.create(
            recipient=self.operator, kind="final", title="Pemberitahuan lama", body="-"
        )
        Notification.objects.filter(pk=old.pk).update(
            created_at=old.created_at - dt.timedelta(days=2)
        )

    def test_an_operator_opens_a_notification_from_the_bell(self):
        self.log_in("operator", f.PASSWORD)
        bell = self.page.get_by_role("link", name="Notifikasi, 2 belum dibaca")
        self.assertEqual(bell.inner_text().strip(), "2")
        bell.click()
        self.page.wait_for_url(self.url("/notifikasi/"))
        self.assertEqual(self.page.locator(".notice.unread").count(), 2)
        self.page.get_by_role(
            "button", name="Permintaan klarifikasi: Disdukcapil Kabupaten Lampung Selatan"
        ).click()
        self.page.wait_for_url(self.url(f"/penilaian/{self.assessment.pk}/f01/"))
        self.page.get_by_role("link", name="Notifikasi, 1 belum dibaca").click()
        self.page.get_by_role("button", name="Tandai semua sudah dibaca").click()
        self.page.wait_for_url(self.url("/notifikasi/"))
        self.page.get_by_role("link", name="Notifikasi, tidak ada yang belum dibaca").wait_for()
        self.assertEqual(self.page.locator(".notice.unread").count(), 0)
        self.page.locator("summary").first.click()
        self.assertIn("Mana SK-nya?", self.page.locator(".notice-body").first.inner_text())
