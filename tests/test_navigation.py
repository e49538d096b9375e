"""The base layout's menu: the links each role is given, in both languages."""

import re

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
        expected = {
            "admin": [
                (home, "Beranda"),
                (cycles, "Periode"),
                (rankings, "Peringkat"),
                (simulator, "Simulasi nilai"),
                (public, "Hasil PEKPPP"),
                (admin, "Administrasi"),
            ],
            "coordinator": [
                (home, "Beranda"),
                (cycles, "Periode"),
                (rankings, "Peringkat"),
                (simulator, "Simulasi nilai"),
                (public, "Hasil PEKPPP"),
            ],
            "evaluator": [
                (home, "Beranda"),
                (simulator, "Simulasi nilai"),
                (public, "Hasil PEKPPP"),
            ],
            "operator": [
                (home, "Beranda"),
                (simulator, "Simulasi nilai"),
                (public, "Hasil PEKPPP"),
            ],
            "leader": [(home, "Beranda"), (rankings, "Peringkat"), (public, "Hasil PEKPPP")],
            "outsider": [(home, "Beranda"), (public, "Hasil PEKPPP")],
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
            ["Home", "Cycle", "Ranking", "Score simulator", "PEKPPP Results"],
        )
        self.assertIn('value="en" class="link" aria-current="true">EN</button>', nav)
        self.assertIn('value="id" class="link">ID</button>', nav)
