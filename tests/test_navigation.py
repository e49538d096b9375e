"""The base layout's menu: the links each role is given, in both languages."""

import re

from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse

from tests.base import PersonaTestCase

NAV = re.compile(r'<nav aria-label="[^"]+">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)">([^<]+)</a>')


class NavigationTest(PersonaTestCase):
    def menu(self, path="/hasil/"):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        nav = NAV.search(response.content.decode()).group(1)
        return LINK.findall(nav), nav

    def test_each_role_gets_its_links(self):
        home, cycles = reverse("home"), reverse("evaluations:cycle_list")
        rankings, simulator = reverse("scoring:ranking_list"), reverse("simulator:page")
        public, admin = reverse("public:index"), reverse("admin:index")
        letters = (reverse("reports:result_letter_list"), "Surat hasil")
        followup = (reverse("evaluations:followup_list"), "Tindak lanjut")
        security = (reverse("units:two_factor"), "Keamanan akun")
        token = (reverse("units:api_token"), "Token API")
        expected = {
            "admin": [
                (home, "Beranda"),
                (cycles, "Periode"),
                (rankings, "Peringkat"),
                letters,
                (simulator, "Simulasi nilai"),
                followup,
                (public, "Hasil PEKPPP"),
                security,
                token,
                (admin, "Administrasi"),
            ],
            "coordinator": [
                (home, "Beranda"),
                (cycles, "Periode"),
                (rankings, "Peringkat"),
                letters,
                (simulator, "Simulasi nilai"),
                followup,
                (public, "Hasil PEKPPP"),
                security,
                token,
            ],
            "evaluator": [
                (home, "Beranda"),
                (simulator, "Simulasi nilai"),
                (public, "Hasil PEKPPP"),
                security,
                token,
            ],
            "operator": [
                (home, "Beranda"),
                (simulator, "Simulasi nilai"),
                followup,
                (public, "Hasil PEKPPP"),
                security,
                token,
            ],
            "leader": [
                (home, "Beranda"),
                (rankings, "Peringkat"),
                letters,
                (simulator, "Simulasi nilai"),
                followup,
                (public, "Hasil PEKPPP"),
                security,
                token,
            ],
            "outsider": [(home, "Beranda"), (public, "Hasil PEKPPP"), security, token],
        }
        for name, links in expected.items():
            person = getattr(self, name)
            with self.subTest(person=name):
                self.client.force_login(person)
                got, nav = self.menu()
                self.assertEqual(got, links)
                self.assertIn(f'<span class="who">{person.display_name}</span>', nav)
                self.assertIn(f'action="{reverse("logout")}"', nav)
        self.client.logout()
        got, nav = self.menu()
        self.assertEqual(got, [(public, "Hasil PEKPPP")])
        self.assertNotIn(reverse("logout"), nav)

    def test_the_menu_follows_the_language_and_marks_the_current_one(self):
        self.client.force_login(self.coordinator)
        _, nav = self.menu()
        self.assertIn('value="id" class="link" aria-current="true">ID</button>', nav)
        self.assertIn('value="en" class="link">EN</button>', nav)
        self.assertIn(f'action="{reverse("set_language")}"', nav)
        self.assertIn('name="next" value="/hasil/"', nav)
        self.client.post(reverse("set_language"), {"language": "en", "next": "/hasil/"})
        got, nav = self.menu()
        self.assertEqual(
            [label for _, label in got],
            [
                "Home",
                "Cycle",
                "Ranking",
                "Result letters",
                "Score simulator",
                "Follow-up",
                "PEKPPP Results",
                "Account security",
                "API token",
            ],
        )
        self.assertIn('value="en" class="link" aria-current="true">EN</button>', nav)
        self.assertIn('value="id" class="link">ID</button>', nav)

    def test_values_in_the_bar_are_escaped(self):
        self.operator.full_name = 'Siti <script>alert("x")</script> {nama}'
        self.operator.save(update_fields=["full_name"])
        self.client.force_login(self.operator)
        response = self.client.get("/hasil/?a=1&b='x'{path}")
        page = response.content.decode()
        self.assertIn(
            '<span class="who">Siti &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
            " {nama}</span>",
            page,
        )
        # The address keeps its own encoding (%7B for "{"); & and ' are escaped for HTML.
        self.assertIn('name="next" value="/hasil/?a=1&amp;b=&#x27;x&#x27;%7Bpath%7D"', page)
        self.assertNotIn("<script>alert", page)

    def test_both_forms_carry_the_pages_csrf_token(self):
        self.client.force_login(self.operator)
        page = self.client.get("/hasil/").content.decode()
        header = re.search(r"X-CSRFToken\": \"([A-Za-z0-9]+)\"", page).group(1)
        nav = NAV.search(page).group(1)
        tokens = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', nav)
        self.assertEqual(tokens, [header, header])  # sign-out and language, one masked token

    def test_the_assets_are_the_static_files(self):
        page = self.client.get("/hasil/").content.decode()
        for path in ("favicon.svg", "css/portal.css", "vendor/htmx/htmx.min.js"):
            with self.subTest(path=path):
                self.assertIn(f'"{static(path)}"', page)

    def test_without_a_request_context_the_bar_has_no_token_and_no_person(self):
        html = Template('{% include "_topbar.html" %}').render(Context({}))
        self.assertNotIn("csrfmiddlewaretoken", html)
        self.assertNotIn('class="who"', html)
        self.assertIn('name="next" value=""', html)
        self.assertEqual(LINK.findall(html), [(reverse("public:index"), "Hasil PEKPPP")])

    def test_the_page_language_is_the_active_one(self):
        self.assertIn('<html lang="id">', self.client.get("/hasil/").content.decode())
        self.client.post(reverse("set_language"), {"language": "en", "next": "/hasil/"})
        self.assertIn('<html lang="en">', self.client.get("/hasil/").content.decode())
