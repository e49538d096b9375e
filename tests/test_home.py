from tests import factories as f
from tests.base import PersonaTestCase


class HomeTest(PersonaTestCase):
    def get_home(self, user):
        self.client.force_login(user)
        return self.client.get("/")

    def test_it_sends_anonymous_visitors_to_log_in(self):
        response = self.client.get("/")
        self.assertRedirects(response, "/masuk/?next=/")

    def test_it_shows_each_role_its_own_work(self):
        lamsel, tanggamus, prov = (
            "Disdukcapil Kabupaten Lampung Selatan",
            "Disdukcapil Kabupaten Tanggamus",
            "DPMPTSP Provinsi Lampung",
        )
        expectations = {
            "admin": (
                "role-ministry_admin",
                ["PEKPPP Nasional 2024", "PEKPPP Mandiri Lampung 2024"],
                [],
            ),
            "coordinator": (
                "role-coordinator",
                ["PEKPPP Mandiri Lampung 2024", prov],
                ["PEKPPP Nasional 2024", lamsel],
            ),
            "evaluator": (
                "role-evaluator",
                [lamsel, "Penilaian yang ditugaskan kepada Anda"],
                [tanggamus, prov],
            ),
            "operator": ("role-unit_operator", [lamsel], [tanggamus, prov]),
            "leader": ("role-leadership", [lamsel], [tanggamus, prov]),
        }
        for name, (section, present, absent) in expectations.items():
            with self.subTest(persona=name):
                response = self.get_home(self.personas()[name])
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, f'id="{section}"')
                for text in present:
                    self.assertContains(response, text)
                for text in absent:
                    self.assertNotContains(response, text)

    def test_it_tells_a_person_without_a_role_what_to_do(self):
        response = self.get_home(self.outsider)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Akun Anda belum memiliki peran")
        self.assertNotContains(response, "Disdukcapil")

    def test_it_lists_an_evaluators_work_in_constant_queries(self):
        def add_work(n):
            for _ in range(n):
                a = f.make_assessment(self.cycle, f.make_unit(self.tanggamus))
                f.assign(a, self.evaluator)
                f.assign(a, f.make_user(agency=self.kemenpan))

        self.client.force_login(self.evaluator)
        add_work(3)
        # user, roles, assessments, their teams, the team members, the bell (session: cache)
        with self.assertNumQueries(6):
            small = self.client.get("/")
        add_work(30)
        with self.assertNumQueries(6):
            large = self.client.get("/")
        self.assertEqual(small.content.count(b"<tr>") + 30, large.content.count(b"<tr>"))

    def test_it_lists_an_admins_cycles_in_constant_queries(self):
        self.client.force_login(self.admin)
        with self.assertNumQueries(4):  # user, roles, cycles, the bell
            self.client.get("/")
        for year in (2021, 2022, 2023):
            f.make_assessment(f.make_cycle(self.instrument, year=year, owner=self.kemenpan))
        with self.assertNumQueries(4):
            response = self.client.get("/")
        self.assertContains(
            response, "<td>2022</td>", count=0
        )  # years are in the names, not columns
        self.assertEqual(response.content.count(b"UJI-2022"), 5)

    def test_it_switches_the_interface_to_english(self):
        self.client.force_login(self.evaluator)
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        response = self.client.get("/")
        self.assertContains(response, "Assessments assigned to you")
        self.assertContains(response, 'lang="en"')
