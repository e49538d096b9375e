"""Every URL, every role, with NUL and other control characters where input comes in.

PostgreSQL refuses NUL in a string literal (psycopg2 raises ValueError), so before these
checks `?q=%00` on a public ranking page or `/verifikasi/%00/` answered 500. Run this file
with DATABASE_URL pointing at PostgreSQL as well: on SQLite a NUL is simply stored.
"""

from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse

from scoring.models import CoachingFile, CoachingSession, PriorityUnit
from tests.test_url_permissions import TABLE, UrlWorld

# Every query parameter a view reads (request.GET and GET forms), each given a NUL.
QUERY_NAMES = (
    "q", "halaman", "status", "tanpa_tim", "lokus", "inline", "kelompok", "jenis", "provinsi",
    "predikat", "next", "instrument", "agency", "province", "service_type", "language",
    "halaman_surat", "instansi",
    "periode", "terlambat", "peta", "disimpan", "group", "grade", "page", "page_size",
)  # fmt: skip
# Every form field a view reads from request.POST, directly or through a form.
POST_NAMES = QUERY_NAMES + (
    "version", "keep_version", "claimed_level", "explanation", "level", "note",
    "recommendation", "answer", "indicator", "title", "visit_date", "people_met",
    "observations", "action", "alasan", "name", "year", "scheme", "owner_agency",
    "survey_weight", "min_respondents", "units", "loci", "phase", "ends_on", "reason", "fill",
    "evaluators", "lead", "code", "reason-1", "level-1", "seen-1", "question-1", "level_1",
    "setuju", "b1", "b14", "gender", "age_band", "education", "occupation", "service_used",
    "sheet", "predikat", "porsi", "unit", "semua", "held_on", "mode", "people", "topics",
    "notes", "lampiran",
    "sheet", "planned_action", "responsible", "target_date", "status_reason", "files",
    "confirm",
)  # fmt: skip


