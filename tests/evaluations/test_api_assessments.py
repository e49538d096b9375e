"""Assessments in API v1: who sees what, F-01/F-02/final reads, and the writes through the
pages' services (phase windows, statuses, optimistic versions, evidence checks)."""

import datetime as dt
import hashlib
import threading
from unittest import mock, skipUnless

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TransactionTestCase, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.authtoken.models import Token

from evaluations.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    AuditAction,
    AuditEntry,
    Evidence,
    EvidenceRevision,
    FinalLevel,
    Phase,
    Score,
)
from evaluations.services.evidence import evidence_upload
from evaluations.services.f01 import answers_ensure
from tests import factories as f
from tests.base import PersonaTestCase
from units.models import Role

from . import f01_factories as ff
from . import f02_factories as f2

Status = AssessmentStatus
JSON = "application/json"


def url(name: str, *args) -> str:
    return reverse(f"evaluations_api:{name}", args=args)


def refusal(message: str) -> dict:
    """The 409 body of a write the status flow or a phase window refuses."""
    return {"detail": message, "problems": [message]}


def closed(phase: str, template: str = "Tahap {} sudah ditutup pada {}.") -> dict:
    """The 409 of a write in a phase whose window closed yesterday (`f.close_window`)."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    return refusal(template.format(phase, yesterday.strftime("%d-%m-%Y")))


class ApiCase(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        f.open_window(cls.cycle, Phase.SELF_ASSESSMENT)
        cls.ind = ff.indicators(cls.assessment)
        cls.supplementary = next(i for i in cls.ind if i.supplementary)

    def as_(self, user):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)

    def get(self, user, path, **params):
        self.as_(user)
        return self.client.get(path, params)

    def put(self, user, path, data):
        self.as_(user)
        return self.client.put(path, data, content_type=JSON)

    def walk(self, method, path, expected: dict[str, int], data=None):
        """Each persona (and anonymous) gets the status in `expected`."""
        users = {"anonymous": None, **self.personas()}
        for role, code in expected.items():
            with self.subTest(role=role):
                self.as_(users[role])
                if method == "get":
                    response = self.client.get(path)
                else:
                    response = getattr(self.client, method)(path, data or {}, content_type=JSON)
                self.assertEqual(response.status_code, code, response.content[:300])


# --- list and detail ------------------------------------------------------------------------


class AssessmentListTest(ApiCase):
    def ids(self, response):
        self.assertEqual(response.status_code, 200)
        return sorted(row["id"] for row in response.json()["results"])

    def test_it_answers_anonymous_with_401_and_the_token_scheme(self):
        response = self.client.get(url("assessment_list"))
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], "Token")

    def test_it_lists_what_each_role_sees_on_the_pages(self):
        everyone = sorted(
            [self.assessment.pk, self.other_assessment.pk, self.mandiri_assessment.pk]
        )
        expected = {
            "admin": everyone,
            "coordinator": [self.mandiri_assessment.pk],
            "evaluator": [self.assessment.pk],
            "operator": [self.assessment.pk],
            "leader": [self.assessment.pk],
            "outsider": [],
        }
        for role, ids in expected.items():
            with self.subTest(role=role):
                self.assertEqual(
                    self.ids(self.get(self.personas()[role], url("assessment_list"))), ids
                )

    def test_it_accepts_a_token(self):
        token = Token.objects.create(user=self.operator)
        response = self.client.get(
            url("assessment_list"), headers={"Authorization": f"Token {token.key}"}
        )
        self.assertEqual(self.ids(response), [self.assessment.pk])

    def test_it_gives_status_cycle_and_unit(self):
        self.assertEqual(
            self.get(self.operator, url("assessment_list")).json(),
            {
                "count": 1,
                "next": None,
                "previous": None,
                "results": [
                    {
                        "id": self.assessment.pk,
                        "cycle": {
                            "id": self.cycle.pk,
                            "name": "PEKPPP Nasional 2024",
                            "year": 2024,
                            "scheme": "nasional",
                        },
                        "unit": {
                            "id": self.unit.pk,
                            "name": "Disdukcapil Kabupaten Lampung Selatan",
                            "agency": {
                                "id": self.lamsel.pk,
                                "name": "Pemerintah Kabupaten Lampung Selatan",
                            },
                        },
                        "status": "draft",
                        "status_label": "Draf",
                        "updated_at": timezone.localtime(self.assessment.updated_at).isoformat(),
                    }
                ],
            },
        )

    def test_it_filters_and_orders(self):
        f2.set_status(self.other_assessment, Status.SUBMITTED)
        get = lambda **q: self.ids(self.get(self.admin, url("assessment_list"), **q))  # noqa: E731
        self.assertEqual(get(status="submitted"), [self.other_assessment.pk])
        self.assertEqual(get(cycle=self.mandiri.pk), [self.mandiri_assessment.pk])
        self.assertEqual(get(unit=self.unit.pk), [self.assessment.pk])
        self.assertEqual(get(agency=self.pemprov.pk), [self.mandiri_assessment.pk])
        rows = self.get(self.admin, url("assessment_list"), ordering="-id").json()["results"]
        self.assertEqual([r["id"] for r in rows], sorted((r["id"] for r in rows), reverse=True))

    def test_it_refuses_wrong_filter_values_with_400(self):
        for name in ("cycle", "unit", "agency"):
            for value in ("abc", "1.5", "1e9", "9" * 40, "-1", "0"):
                with self.subTest(name=name, value=value):
                    response = self.get(self.admin, url("assessment_list"), **{name: value})
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(list(response.json()), [name])
        response = self.get(self.admin, url("assessment_list"), status="selesai")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(list(response.json()), ["status"])
        response = self.get(self.admin, url("assessment_list"), page_size="100000")
        self.assertEqual(response.status_code, 400)


class AssessmentListQueriesTest(ApiCase):
    """The list costs the same number of queries for 20 and for 300 rows."""

    def fill(self, n: int):
        have = Assessment.objects.count()
        units = [f.make_unit(self.lamsel, f"Unit {i}") for i in range(have, n)]
        Assessment.objects.bulk_create(Assessment(cycle=self.cycle, unit=u) for u in units)
        for assessment in Assessment.objects.filter(cycle=self.cycle).exclude(
            assignments__evaluator=self.evaluator
        ):
            f.assign(assessment, self.evaluator)

    def count_rows(self, user, n: int, queries: int):
        self.fill(n)
        self.as_(user)
        with self.assertNumQueries(queries):
            response = self.client.get(url("assessment_list"), {"page_size": 500})
        # the evaluator: every locus of the Nasional cycle, not the Mandiri one
        self.assertEqual(response.json()["count"], n if user == self.admin else n - 1)

    def test_it_reads_20_and_300_rows_in_the_same_queries(self):
        # person, roles, count, page
        for n in (20, 300):
            for user in (self.admin, self.evaluator):
                with self.subTest(n=n, user=user.username):
                    self.count_rows(user, n, 4)


class AssessmentDetailTest(ApiCase):
    def test_it_answers_per_role(self):
        path = url("assessment_detail", self.assessment.pk)
        self.walk(
            "get",
            path,
            {
                "anonymous": 401,
                "outsider": 404,
                "coordinator": 404,
                "admin": 200,
                "evaluator": 200,
                "operator": 200,
                "leader": 200,
            },
        )
        self.assertEqual(self.get(self.admin, url("assessment_detail", 2**31)).status_code, 404)

    def test_it_gives_windows_and_the_callers_rights(self):
        data = self.get(self.operator, url("assessment_detail", self.assessment.pk)).json()
        self.assertEqual(data["status"], "draft")
        window = next(w for w in data["windows"] if w["phase"] == "self_assessment")
        self.assertEqual((window["label"], window["is_open"]), ("Penilaian mandiri (F-01)", True))
        self.assertEqual(
            data["rights"],
            {
                "f01_read": True,
                "f01_write": True,
                "f02": False,
                "moderate": False,
                "final_levels": False,
            },
        )
        rights = self.get(self.evaluator, url("assessment_detail", self.assessment.pk)).json()
        self.assertEqual(
            rights["rights"],
            {
                "f01_read": False,  # a draft F-01 is the unit's own business
                "f01_write": False,
                "f02": True,
                "moderate": False,
                "final_levels": False,
            },
        )


# --- F-01 -----------------------------------------------------------------------------------


class F01ReadTest(ApiCase):
    def test_it_shows_f01_to_the_operator_moderator_and_after_submission_the_evaluator(self):
        path = url("assessment_f01", self.assessment.pk)
        expected = {
            "anonymous": 401,
            "outsider": 404,
            "coordinator": 404,
            "admin": 200,
            "evaluator": 403,
            "operator": 200,
            "leader": 403,
        }
        self.walk("get", path, expected)
        f2.set_status(self.assessment, Status.SUBMITTED)
        self.walk("get", path, expected | {"evaluator": 200})
        response = self.get(self.leader, path)
        self.assertEqual(
            response.json(),
            {
                "detail": "F-01 dapat dibuka oleh operator unit, pengelola periode, dan "
                "evaluator yang ditugaskan setelah unit mengajukannya."
            },
        )

    def test_it_gives_answers_and_evidence_metadata_without_the_bytes(self):
        revision = evidence_upload(
            assessment=self.assessment,
            indicator=self.ind[0],
            file=SimpleUploadedFile("SK Pelayanan.pdf", ff.PDF_BYTES),
            title="SK",
            by=self.operator,
        ).revisions.get()
        Answer.objects.create(
            assessment=self.assessment,
            indicator=self.ind[0],
            claimed_level=3,
            explanation="Ada SK.",
            version=2,
        )
        data = self.get(self.operator, url("assessment_f01", self.assessment.pk)).json()
        self.assertEqual(
            (data["status"], data["editable"], data["answered"], data["required"]),
            ("draft", True, 1, 30),
        )
        first, second = data["indicators"][:2]
        self.assertEqual(
            first["answer"],
            {
                "claimed_level": 3,
                "explanation": "Ada SK.",
                "version": 2,
                "updated_at": None,
                "updated_by": None,
            },
        )
        self.assertEqual(
            second["answer"],
            {
                "claimed_level": None,
                "explanation": "",
                "version": 0,
                "updated_at": None,
                "updated_by": None,
            },
        )
        self.assertEqual(first["indicator"]["id"], self.ind[0].pk)
        self.assertEqual((first["editable"], first["problem"]), (True, None))
        [evidence] = first["evidence"]
        self.assertEqual(evidence["title"], "SK")
        self.assertEqual(
            evidence["revisions"],
            [
                {
                    "id": revision.pk,
                    "number": 1,
                    "original_name": "SK Pelayanan.pdf",
                    "content_type": "application/pdf",
                    "size": len(ff.PDF_BYTES),
                    "sha256": hashlib.sha256(ff.PDF_BYTES).hexdigest(),
                    "uploaded_at": timezone.localtime(revision.uploaded_at).isoformat(),
                    "uploaded_by": "Operator Disdukcapil",
                    "scan_status": "not_scanned",
                    "download_url": f"/bukti/revisi/{revision.pk}/",
                }
            ],
        )
        self.assertNotIn(ff.PDF_BYTES[:20].decode(), str(data))

    def test_it_says_why_nothing_can_be_changed_once_submitted(self):
        f2.set_status(self.assessment, Status.SUBMITTED)
        data = self.get(self.operator, url("assessment_f01", self.assessment.pk)).json()
        self.assertFalse(data["editable"])
        self.assertEqual(
            data["locked_reason"],
            "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “Diajukan”.",
        )

    def test_it_reads_in_the_same_queries_however_much_is_filled(self):
        self.as_(self.operator)
        path = url("assessment_f01", self.assessment.pk)
        f.add_evidence(self.assessment, self.ind[0], self.operator)
        with self.assertNumQueries(13):
            self.client.get(path)
        ff.answer_all(self.assessment, 4)
        for ind in self.ind:
            f.add_evidence(self.assessment, ind, self.operator)
        with self.assertNumQueries(13):
            self.client.get(path)


class F01WriteTest(ApiCase):
    def path(self, indicator=None, assessment=None):
        return url(
            "assessment_f01_answer",
            (assessment or self.assessment).pk,
            (indicator or self.ind[0]).pk,
        )

    def body(self, **values):
        return {"claimed_level": 3, "explanation": "Ada SK.", "version": 0} | values

    def answer(self, indicator=None):
        return Answer.objects.get(assessment=self.assessment, indicator=indicator or self.ind[0])

    def test_it_answers_per_role(self):
        self.walk(
            "put",
            self.path(),
            {
                "anonymous": 401,
                "outsider": 404,
                "coordinator": 404,
                "admin": 403,
                "evaluator": 403,
                "leader": 403,
                "operator": 200,
            },
            data=self.body(),
        )
        response = self.put(self.evaluator, self.path(), self.body())
        self.assertEqual(
            response.json(), {"detail": "Hanya operator unit yang dinilai yang dapat mengisi F-01."}
        )

    def test_it_saves_the_answer_with_its_audit_entry(self):
        response = self.put(self.operator, self.path(), self.body())
        self.assertEqual(response.status_code, 200)
        answer = self.answer()
        self.assertEqual(
            response.json(),
            {
                "claimed_level": 3,
                "explanation": "Ada SK.",
                "version": 1,
                "updated_at": timezone.localtime(answer.updated_at).isoformat(),
                "updated_by": "Operator Disdukcapil",
            },
        )
        self.assertEqual((answer.claimed_level, answer.version), (3, 1))
        entry = AuditEntry.objects.get(action=AuditAction.CLAIM)
        self.assertEqual((entry.old, entry.new, entry.actor), ("", "3", self.operator))

    def test_it_answers_a_stale_version_with_409_and_both_values(self):
        self.put(self.operator, self.path(), self.body(claimed_level=2, explanation="Pertama"))
        response = self.put(self.operator, self.path(), self.body(explanation="Kedua"))
        self.assertEqual(response.status_code, 409)
        data = response.json()
        self.assertEqual(
            data["detail"], "Jawaban indikator 1 sudah diubah orang lain; periksa lalu simpan lagi."
        )
        self.assertEqual(data["yours"], {"claimed_level": 3, "explanation": "Kedua", "version": 0})
        self.assertEqual(
            (data["current"]["claimed_level"], data["current"]["explanation"]), (2, "Pertama")
        )
        self.assertEqual(data["current"]["version"], 1)
        self.assertEqual(self.answer().explanation, "Pertama")

    def test_it_refuses_a_closed_window_or_a_submitted_f01_with_409_and_the_pages_message(self):
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        response = self.put(self.operator, self.path(), self.body())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), closed("Penilaian mandiri (F-01)"))
        f.open_window(self.cycle, Phase.SELF_ASSESSMENT)
        f2.set_status(self.assessment, Status.SUBMITTED)
        response = self.put(self.operator, self.path(), self.body())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(
            response.json(),
            refusal(
                "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “Diajukan”."
            ),
        )
        self.assertEqual(self.answer().claimed_level, None)
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.CLAIM).exists())

    def test_it_refuses_bad_input_per_field_and_writes_nothing(self):
        cases = {
            "claimed_level": [6, -1, "tiga", 1.5, True],
            "explanation": ["a\x00b", "a\x1bb", "x" * 10_001, None],
            "version": [-1, "x", 2**40, None],
        }
        for field, values in cases.items():
            for value in values:
                with self.subTest(field=field, value=str(value)[:10]):
                    response = self.put(self.operator, self.path(), self.body(**{field: value}))
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(list(response.json()), [field])
        for field in ("claimed_level", "explanation", "version"):
            body = self.body()
            del body[field]
            response = self.put(self.operator, self.path(), body)
            self.assertEqual(response.json(), {field: ["Bidang ini harus diisi."]})
        response = self.put(self.operator, self.path(), self.body(explanation="a\x1bb"))
        self.assertEqual(
            response.json()["explanation"],
            [
                "Penjelasan memuat karakter kendali (misalnya NUL) yang tidak diizinkan; hapus "
                "karakter itu lalu simpan lagi."
            ],
        )
        self.as_(self.operator)
        for body in ("{", "[]", "null", '"x"', "[" * 100_000 + "]" * 100_000):
            with self.subTest(body=body[:10]):
                response = self.client.put(self.path(), body, content_type=JSON)
                self.assertEqual(response.status_code, 400)
        self.assertEqual(self.client.put(self.path(), "x=1").status_code, 415)
        self.assertFalse(Answer.objects.filter(version__gt=0).exists())

    def test_it_speaks_english_when_asked(self):
        # The request leaves English active in this thread: later tests expect Indonesian.
        self.addCleanup(translation.activate, settings.LANGUAGE_CODE)
        self.as_(self.operator)
        response = self.client.put(
            self.path(),
            self.body(claimed_level=9),
            content_type=JSON,
            headers={"Accept-Language": "en"},
        )
        self.assertEqual(
            response.json(), {"claimed_level": ["Ensure this value is less than or equal to 5."]}
        )
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT, days=30)
        response = self.client.put(
            self.path(), self.body(), content_type=JSON, headers={"Accept-Language": "en"}
        )
        self.assertEqual(
            response.json(), closed("Self-assessment (F-01)", "The {} phase closed on {}.")
        )

    def test_it_keeps_line_breaks_as_the_page_does(self):
        self.put(self.operator, self.path(), self.body(explanation="a\r\nb\tc"))
        self.assertEqual(self.answer().explanation, "a\nb\tc")

    def test_it_answers_404_for_an_indicator_of_another_instrument(self):
        other = f.make_instrument("UJI-LAIN").indicators.get(number=1)
        self.assertEqual(self.put(self.operator, self.path(other), self.body()).status_code, 404)

    def test_it_answers_404_for_ids_beyond_the_databases_range(self):
        huge = 10**30
        requests = [
            ("put", url("assessment_f01_answer", huge, self.ind[0].pk)),
            ("put", url("assessment_f01_answer", self.assessment.pk, huge)),
            ("put", url("assessment_f02_score", self.assessment.pk, huge)),
            ("post", url("assessment_evidence_upload", self.assessment.pk, huge)),
            ("get", url("assessment_f01", huge)),
            ("get", url("assessment_f02", huge)),
            ("get", url("assessment_final", huge)),
            ("get", url("assessment_detail", huge)),
        ]
        for method, path in requests:
            for user in (self.operator, self.evaluator, self.admin):
                with self.subTest(path=path, user=user.username):
                    self.as_(user)
                    response = self.client.generic(method.upper(), path, "{}", content_type=JSON)
                    self.assertEqual(response.status_code, 404)
        self.client.logout()
        self.assertEqual(self.client.get(url("assessment_f01", huge)).status_code, 401)

    def test_it_lets_the_unit_change_an_indicator_under_clarification_only(self):
        from evaluations.models import Clarification

        answers_ensure(self.assessment)
        f2.set_status(self.assessment, Status.CLARIFICATION)
        f.open_window(self.cycle, Phase.CLARIFICATION)
        Clarification.objects.create(
            assessment=self.assessment,
            indicator=self.ind[1],
            question="Mana SK-nya?",
            asked_by=self.evaluator,
        )
        self.assertEqual(
            self.put(self.operator, self.path(self.ind[1]), self.body()).status_code, 200
        )
        response = self.put(self.operator, self.path(self.ind[0]), self.body())
        self.assertEqual(response.status_code, 409)
        self.assertIn("tidak sedang diklarifikasi", response.json()["detail"])


class EvidenceUploadTest(ApiCase):
    def path(self, indicator=None):
        return url("assessment_evidence_upload", self.assessment.pk, (indicator or self.ind[0]).pk)

    def post(self, user, data):
        self.as_(user)
        return self.client.post(self.path(), data)

    def pdf(self, name="SK.pdf", data=ff.PDF_BYTES):
        return SimpleUploadedFile(name, data, content_type="application/pdf")

    def test_it_answers_per_role(self):
        for role, code in {
            "outsider": 404,
            "coordinator": 404,
            "admin": 403,
            "evaluator": 403,
            "leader": 403,
        }.items():
            with self.subTest(role=role):
                self.assertEqual(
                    self.post(self.personas()[role], {"file": self.pdf()}).status_code, code
                )
        self.client.logout()
        self.assertEqual(self.client.post(self.path(), {"file": self.pdf()}).status_code, 401)
        self.assertFalse(Evidence.objects.exists())

    def test_it_stores_the_file_as_the_page_does(self):
        response = self.post(self.operator, {"file": self.pdf("SK Bupati.pdf"), "title": "SK"})
        self.assertEqual(response.status_code, 201)
        evidence = Evidence.objects.get()
        revision = evidence.revisions.get()
        self.assertEqual(
            (evidence.indicator, evidence.title, revision.original_name, revision.sha256),
            (self.ind[0], "SK", "SK Bupati.pdf", hashlib.sha256(ff.PDF_BYTES).hexdigest()),
        )
        self.assertEqual(revision.file.read(), ff.PDF_BYTES)
        data = response.json()
        self.assertEqual(
            (data["id"], data["title"], data["carried_from"]), (evidence.pk, "SK", None)
        )
        self.assertEqual(
            [(r["id"], r["original_name"], r["scan_status"]) for r in data["revisions"]],
            [(revision.pk, "SK Bupati.pdf", "not_scanned")],
        )
        self.assertTrue(AuditEntry.objects.filter(action=AuditAction.EVIDENCE).exists())

    def test_it_refuses_what_the_page_refuses_under_file_and_stores_nothing(self):
        cases = [
            ("catatan.pdf", b"hanya teks, bukan PDF"),
            (
                "aktif.pdf",
                ff.pdf_bytes(
                    catalog={"/OpenAction": ff.pdf_action("/JavaScript", JS="app.alert(1)")}
                ),
            ),
            ("bom.png", ff.image_bomb("PNG")),
        ]
        for name, data in cases:
            with self.subTest(name=name):
                response = self.post(self.operator, {"file": self.pdf(name, data)})
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), ["file"])
        response = self.post(self.operator, {"title": "SK"})
        self.assertEqual(response.json(), {"file": ["Pilih berkas terlebih dahulu."]})
        response = self.post(self.operator, {"file": self.pdf(), "title": "S\x00K"})
        self.assertEqual(list(response.json()), ["title"])
        self.assertFalse(Evidence.objects.exists())

    @override_settings(EVIDENCE_MAX_FILE_MB=1)
    def test_it_keeps_the_size_limit(self):
        big = ff.PDF_BYTES + b"%" + b"0" * (1024 * 1024)
        response = self.post(self.operator, {"file": self.pdf("besar.pdf", big)})
        self.assertEqual(response.status_code, 400)
        self.assertIn("batas per berkas 1 MB", response.json()["file"][0])

    @override_settings(CLAMD_HOST="127.0.0.1")
    def test_it_scans_for_viruses_and_says_so(self):
        with mock.patch("pekppp.lib.clamd.Clamd.scan", return_value="Eicar-Test-Signature"):
            response = self.post(self.operator, {"file": self.pdf()})
        self.assertEqual(
            response.json(),
            {"file": ["Berkas ditolak: pemindai virus menemukan Eicar-Test-Signature."]},
        )
        self.assertFalse(Evidence.objects.exists())
        with mock.patch("pekppp.lib.clamd.Clamd.scan", return_value=None):
            response = self.post(self.operator, {"file": self.pdf()})
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["revisions"][0]["scan_status"], "clean")
        self.assertIs(EvidenceRevision.objects.get().virus_scanned, True)

    def test_it_refuses_a_closed_window_with_409(self):
        f.close_window(self.cycle, Phase.SELF_ASSESSMENT)
        response = self.post(self.operator, {"file": self.pdf()})
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), closed("Penilaian mandiri (F-01)"))
        self.assertFalse(Evidence.objects.exists())


# --- F-02 -----------------------------------------------------------------------------------


class F02Case(f2.F02TestCase):
    def path(self, indicator=None, name="assessment_f02_score"):
        return url(name, self.assessment.pk, (indicator or self.indicators[0]).pk)

    def body(self, **values):
        return {
            "level": 3,
            "note": "Cukup",
            "recommendation": "Perbaiki SOP.",
            "version": 0,
        } | values

    def put(self, user, path, data):
        self.client.logout()
        if user is not None:
            self.client.force_login(user)
        return self.client.put(path, data, content_type=JSON)


class F02ReadTest(F02Case):
    def test_it_shows_only_the_callers_own_levels(self):
        f2.give_levels(self.assignment, {1: 4}, note="Baik")
        f2.give_levels(self.assignment2, {1: 1, 2: 2}, note="RAHASIA")
        self.client.force_login(self.evaluator)
        response = self.client.get(url("assessment_f02", self.assessment.pk))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertNotIn("RAHASIA", response.content.decode())
        self.assertEqual(
            (data["status"], data["is_lead"], data["submitted_at"], data["editable"]),
            ("submitted", True, None, True),
        )
        self.assertEqual(len(data["scores"]), 30)
        first, second = data["scores"][:2]
        self.assertEqual(
            (first["indicator"]["number"], first["level"], first["note"], first["version"]),
            (1, 4, "Baik", 0),
        )
        self.assertEqual((second["level"], second["note"], second["version"]), (None, "", 0))
        self.assertEqual(
            data["running"], {"total": 30, "scored": 1, "remaining": 29, "ipp": None, "grade": None}
        )

    def test_it_answers_per_role(self):
        path = url("assessment_f02", self.assessment.pk)
        expected = {
            None: 401,
            self.outsider: 404,
            self.coordinator: 404,
            self.admin: 403,
            self.operator: 403,
            self.leader: 403,
            self.stranger: 404,
            self.evaluator: 200,
        }
        for user, code in expected.items():
            with self.subTest(user=getattr(user, "username", "anonymous")):
                self.client.logout()
                if user:
                    self.client.force_login(user)
                self.assertEqual(self.client.get(path).status_code, code)
        self.client.force_login(self.operator)
        self.assertEqual(
            self.client.get(path).json(),
            {"detail": "Hanya evaluator yang ditugaskan yang dapat membuka F-02."},
        )

    def test_it_does_not_mark_the_units_changes_as_seen(self):
        self.client.force_login(self.evaluator)
        self.client.get(url("assessment_f02", self.assessment.pk))
        self.assignment.refresh_from_db()
        self.assertIsNone(self.assignment.last_viewed_at)


class F02WriteTest(F02Case):
    def test_it_answers_per_role(self):
        for user, code in {
            None: 401,
            self.outsider: 404,
            self.coordinator: 404,
            self.admin: 403,
            self.operator: 403,
            self.leader: 403,
        }.items():
            with self.subTest(user=getattr(user, "username", "anonymous")):
                self.assertEqual(self.put(user, self.path(), self.body()).status_code, code)
        self.assertEqual(
            self.put(self.admin, self.path(), self.body()).json(),
            {"detail": "Hanya evaluator yang ditugaskan yang dapat menilai."},
        )
        self.assertFalse(Score.objects.filter(level__isnull=False).exists())

    def test_it_saves_the_level_and_starts_the_evaluation(self):
        response = self.put(self.evaluator, self.path(), self.body())
        self.assertEqual(response.status_code, 200)
        score = self.score(self.indicators[0])
        self.assertEqual(
            response.json(),
            {
                "indicator": {
                    "id": self.indicators[0].pk,
                    "number": 1,
                    "code": "1.x.K",
                    "title": "Indikator 1",
                },
                "level": 3,
                "note": "Cukup",
                "recommendation": "Perbaiki SOP.",
                "version": 1,
                "updated_at": timezone.localtime(score.updated_at).isoformat(),
            },
        )
        self.assertEqual((score.level, score.version), (3, 1))
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.IN_EVALUATION)
        entry = AuditEntry.objects.get(action=AuditAction.SCORE)
        self.assertEqual((entry.new, entry.actor), ("3", self.evaluator))

    def test_it_answers_a_stale_version_with_409_and_both_values(self):
        self.put(self.evaluator, self.path(), self.body(level=2))
        response = self.put(self.evaluator, self.path(), self.body(level=5, note="Lain"))
        self.assertEqual(response.status_code, 409)
        data = response.json()
        self.assertEqual(data["detail"], "Nilai ini telah diubah di tempat lain.")
        self.assertEqual(
            data["yours"],
            {"level": 5, "note": "Lain", "recommendation": "Perbaiki SOP.", "version": 0},
        )
        self.assertEqual((data["current"]["level"], data["current"]["version"]), (2, 1))
        self.assertEqual(self.score(self.indicators[0]).level, 2)

    def test_it_refuses_a_closed_window_and_a_handed_in_f02_with_409(self):
        f.close_window(self.cycle, Phase.EVALUATION)
        response = self.put(self.evaluator, self.path(), self.body())
        self.assertEqual(response.status_code, 409)
        self.assertEqual(response.json(), closed("Evaluasi (F-02)"))
        f.open_window(self.cycle, Phase.EVALUATION)
        f2.set_status(self.assessment, Status.CLARIFICATION)
        response = self.put(self.evaluator, self.path(), self.body())
        self.assertEqual(
            response.json(),
            refusal(
                "Tindakan ini tidak dapat dilakukan karena status penilaian adalah “Klarifikasi”."
            ),
        )
        f2.set_status(self.assessment, Status.IN_EVALUATION)
        self.fill_all(self.assignment)

        self.assignment.submitted_at = timezone.now()
        self.assignment.save()
        response = self.put(self.evaluator, self.path(), self.body(version=0))
        self.assertEqual(response.status_code, 409)
        self.assertIn("sudah diserahkan", response.json()["detail"])
        self.assertEqual(self.score(self.indicators[0]).level, 4)

    def test_it_refuses_bad_input_per_field(self):
        cases = {
            "level": [6, -1, "x", 2.5],
            "note": ["a\x00", "a\x07", None],
            "recommendation": ["\x1b", None],
            "version": [-1, 2**40, "v"],
        }
        for field, values in cases.items():
            for value in values:
                with self.subTest(field=field, value=repr(value)):
                    response = self.put(self.evaluator, self.path(), self.body(**{field: value}))
                    self.assertEqual(response.status_code, 400)
                    self.assertEqual(list(response.json()), [field])
        self.assertFalse(Score.objects.filter(level__isnull=False).exists())

    def test_it_answers_404_for_a_supplementary_indicator(self):
        supplementary = self.instrument.indicators.get(supplementary=True)
        self.assertEqual(
            self.put(self.evaluator, self.path(supplementary), self.body()).status_code, 404
        )


# --- final levels ---------------------------------------------------------------------------


class FinalLevelsTest(ApiCase):
    def test_it_shows_final_levels_to_moderators_then_to_everyone_once_final(self):
        FinalLevel.objects.create(
            assessment=self.assessment,
            indicator=self.ind[0],
            level=4,
            reason="Sepakat",
            decided_by=self.admin,
        )
        f2.set_status(self.assessment, Status.MODERATED)
        path = url("assessment_final", self.assessment.pk)
        expected = {
            "anonymous": 401,
            "outsider": 404,
            "coordinator": 404,
            "admin": 200,
            "evaluator": 403,
            "operator": 403,
            "leader": 403,
        }
        self.walk("get", path, expected)
        self.assertEqual(
            self.get(self.operator, path).json(),
            {"detail": "Tingkat final per indikator dapat dilihat setelah penilaian final."},
        )
        f2.set_status(self.assessment, Status.FINAL)
        self.walk("get", path, expected | {"evaluator": 200, "operator": 200, "leader": 200})
        data = self.get(self.operator, path).json()
        self.assertEqual(
            (data["status"], data["complete"], len(data["indicators"])), ("final", False, 30)
        )
        first = data["indicators"][0]
        self.assertEqual(
            (first["indicator"]["number"], first["level"], first["reason"], first["decided_by"]),
            (1, 4, "Sepakat", "Admin KemenPANRB"),
        )
        self.assertEqual(data["indicators"][1]["level"], None)

    def test_it_lets_the_mandiri_coordinator_moderate(self):
        path = url("assessment_final", self.mandiri_assessment.pk)
        self.assertEqual(self.get(self.coordinator, path).status_code, 200)


# --- concurrency (PostgreSQL) ---------------------------------------------------------------


@skipUnless(
    connection.vendor == "postgresql",
    "two writers at once need PostgreSQL (SQLite's test database fails a locked statement at "
    "once); run with DATABASE_URL=postgres://…",
)
class SimultaneousWritesTest(TransactionTestCase):
    """Two requests with the same version at the same moment: one is saved, one told."""

    def setUp(self):
        self.unit = f.make_unit()
        instrument = f.make_instrument("UJI-API-KONK")
        self.assessment = f.make_assessment(f.make_cycle(instrument), self.unit)
        f.open_window(self.assessment.cycle, Phase.SELF_ASSESSMENT)
        f.open_window(self.assessment.cycle, Phase.EVALUATION)
        self.indicator = ff.indicators(self.assessment)[0]

    def race(self, users, path, bodies):
        barrier = threading.Barrier(len(users))
        results = {}
        clients = []
        for user in users:
            client = self.client_class()
            client.force_login(user)
            clients.append(client)

        def send(i, client):
            try:
                barrier.wait(timeout=10)
                response = client.put(path, bodies[i], content_type=JSON)
                results[i] = (response.status_code, response.json())
            except BaseException as exc:  # reported by the assertion below
                results[i] = (repr(exc), None)
            finally:
                connection.close()

        threads = [threading.Thread(target=send, args=(i, c)) for i, c in enumerate(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        return results

    def test_it_saves_one_of_two_f01_answers(self):
        people = []
        for name in ("satu", "dua"):
            user = f.make_user(f"op-{name}")
            f.grant(user, Role.UNIT_OPERATOR, unit=self.unit)
            people.append(user)
        path = url("assessment_f01_answer", self.assessment.pk, self.indicator.pk)
        bodies = [
            {"claimed_level": i + 1, "explanation": f"oleh {i}", "version": 0} for i in (0, 1)
        ]
        results = self.race(people, path, bodies)
        self.assertEqual(sorted(code for code, _ in results.values()), [200, 409])
        winner = next(i for i, (code, _) in results.items() if code == 200)
        answer = Answer.objects.get(assessment=self.assessment, indicator=self.indicator)
        self.assertEqual((answer.claimed_level, answer.version), (winner + 1, 1))
        self.assertEqual(results[1 - winner][1]["current"]["explanation"], f"oleh {winner}")

    def test_it_starts_the_evaluation_once_when_two_evaluators_save_first(self):
        f2.set_status(self.assessment, Status.SUBMITTED)
        people = [f.make_evaluator(f"ev-{n}") for n in (1, 2)]
        for person in people:
            f.assign(self.assessment, person)
        path = url("assessment_f02_score", self.assessment.pk, self.indicator.pk)
        results = self.race(
            people, path, [{"level": 4, "note": "", "recommendation": "R", "version": 0}] * 2
        )
        self.assertEqual([code for code, _ in results.values()], [200, 200])
        self.assessment.refresh_from_db()
        self.assertEqual(self.assessment.status, Status.IN_EVALUATION)
        self.assertEqual(
            AuditEntry.objects.filter(
                action=AuditAction.STATUS, assessment=self.assessment
            ).count(),
            1,
        )

    def test_it_stores_two_simultaneous_uploads_within_the_limit(self):
        user = f.make_user("op-unggah")
        f.grant(user, Role.UNIT_OPERATOR, unit=self.unit)
        path = url("assessment_evidence_upload", self.assessment.pk, self.indicator.pk)
        barrier = threading.Barrier(2)
        codes = []

        def send():
            client = self.client_class()
            client.force_login(user)
            try:
                barrier.wait(timeout=10)
                upload = SimpleUploadedFile("SK.pdf", ff.PDF_BYTES, content_type="application/pdf")
                codes.append(client.post(path, {"file": upload}).status_code)
            finally:
                connection.close()

        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        self.assertEqual(codes, [201, 201])
        self.assertEqual(Evidence.objects.filter(assessment=self.assessment).count(), 2)
