import datetime as dt
import re
from unittest import mock

from evaluations.models import Clarification, FollowUpItem, FollowUpStatus, Indicator, Phase
from evaluations.rules import today
from tests import factories as f
from tests.base import PersonaTestCase
from tests.evaluations.f02_factories import Status, set_status
from units.models import User


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
        # user, roles, open F-02 work, assessments, their teams, the team members, the bell
        # (session: cache)
        with self.assertNumQueries(7):
            small = self.client.get("/")
        add_work(30)
        with self.assertNumQueries(7):
            large = self.client.get("/")
        self.assertEqual(small.content.count(b"<tr>") + 30, large.content.count(b"<tr>"))

    def test_it_lists_an_admins_cycles_in_constant_queries(self):
        self.client.force_login(self.admin)
        with self.assertNumQueries(5):  # user, roles, loci to moderate, cycles, the bell
            self.client.get("/")
        for year in (2021, 2022, 2023):
            f.make_assessment(f.make_cycle(self.instrument, year=year, owner=self.kemenpan))
        with self.assertNumQueries(5):
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


class HomeOpenWorkTest(PersonaTestCase):
    """Each person's open work, most urgent first, with the days left and a link to act."""

    def get_home(self, user):
        self.client.force_login(user)
        return self.client.get("/")

    def follow_up(self, number, *, days, status=FollowUpStatus.NOT_STARTED):
        return FollowUpItem.objects.create(
            assessment=self.assessment,
            unit=self.unit,
            indicator=Indicator.objects.get(instrument=self.instrument, number=number),
            level=2,
            recommendation=f"Rekomendasi {number}",
            target_date=today() + dt.timedelta(days=days),
            status=status,
        )

    def work_rows(self, response) -> list[tuple[str, str, str]]:
        """(days left, what, link) of each open work row, in page order."""
        html = response.content.decode()
        return re.findall(
            r'<li class="work work-\w+">\s*<p class="work-due"><strong>([^<]*)</strong>.*?'
            r'<a href="([^"]*)">([^<]*)</a>',
            html,
            flags=re.S,
        )

    def test_it_lists_an_operators_work_most_urgent_first_with_days_left(self):
        f.open_window(self.cycle, Phase.SELF_ASSESSMENT, after=3)
        f.open_window(self.cycle, Phase.SURVEY, after=0)
        f.open_window(self.cycle, Phase.CLARIFICATION, after=1)
        Clarification.objects.create(
            assessment=self.assessment,
            indicator=Indicator.objects.get(instrument=self.instrument, number=7),
            question="Mohon SOP terbaru.",
            asked_by=self.evaluator,
        )
        late = self.follow_up(3, days=-2)
        self.follow_up(4, days=-1, status=FollowUpStatus.DONE)
        a = self.assessment.pk
        response = self.get_home(self.operator)
        self.assertEqual(
            self.work_rows(response),
            [
                (
                    "terlambat 2 hari",
                    f"/tindak-lanjut/{late.pk}/",
                    "Tindak lanjut indikator 3 (Belum dilaksanakan)",
                ),
                ("hari ini", f"/penilaian/{a}/survei/", "Survei F-03: 0 dari minimum 10 responden"),
                (
                    "1 hari lagi",
                    f"/penilaian/{a}/f01/#ind-7",
                    "Klarifikasi indikator 7 belum dijawab",
                ),
                ("3 hari lagi", f"/penilaian/{a}/f01/", "F-01 belum diajukan"),
            ],
        )
        self.assertContains(response, '<li class="work work-late">')
        self.assertContains(
            response, "Disdukcapil Kabupaten Lampung Selatan · PEKPPP Nasional 2024"
        )
        # The other unit's operator, the leadership and the evaluator see none of it.
        self.assertNotContains(self.get_home(self.leader), 'id="open-work"')
        self.assertEqual(self.work_rows(self.get_home(self.evaluator)), [])

    def test_it_lists_an_evaluators_and_a_coordinators_work(self):
        set_status(self.assessment, Status.IN_EVALUATION)
        set_status(self.mandiri_assessment, Status.MODERATED)
        f.open_window(self.cycle, Phase.EVALUATION, after=10)
        f.open_window(self.mandiri, Phase.MODERATION, after=5)
        self.assertEqual(
            self.work_rows(self.get_home(self.evaluator)),
            [
                (
                    "10 hari lagi",
                    f"/penilaian/{self.assessment.pk}/f02/",
                    "F-02 belum diserahkan: 30 indikator belum dinilai",
                ),
            ],
        )
        self.assertEqual(
            self.work_rows(self.get_home(self.coordinator)),
            [
                (
                    "5 hari lagi",
                    f"/penilaian/{self.mandiri_assessment.pk}/moderasi/",
                    "Moderasi: penilaian belum ditetapkan final",
                ),
            ],
        )
        # The Mandiri cycle is its coordinator's to moderate, not the ministry's.
        self.assertEqual(self.work_rows(self.get_home(self.admin)), [])
        self.assertContains(self.get_home(self.admin), "Tidak ada pekerjaan terbuka")

    def test_it_lists_an_operators_work_in_constant_queries(self):
        f.open_window(self.cycle, Phase.SELF_ASSESSMENT, after=3)
        f.open_window(self.cycle, Phase.CLARIFICATION, after=1)
        self.follow_up(1, days=5)
        self.client.force_login(self.operator)
        # user, roles; F-01, survey, clarifications, follow-ups; "perlu jawaban Anda": loci,
        # indicators, levels, evidence, open clarifications; loci with published results;
        # the bell
        with self.assertNumQueries(13):
            small = self.client.get("/")
        for number in range(2, 20):
            self.follow_up(number, days=number)
        for number in (21, 22, 23):
            Clarification.objects.create(
                assessment=self.assessment,
                indicator=Indicator.objects.get(instrument=self.instrument, number=number),
                question="?",
                asked_by=self.evaluator,
            )
        with self.assertNumQueries(13):
            large = self.client.get("/")
        self.assertEqual((len(self.work_rows(small)), len(self.work_rows(large))), (2, 21))

    def test_it_cuts_a_long_list_at_the_most_urgent(self):
        for number in range(1, 31):
            self.follow_up(number, days=number)
        with mock.patch("pekppp.views.HOME_LIST_LIMIT", 10):
            response = self.get_home(self.operator)
        rows = self.work_rows(response)
        self.assertEqual([r[0] for r in rows], [f"{n} hari lagi" for n in range(1, 11)])
        self.assertContains(response, "Menampilkan 10 pekerjaan paling mendesak.")

    def test_it_says_the_days_left_in_english(self):
        self.follow_up(3, days=-2)
        self.follow_up(4, days=0)
        self.follow_up(5, days=1)
        User.objects.filter(pk=self.operator.pk).update(language="en")
        self.client.force_login(self.operator)
        self.client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        rows = self.work_rows(self.client.get("/"))
        self.assertEqual(
            [(days, what) for days, _link, what in rows],
            [
                ("2 days late", "Follow-up of indicator 3 (Not started)"),
                ("today", "Follow-up of indicator 4 (Not started)"),
                ("1 day left", "Follow-up of indicator 5 (Not started)"),
            ],
        )