class BadInputTest(UrlWorld):
    def send(self, user, method: str, url: str, data=None, headers=None):
        self.client.logout()
        if not isinstance(user, AnonymousUser):
            self.client.force_login(user)
        with transaction.atomic():
            response = getattr(self.client, method)(url, data, headers=headers or {})
            transaction.set_rollback(True)
        return response

    def urls(self):
        for name, (method, kwargs, _expected) in sorted(TABLE.items()):
            yield name, method, reverse(name, kwargs=kwargs(self))

    def test_it_refuses_control_characters_in_any_query_string(self):
        for value in ("\x00", "a\x00b", "\x1b[31m", "\x7f"):
            query = urlencode(dict.fromkeys(QUERY_NAMES, value))
            for name, method, url in self.urls():
                for role, user in self.users().items():
                    with self.subTest(url=name, role=role, value=value):
                        response = self.send(user, method, f"{url}?{query}")
                        self.assertEqual(response.status_code, 400)

    def test_it_says_why_in_plain_text(self):
        response = self.client.get("/hasil/?q=%00")
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertEqual(
            response.content.decode(),
            "Permintaan ditolak: alamat atau parameternya memuat karakter kendali (misalnya NUL) "
            "yang tidak diizinkan.",
        )

    def test_it_lets_ordinary_searches_through(self):
        url = reverse("public:ranking", kwargs={"cycle_pk": self.finished.pk})
        query = urlencode({"q": "Disdukcapil — “Lampung” <b>Selatan</b> 100%", "halaman": "1"})
        self.assertEqual(self.client.get(f"{url}?{query}").status_code, 200)

    def test_it_draws_the_ipp_map_for_any_other_map_choice(self):
        url = reverse("public:overview", kwargs={"cycle_pk": self.finished.pk})
        for value in ("A", "x" * 100_000, "ipp'--", "<svg>", "%"):
            with self.subTest(value=value[:10]):
                response = self.client.get(url, {"peta": value})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="peta peta-ipp"')

    def test_it_answers_a_wrong_dashboard_cycle_with_a_message(self):
        # The leader's home reads `periode` (a cycle of their dashboard).
        for value in ("-1", "1e9", "\uff11", "9" * 5000, "<b>2</b>", str(self.cycle.pk) + " "):
            with self.subTest(value=value[:20]):
                response = self.send(self.leader, "get", "/?" + urlencode({"periode": value}))
                self.assertContains(response, "Periode yang diminta tidak ada di dasbor ini")

    def test_it_refuses_control_characters_in_a_path(self):
        for path in ("/verifikasi/%00/", "/verifikasi/PEKPPP%002023/", "/hasil/%00/", "/%0a/"):
            for role, user in self.users().items():
                with self.subTest(path=path, role=role):
                    self.assertEqual(self.send(user, "get", path).status_code, 400)

    def test_it_refuses_an_id_beyond_the_database_integers_like_any_unknown_id(self):
        # Found by Schemathesis (tests/test_api_schema.py): SQLite's driver raised OverflowError
        # on such a number in a foreign key's `_id=` or an `__in` lookup (a 500); PostgreSQL and
        # Django's own `pk=` lookups find nothing.
        admin = self.users()["admin"]
        for name, (method, kwargs, _expected) in sorted(TABLE.items()):
            arguments = kwargs(self)
            for key in [k for k, v in arguments.items() if isinstance(v, int)]:
                url = reverse(name, kwargs=arguments | {key: 10**30})
                with self.subTest(url=name, argument=key):
                    self.assertIn(self.send(admin, method, url).status_code, (403, 404))

    def test_it_never_fails_on_nul_in_posted_fields(self):
        for value in ("\x00", "1\x00"):
            data = dict.fromkeys(POST_NAMES, value)
            for name, _method, url in self.urls():
                for role, user in self.users().items():
                    with self.subTest(url=name, role=role, value=value):
                        self.assertLess(self.send(user, "post", url, data).status_code, 500)

    def test_it_never_fails_on_nul_in_htmx_posts_of_the_f01_evidence_forms(self):
        # htmx gets the indicator's card back instead of a redirect: a message there too.
        data = dict.fromkeys(POST_NAMES, "\x00")
        for name, _method, url in self.urls():
            if not name.startswith("evaluations:evidence_") or name.endswith("download"):
                continue
            for role, user in self.users().items():
                with self.subTest(url=name, role=role):
                    response = self.send(user, "post", url, data, headers={"HX-Request": "true"})
                    self.assertLess(response.status_code, 500)

    def test_it_refuses_nul_in_each_field_of_the_public_survey(self):
        cache.clear()  # the survey's rate-limit counters
        url = reverse("public:survey", kwargs={"token": self.survey.token})
        whole = {f"b{n}": "3" for n in range(1, 15)} | {"setuju": "1"}
        for field in ("b1", "gender", "age_band", "education", "occupation", "service_used"):
            for role, user in self.users().items():
                with self.subTest(field=field, role=role):
                    response = self.send(user, "post", url, whole | {field: "3\x00"})
                    self.assertContains(response, "Jawaban Anda belum disimpan", status_code=400)

    def test_it_refuses_wrong_values_in_the_priority_forms_and_stores_nothing(self):
        self.client.force_login(self.admin)
        before = (
            PriorityUnit.objects.count(),
            CoachingSession.objects.count(),
            CoachingFile.objects.count(),
        )
        wrong = ("NaN", "1e999", "-1", "0000-00-00", "9" * 40, "x" * 20000, "１０", "C-" * 5)
        names = [n for n in TABLE if n.startswith("scoring:priority_") or "coaching" in n]
        for value in wrong:
            data = dict.fromkeys(
                ("predikat", "porsi", "unit", "alasan", "held_on", "mode", "people", "topics"),
                value,
            )
            for name in names:
                method, kwargs, _expected = TABLE[name]
                if method != "post":
                    continue
                with self.subTest(url=name, value=value[:12]):
                    response = self.send(
                        self.admin, "post", reverse(name, kwargs=kwargs(self)), data
                    )
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, 'role="alert"')
        after = (
            PriorityUnit.objects.count(),
            CoachingSession.objects.count(),
            CoachingFile.objects.count(),
        )
        self.assertEqual(after, before)
