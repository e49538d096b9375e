"""Follow-up in Chromium: the daily reminder job tells a unit operator that an item of last
cycle's recommendations is due in three days; the operator finds the reminder under the bell,
opens the item from it, records the follow-up with an evidence file (desktop), and the
coordinator of the agency sees the completion rise on a phone. The database is read only
between finished requests."""

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from evaluations.models import FollowUpFile, FollowUpItem
from evaluations.rules import today
from evaluations.services.reminders import reminders_send
from notifications.models import Notification
from tests import factories as f
from tests.evaluations.f01_factories import PDF_BYTES
from tests.evaluations.followup_factories import LEVELS, TEXTS, finalized
from units.models import AgencyKind, Role

from .support import BrowserTestCase


# The reminder's mail leaves through the worker (notifications.deliver): run it in the test.
@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class FollowUpJourneyTest(BrowserTestCase):
    def setUp(self):
        super().setUp()
        province = f.make_province("Lampung", "18")
        pemprov = f.make_agency("Pemerintah Provinsi Lampung", AgencyKind.PROVINSI, province)
        unit = f.make_unit(pemprov, "DPMPTSP Provinsi Lampung")
        other = f.make_unit(pemprov, "RSUD Dr. H. Abdul Moeloek")
        cycle = f.make_cycle(year=2023, name="PEKPPP Nasional 2023")
        self.items = finalized(f.make_assessment(cycle, unit), LEVELS, TEXTS)
        finalized(f.make_assessment(cycle, other), LEVELS, TEXTS)
        operator = f.make_user(
            "operator-fu", agency=pemprov, full_name="Sri Lestari", email="sri@example.org"
        )
        f.grant(operator, Role.UNIT_OPERATOR, unit=unit)
        coordinator = f.make_user("koordinator-fu", agency=pemprov, full_name="Rina Marlina")
        f.grant(coordinator, Role.COORDINATOR, agency=pemprov)

    def test_the_operator_records_follow_up_and_the_coordinator_sees_it(self):
        item = self.items[1]
        due = today() + dt.timedelta(days=3)
        FollowUpItem.objects.filter(pk=item.pk).update(target_date=due)
        reminders_send(today=today())  # real commits here: the mail goes out at once
        (reminder,) = Notification.objects.filter(recipient__username="operator-fu")
        self.assertEqual(reminder.kind, "followup_due")
        (sent,) = mail.outbox
        self.assertEqual((sent.subject, sent.to), (reminder.title, [reminder.recipient.email]))

        page = self.page
        self.log_in("operator-fu", f.PASSWORD)
        page.wait_for_url(self.url("/"))
        bell = page.locator("a.bell")
        self.assertIn("1 belum dibaca", bell.get_attribute("aria-label"))
        bell.click()
        page.wait_for_url(self.url(reverse("notifications:list")))
        page.get_by_role("button", name=reminder.title).click()
        page.wait_for_url(self.url(reverse("evaluations:followup_detail", args=[item.pk])))
        reminder.refresh_from_db()
        self.assertIsNotNone(reminder.read_at)
        page.get_by_label("Rencana aksi").fill("Menetapkan SK Standar Pelayanan")
        page.get_by_label("Penanggung jawab").fill("Kepala Bidang Pelayanan")
        page.get_by_label("Status").select_option("selesai")
        with tempfile.TemporaryDirectory() as folder:
            evidence = Path(folder) / "SK Standar Pelayanan.pdf"
            evidence.write_bytes(PDF_BYTES)
            page.locator("#fu-files").set_input_files(str(evidence))
            page.get_by_role("button", name="Simpan tindak lanjut").click()
            page.wait_for_selector("text=Tindak lanjut tersimpan.")
        self.assertEqual(page.locator("#fu-status").inner_text(), "Selesai")
        page.get_by_role("link", name="SK Standar Pelayanan.pdf").wait_for()
        self.assertIn("Kepala Bidang Pelayanan", page.locator("table.fu-history").inner_text())
        item.refresh_from_db()
        self.assertEqual((item.status, item.version), ("selesai", 1))
        self.assertEqual(
            FollowUpFile.objects.get(item=item).sha256, hashlib.sha256(PDF_BYTES).hexdigest()
        )

        context, phone = self.phone()
        phone.goto(self.url("/masuk/"))
        phone.get_by_label("Nama pengguna").fill("koordinator-fu")
        phone.get_by_label("Kata sandi").fill(f.PASSWORD)
        phone.get_by_role("button", name="Masuk").click()
        phone.wait_for_url(self.url("/"))
        phone.goto(self.url(reverse("evaluations:followup_list")))
        # 1 of 6 items done: the unit's row and the total.
        self.assertEqual(phone.locator("#fu-percent").inner_text(), "16,7%")
        unit_row = phone.locator("table.fu-progress tbody tr", has_text="DPMPTSP Provinsi Lampung")
        self.assertIn("33,3%", unit_row.inner_text())
        width = phone.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, 390)
        self.assertEqual(FollowUpItem.objects.filter(status="selesai").count(), 1)
        context.close()