class HomeNeedsAnswerTest(PersonaTestCase):
    """The operator's "perlu jawaban Anda": per locus whose F-01 is theirs, the phases with
    their deadlines and the indicators that need them, each linked to its card."""

    def section(self, user) -> str:
        self.client.force_login(user)
        html = self.client.get("/").content.decode()
        if 'id="perlu-jawaban"' not in html:
            return ""
        start = html.index('id="perlu-jawaban"')
        return html[start : html.index("</section>", start)]

    def test_it_lists_phase_deadlines_and_indicators_without_level_or_evidence(self):
        from evaluations.services.f01 import answers_ensure
        from tests.evaluations import f01_factories as ff

        f.open_window(self.cycle, Phase.SELF_ASSESSMENT, before=2, after=3)
        f.open_window(self.cycle, Phase.SURVEY, before=-5, after=20)
        f.open_window(self.cycle, Phase.CLARIFICATION, before=40, after=-20)  # long closed
        answers_ensure(self.assessment)
        ff.answer_all(self.assessment, 4, numbers=set(range(1, 31)) - {2, 9})
        a = self.assessment.pk
        todo = self.section(self.operator)
        self.assertIn(
            f'<a href="/penilaian/{a}/f01/">Disdukcapil Kabupaten Lampung Selatan</a>', todo
        )
        deadlines = re.findall(
            r'class="todo-deadline is-(\w+)"><strong>([^<]*)</strong>.*?· ([^<]*?)</li>', todo, re.S
        )
        self.assertEqual(
            deadlines,
            [
                ("open", "Penilaian mandiri (F-01)", "3 hari lagi"),
                ("upcoming", "Survei pengguna layanan (F-03)", "belum dibuka"),
            ],
            "a phase closed 20 days ago is not shown",
        )
        self.assertIn("Tingkat belum dipilih (2 indikator)", todo)
        self.assertEqual(
            re.findall(
                r'<a href="([^"]*)" title="Indikator \d+" aria-label="[^"]*">(\d+)</a>', todo
            )[:2],
            [(f"/penilaian/{a}/f01/#ind-2", "2"), (f"/penilaian/{a}/f01/#ind-9", "9")],
        )
        self.assertIn("Bukti dukung wajib belum diunggah (30 indikator)", todo)
        self.assertEqual(self.section(self.evaluator), "")
        self.assertEqual(self.section(self.leader), "")

    def test_it_lists_open_clarifications_with_links_to_their_indicators(self):
        from tests.evaluations.f02_factories import Status, set_status

        f.open_window(self.cycle, Phase.CLARIFICATION, after=1)
        set_status(self.assessment, Status.CLARIFICATION)
        Clarification.objects.create(
            assessment=self.assessment,
            indicator=Indicator.objects.get(instrument=self.instrument, number=7),
            question="Mohon SOP terbaru.",
            asked_by=self.evaluator,
        )
        todo = self.section(self.operator)
        self.assertIn("Klarifikasi menunggu jawaban", todo)
        self.assertIn(f'<a href="/penilaian/{self.assessment.pk}/f01/#ind-7">7. ', todo)
        self.assertIn("1 hari lagi", todo)
        self.assertNotIn("Tingkat belum dipilih", todo)

    def test_it_leaves_out_a_submitted_locus_and_one_long_closed(self):
        from tests.evaluations.f02_factories import Status, set_status

        f.open_window(self.cycle, Phase.SELF_ASSESSMENT, before=60, after=-30)
        self.assertEqual(self.section(self.operator), "", "closed a month ago")
        set_status(self.assessment, Status.SUBMITTED)
        self.assertEqual(self.section(self.operator), "")
