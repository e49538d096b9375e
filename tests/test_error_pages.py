"""Error pages: 404 and 403 in the portal's frame and the reader's language, with a way on;
500 as a static page that needs neither the request's session nor the database."""

from django.test import RequestFactory
from django.views.defaults import server_error

from tests.base import PersonaTestCase


class ErrorPagesTest(PersonaTestCase):
    def test_a_missing_page_says_so_in_the_frame_with_links_on(self):
        response = self.client.get("/tidak-ada/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Halaman tidak ditemukan", status_code=404)
        self.assertContains(response, "<code>/tidak-ada/</code>", status_code=404)
        self.assertContains(response, '<header class="topbar">', status_code=404)
        self.assertContains(response, 'href="/masuk/?next=/tidak-ada/"', status_code=404)
        self.assertContains(response, 'class="button" href="/">Ke beranda</a>', status_code=404)

    def test_an_unknown_api_url_answers_json_like_the_api(self):
        for path in ("/api/v1/tidak-ada/", "/api/v1/simulasi/x/", "/api/"):
            with self.subTest(path=path):
                response = self.client.get(path, HTTP_ACCEPT_LANGUAGE="id")
                self.assertEqual(response.status_code, 404)
                self.assertEqual(response["Content-Type"], "application/json")
                self.assertEqual(response.json(), {"detail": "Data tidak ditemukan."})
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertEqual(self.client.get("/api/v1/tidak-ada/").json(), {"detail": "Not found."})
        # Only the API's prefix: a page whose path merely starts alike stays HTML.
        self.assertContains(self.client.get("/apix/"), "Page not found", status_code=404)

    def test_it_follows_the_language(self):
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        response = self.client.get("/tidak-ada/")
        self.assertContains(response, "Page not found", status_code=404)
        self.assertContains(response, '<html lang="en">', status_code=404)

    def test_a_member_without_the_right_is_told_who_they_are(self):
        leader = self.leader
        self.client.force_login(leader)
        response = self.client.get("/periode/")  # cycles: admins and coordinators only
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "Akses ditolak", status_code=403)
        self.assertContains(
            response, f"Anda masuk sebagai <strong>{leader.display_name}</strong>", status_code=403
        )
        self.assertNotContains(response, 'href="/masuk/', status_code=403)

    def test_the_server_error_page_needs_no_database(self):
        request = RequestFactory().get("/apa-saja/")
        with self.assertNumQueries(0):
            response = server_error(request)
        self.assertEqual(response.status_code, 500)
        html = response.content.decode()
        self.assertIn("Terjadi gangguan pada portal", html)
        self.assertIn("/static/css/portal", html)
        self.assertIn('<a class="button" href="/">Ke beranda</a>', html)

    def test_an_outsider_gets_the_same_404_as_a_missing_page(self):
        self.client.force_login(self.outsider)
        response = self.client.get("/penilaian/999999/")
        self.assertContains(response, "Halaman tidak ditemukan", status_code=404)
