"""Publication day: the public pages answer conditional requests, say how long caches may keep
them, set no cookie for anonymous visitors, are kept by the portal's public cache keyed by the
current publications, language and query, and show a correction at once."""

import re
from decimal import Decimal

from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.http import http_date

from scoring.models import Result
from scoring.selectors.public import STATE_KEY, cached_public_state, public_state
from tests import factories as f

from .public_factories import PublicPagesTestCase

ETAG = re.compile(r'^"[0-9a-f]{32}"$')


@override_settings(PUBLIC_INDEX_MAX_AGE=60, PUBLIC_PAGE_MAX_AGE=300, PUBLIC_SHARED_MAX_AGE=10)
class PublicHeadersTest(PublicPagesTestCase):
    """The answers themselves, without the portal's own copy (PUBLIC_CACHE_SECONDS = 0)."""

    def pages(self):
        return {
            "index": reverse("public:index"),
            "overview": reverse("public:overview", args=[self.cycle.pk]),
            "ranking": reverse("public:ranking", args=[self.cycle.pk]),
            "unit": reverse("public:unit", args=[self.lamsel_unit.pk]),
        }

    def test_it_says_how_long_caches_may_keep_each_page_and_what_it_varies_on(self):
        published = http_date(self.publication.published_at.timestamp())
        language_vary = "Accept-Language, Cookie, Accept-Encoding"
        expected = {
            "index": ("public, max-age=60, s-maxage=10", language_vary),
            "overview": ("public, max-age=300, s-maxage=10", language_vary),
            "ranking": (
                "public, max-age=300, s-maxage=10",
                f"HX-Request, HX-History-Restore-Request, {language_vary}",
            ),
            "unit": ("public, max-age=300, s-maxage=10", language_vary),
        }
        for name, url in self.pages().items():
            with self.subTest(name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                cache_control, vary = expected[name]
                self.assertEqual(response["Cache-Control"], cache_control)
                self.assertEqual(response["Vary"], vary)
                self.assertRegex(response["ETag"], ETAG)
                self.assertEqual(response["Last-Modified"], published)
                self.assertNotIn("Expires", response)

    def test_it_sets_no_cookie_and_shows_no_csrf_token_to_anonymous_visitors(self):
        for name, url in self.pages().items():
            with self.subTest(name):
                response = self.client.get(url)
                self.assertEqual(response.cookies, {})
                self.assertNotIn("Set-Cookie", response)
                self.assertNotContains(response, "csrfmiddlewaretoken")
                self.assertNotContains(response, "X-CSRFToken")
                # The language switch is still there.
                self.assertContains(response, f'action="{reverse("set_language")}"')

    def test_it_answers_304_to_a_conditional_request_before_the_view_runs(self):
        for name, url in self.pages().items():
            with self.subTest(name):
                first = self.client.get(url)
                with self.assertNumQueries(1):  # the current publications, nothing else
                    again = self.client.get(url, headers={"If-None-Match": first["ETag"]})
                self.assertEqual(again.status_code, 304)
                self.assertEqual(again.content, b"")
                self.assertEqual(again["ETag"], first["ETag"])
                self.assertEqual(again["Cache-Control"], first["Cache-Control"])
                since = self.client.get(url, headers={"If-Modified-Since": first["Last-Modified"]})
                self.assertEqual(since.status_code, 304)
                other = self.client.get(url, headers={"If-None-Match": '"something-else"'})
                self.assertEqual(other.status_code, 200)

    def test_each_language_and_the_htmx_table_have_an_etag_of_their_own(self):
        url = self.pages()["ranking"]
        indonesian = self.client.get(url)
        english = self.client.get(url, headers={"Accept-Language": "en"})
        self.assertContains(english, 'lang="en"')
        by_cookie = Client()
        by_cookie.cookies["django_language"] = "en"
        english_cookie = by_cookie.get(url)
        table = self.client.get(url, headers={"HX-Request": "true"})
        etags = {r["ETag"] for r in (indonesian, english, table)}
        self.assertEqual(len(etags), 3)
        self.assertEqual(english_cookie["ETag"], english["ETag"])
        # An Indonesian copy is not confirmed to someone who now reads English.
        response = self.client.get(
            url, headers={"If-None-Match": indonesian["ETag"], "Accept-Language": "en"}
        )
        self.assertEqual(response.status_code, 200)

    def test_a_correction_changes_the_etag_and_the_page_at_once(self):
        url = reverse("public:unit", args=[self.lamsel_unit.pk])
        before = self.client.get(url)
        self.correct_lampung_selatan()
        after = self.client.get(url, headers={"If-None-Match": before["ETag"]})
        self.assertEqual(after.status_code, 200)
        self.assertNotEqual(after["ETag"], before["ETag"])
        self.assertContains(after, '<dd class="pub-big" id="ipp-terbaru">4,10</dd>', html=True)

    def test_signed_in_pages_stay_private(self):
        self.client.force_login(self.admin)
        for name, url in self.pages().items():
            with self.subTest(name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Cache-Control"], "private, no-store")
                self.assertNotIn("ETag", response)
                self.assertNotIn("Last-Modified", response)
                # Their forms (language, log-out) and htmx carry the CSRF token as before.
                self.assertContains(response, "csrfmiddlewaretoken")
                self.assertContains(response, "X-CSRFToken")

    def test_an_unpublished_cycle_is_still_not_found(self):
        response = self.client.get(reverse("public:ranking", args=[self.unpublished.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("ETag", response)

    def correct_lampung_selatan(self):
        Result.objects.filter(assessment__unit=self.lamsel_unit, cycle=self.cycle).update(
            ipp=Decimal("4.10"), grade="A-", grade_label="Sangat Baik"
        )
        with self.captureOnCommitCallbacks(execute=True):
            f.publish(self.cycle, self.admin, reason="Koreksi nilai Lampung Selatan")


@override_settings(PUBLIC_CACHE_SECONDS=600)
class PublicCacheTest(PublicPagesTestCase):
    """The portal's own copy (scoring.middleware.public_page_cache)."""

    def setUp(self):
        caches["public"].clear()

    def test_a_second_visitor_gets_the_copy_after_one_query(self):
        url = reverse("public:ranking", args=[self.cycle.pk])
        first = self.client.get(url)
        with self.assertNumQueries(0):  # the copy and the current publications, from the cache
            second = Client().get(url)
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["ETag"], first["ETag"])
        self.assertEqual(second["Cache-Control"], first["Cache-Control"])
        self.assertEqual(second.cookies, {})
        self.assertIn("Content-Security-Policy", second)
        self.assertEqual(second["X-Frame-Options"], "DENY")
        with self.assertNumQueries(0):
            again = self.client.get(url, headers={"If-None-Match": first["ETag"]})
        self.assertEqual(again.status_code, 304)

    def test_a_correction_is_shown_at_once(self):
        url = reverse("public:unit", args=[self.lamsel_unit.pk])
        before = self.client.get(url)
        self.assertEqual(self.client.get(url).content, before.content)  # from the copy
        PublicHeadersTest.correct_lampung_selatan(self)
        after = self.client.get(url, headers={"If-None-Match": before["ETag"]})
        self.assertEqual(after.status_code, 200)
        self.assertNotEqual(after["ETag"], before["ETag"])
        self.assertContains(after, '<dd class="pub-big" id="ipp-terbaru">4,10</dd>', html=True)

    def test_it_keeps_languages_pages_and_htmx_tables_apart(self):
        url = reverse("public:ranking", args=[self.cycle.pk])
        indonesian = self.client.get(url)
        english = self.client.get(url, headers={"Accept-Language": "en"})
        table = self.client.get(url, headers={"HX-Request": "true"})
        page_two = self.client.get(url, {"halaman": "1", "kelompok": "kabkota"})
        for _ in range(2):  # the second round from the copies
            self.assertContains(self.client.get(url), '<html lang="id">')
            by_cookie = Client()
            by_cookie.cookies["django_language"] = "en"
            self.assertEqual(by_cookie.get(url).content, english.content)
            self.assertContains(english, '<html lang="en">')
            fragment = self.client.get(url, headers={"HX-Request": "true"})
            self.assertEqual(fragment.content, table.content)
            self.assertNotContains(fragment, "<html")
            self.assertEqual(
                self.client.get(url, {"halaman": "1", "kelompok": "kabkota"}).content,
                page_two.content,
            )
        self.assertNotEqual(indonesian.content, english.content)

    def test_it_keeps_compressed_copies_for_those_who_accept_them(self):
        url = reverse("public:ranking", args=[self.cycle.pk])
        gzip = {"Accept-Encoding": "gzip, deflate, br"}
        plain = self.client.get(url)
        packed = self.client.get(url, headers=gzip)
        self.assertEqual(packed["Content-Encoding"], "gzip")
        self.assertEqual(packed["ETag"], f"W/{plain['ETag']}")
        self.assertLess(len(packed.content), len(plain.content) / 4)
        with self.assertNumQueries(0):
            again = Client().get(url, headers=gzip)
            self.assertEqual(again.content, packed.content)
            self.assertNotIn("Content-Encoding", Client().get(url))
            confirmed = Client().get(url, headers=gzip | {"If-None-Match": packed["ETag"]})
        self.assertEqual(confirmed.status_code, 304)

    def test_signed_in_people_are_neither_served_nor_stored(self):
        url = reverse("public:overview", args=[self.cycle.pk])
        Client().get(url)  # an anonymous copy
        self.client.force_login(self.admin)
        mine = self.client.get(url)
        self.assertEqual(mine["Cache-Control"], "private, no-store")
        self.assertContains(mine, self.admin.display_name)
        self.client.logout()
        anonymous = Client().get(reverse("public:index"))
        self.assertNotContains(anonymous, self.admin.display_name)

    def test_searches_and_refused_filters_are_not_kept(self):
        url = reverse("public:ranking", args=[self.cycle.pk])
        for params in ({"q": "lampung"}, {"kelompok": "tidak-ada"}, {"halaman": "x"}):
            with self.subTest(params=params):
                first = self.client.get(url, params)
                self.assertEqual(first["Cache-Control"], "public, max-age=300, s-maxage=10")
                with self.assertNumQueries(5):  # rendered again (the state is kept)
                    self.client.get(url, params)

    def test_a_visitor_with_a_message_waiting_is_not_served_a_copy(self):
        url = reverse("public:index")
        self.client.get(url)
        visitor = Client()
        visitor.cookies["messages"] = "pending"
        with self.assertNumQueries(1):  # the list rendered again, not the copy
            visitor.get(url)

    def test_the_current_publications_are_read_once_then_kept_until_a_publication(self):
        with self.assertNumQueries(1):
            state = cached_public_state()
        with self.assertNumQueries(0):
            self.assertEqual(cached_public_state(), state)
        # One read before the correction committed does not overwrite the one kept after it.
        PublicHeadersTest.correct_lampung_selatan(self)
        caches["public"].add(STATE_KEY, state)
        self.assertNotEqual(cached_public_state(), state)
        self.assertEqual(cached_public_state(), public_state())

    @override_settings(PUBLIC_CACHE_SECONDS=0)
    def test_it_can_be_turned_off(self):
        url = reverse("public:index")
        self.client.get(url)
        with self.assertNumQueries(2):  # the current publications, the list
            self.client.get(url)
