"""The bell in the top bar, the list page and marking notifications read."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification, NotificationKind
from notifications.views import PAGE_SIZE
from tests import factories as f
from tests.base import PersonaTestCase

LIST = reverse("notifications:list")


def make(person, n: int = 1, *, url: str = "/penilaian/1/", read: bool = False, title="Judul"):
    now = timezone.now()
    made = Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind=NotificationKind.FINAL,
            title=f"{title} {i}",
            body=f"Yth. Bapak,\n\nIsi {i}",
            url=url,
            read_at=now if read else None,
        )
        for i in range(n)
    )
    # Distinct times, the last one made the newest.
    for i, notification in enumerate(made):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=now - dt.timedelta(minutes=n - i)
        )
    return made


class BellTest(PersonaTestCase):
    def test_it_shows_the_unread_count_as_an_accessible_link(self):
        make(self.operator, 3)
        make(self.operator, 2, read=True)
        make(self.leader, 4)
        self.client.force_login(self.operator)
        response = self.client.get("/")
        self.assertContains(
            response,
            f'<a class="bell" href="{LIST}" aria-label="Notifikasi, 3 belum dibaca">',
        )
        self.assertContains(response, '<span class="bell-count">3</span>', html=True)

    def test_it_shows_no_number_without_unread_notifications(self):
        make(self.operator, 2, read=True)
        self.client.force_login(self.operator)
        response = self.client.get("/")
        self.assertContains(response, 'aria-label="Notifikasi, tidak ada yang belum dibaca"')
        self.assertNotContains(response, "bell-count")

    def test_it_caps_the_number_shown(self):
        make(self.operator, 120)
        self.client.force_login(self.operator)
        response = self.client.get("/")
        self.assertContains(response, '<span class="bell-count">99+</span>', html=True)
        self.assertContains(response, 'aria-label="Notifikasi, 120 belum dibaca"')

    def test_it_is_not_shown_to_anonymous_visitors(self):
        response = self.client.get(reverse("public:index"))
        self.assertNotContains(response, "bell")

    def test_it_costs_one_count_query_per_page(self):
        self.client.force_login(self.operator)
        self.client.get("/")
        make(self.operator, 5)
        with CaptureQueriesContext(connection) as queries:
            self.client.get("/")
        counts = [q["sql"] for q in queries if "notifications_notification" in q["sql"]]
        self.assertEqual(len(counts), 1)
        self.assertIn('SELECT COUNT(*) AS "__count" FROM "notifications_notification"', counts[0])
        self.assertIn('"read_at" IS NULL', counts[0])


class ListPageTest(PersonaTestCase):
    def test_it_sends_anonymous_visitors_to_log_in(self):
        response = self.client.get(LIST)
        self.assertRedirects(response, f"{reverse('login')}?next={LIST}")

    def test_it_lists_only_the_persons_own_newest_first_with_unread_marked(self):
        make(self.operator, 2, read=True, title="Lama")
        make(self.operator, 1, url="/penilaian/9/f01/", title="Baru")
        make(self.leader, 1, title="Milik pimpinan")
        self.client.force_login(self.operator)
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        page = response.context["page"]
        self.assertEqual([n.title for n in page.object_list], ["Baru 0", "Lama 1", "Lama 0"])
        self.assertNotContains(response, "Milik pimpinan")
        unread = Notification.objects.get(title="Baru 0")
        self.assertContains(response, 'class="card notice unread"', count=1)
        self.assertContains(
            response,
            f'<form method="post" action="/notifikasi/{unread.pk}/baca/" class="inline">',
        )
        self.assertContains(response, '<a href="/penilaian/1/">Lama 1</a>', html=True)
        self.assertContains(response, "Tandai semua sudah dibaca")
        self.assertContains(response, "Isi 0")

    def test_it_pages_in_constant_queries(self):
        self.client.force_login(self.operator)
        make(self.operator, 3)
        self.client.get(LIST)
        # user, roles (menu), count for the pager, the page, the bell (session: cache)
        with self.assertNumQueries(5):
            self.client.get(LIST)
        make(self.operator, 60)
        with self.assertNumQueries(5):
            response = self.client.get(LIST, {"halaman": 2})
        self.assertEqual(len(response.context["page"].object_list), PAGE_SIZE)
        self.assertContains(response, "Halaman 2 dari 4")

    def test_it_shows_the_first_or_last_page_for_a_bad_page_number(self):
        make(self.operator, PAGE_SIZE + 1)
        self.client.force_login(self.operator)
        for value, number in (("abc", 1), ("0", 2), ("99999999999999999999999", 2), ("-1", 2)):
            with self.subTest(value=value):
                response = self.client.get(LIST, {"halaman": value})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.context["page"].number, number)

    def test_it_says_when_there_is_nothing(self):
        self.client.force_login(self.outsider)
        self.assertContains(self.client.get(LIST), "Belum ada notifikasi untuk Anda.")


class MarkReadTest(PersonaTestCase):
    def test_it_marks_one_read_and_goes_to_its_link(self):
        (notification,) = make(self.operator, url="/penilaian/5/f01/")
        self.client.force_login(self.operator)
        response = self.client.post(reverse("notifications:read", args=[notification.pk]))
        self.assertRedirects(response, "/penilaian/5/f01/", fetch_redirect_response=False)
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)

    def test_it_goes_back_to_the_list_without_a_link_or_with_a_foreign_one(self):
        self.client.force_login(self.operator)
        for url in ("", "https://contoh.example/phish", "//contoh.example/"):
            (notification,) = make(self.operator, url=url)
            with self.subTest(url=url):
                response = self.client.post(reverse("notifications:read", args=[notification.pk]))
                self.assertRedirects(response, LIST, fetch_redirect_response=False)

    def test_it_walks_the_permissions(self):
        (notification,) = make(self.operator)
        url = reverse("notifications:read", args=[notification.pk])
        response = self.client.post(url)
        self.assertRedirects(response, f"{reverse('login')}?next={url}")
        self.client.force_login(self.leader)
        self.assertEqual(self.client.post(url).status_code, 404)
        self.assertEqual(
            self.client.post(reverse("notifications:read", args=[10**20])).status_code, 404
        )
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.assertEqual(self.client.post(url).status_code, 302)
        notification.refresh_from_db()
        self.assertIsNotNone(notification.read_at)

    def test_it_marks_all_of_the_persons_own_read(self):
        make(self.operator, 3)
        (theirs,) = make(self.leader)
        self.client.force_login(self.operator)
        response = self.client.post(reverse("notifications:read_all"), follow=True)
        self.assertContains(response, "3 notifikasi ditandai sudah dibaca.")
        self.assertEqual(
            Notification.objects.filter(recipient=self.operator, read_at__isnull=True).count(), 0
        )
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)
        self.assertNotContains(response, "bell-count")
        self.assertEqual(self.client.get(reverse("notifications:read_all")).status_code, 405)


class AnotherPersonTest(PersonaTestCase):
    def test_it_never_shows_someone_elses_notification(self):
        stranger = f.make_user()
        make(stranger, 2, title="Rahasia")
        self.client.force_login(self.operator)
        self.assertNotContains(self.client.get(LIST), "Rahasia")
