"""Every event of the evaluation notifies exactly the people it concerns, with the right link,
through the services that make the change (the worker runs in the test)."""

from django.core import mail
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import AssessmentStatus, Indicator, Phase
from evaluations.services.clarifications import clarification_answer, clarification_request
from evaluations.services.cycles import assignment_set
from evaluations.services.f01 import assessment_submit
from evaluations.services.f02 import evaluator_submit
from notifications.models import Notification
from scoring.services.moderation import assessment_finalize, moderation_decide
from tests import factories as f
from tests.evaluations.f02_factories import give_levels, set_status
from tests.evaluations.moderation_factories import ModerationTestCase, claims, evaluated
from tests.scoring.factories import make_result
from units.models import Role

GOLDEN = f.golden_levels("boundary-45050")
ALL_FIVES = {n: 5 for n in range(1, 31)}


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class EventWorld(ModerationTestCase):
    """The moderation world plus the people an event must reach, or must not: a second
    operator of the unit (English, with an address), an inactive one, operators of other
    units, Lampung Selatan's and Tanggamus's coordinators and leaders, a second admin."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for person, address in (
            (cls.evaluator, "evaluator@example.org"),
            (cls.operator, "operator@example.org"),
            (cls.admin, "admin@example.org"),
        ):
            person.email = address
            person.save(update_fields=["email"])
        cls.operator2 = f.make_user(
            "operator-2", full_name="Operator Kedua", email="op2@example.org", language="en"
        )
        f.grant(cls.operator2, Role.UNIT_OPERATOR, unit=cls.unit)
        gone = f.make_user("operator-lama", is_active=False)
        f.grant(gone, Role.UNIT_OPERATOR, unit=cls.unit)
        cls.other_operator = f.make_user("operator-tanggamus")
        f.grant(cls.other_operator, Role.UNIT_OPERATOR, unit=cls.other_unit)
        cls.prov_operator = f.make_user("operator-dpmptsp")
        f.grant(cls.prov_operator, Role.UNIT_OPERATOR, unit=cls.prov_unit)
        cls.lamsel_coordinator = f.make_user("koordinator-lamsel")
        f.grant(cls.lamsel_coordinator, Role.COORDINATOR, agency=cls.lamsel)
        cls.tanggamus_leader = f.make_user("pimpinan-tanggamus")
        f.grant(cls.tanggamus_leader, Role.LEADERSHIP, agency=cls.tanggamus)
        cls.admin2 = f.make_user("admin-dua")
        f.grant(cls.admin2, Role.MINISTRY_ADMIN)

    def told(self, kind: str) -> dict[str, str]:
        """username → link of each notification of `kind`."""
        return dict(
            Notification.objects.filter(kind=kind)
            .order_by("recipient__username")
            .values_list("recipient__username", "url")
        )

    def act(self, service, **kwargs):
        with self.captureOnCommitCallbacks(execute=True):
            return service(**kwargs)


class AssignmentEventTest(EventWorld):
    def test_it_tells_only_the_new_members_of_the_team(self):
        url = reverse("evaluations:assessment_detail", args=[self.prov_locus.pk])
        self.act(
            assignment_set,
            assessment=self.prov_locus,
            evaluators=[self.evaluator, self.second],
            lead=self.evaluator,
            by=self.admin,
        )
        self.assertEqual(self.told("assignment"), {"evaluator": url, "evaluator-dua": url})
        self.act(
            assignment_set,
            assessment=self.prov_locus,
            evaluators=[self.evaluator, self.second, self.third],
            lead=self.second,
            by=self.admin,
        )
        self.assertEqual(
            self.told("assignment"),
            {"evaluator": url, "evaluator-dua": url, "evaluator-tiga": url},
        )
        third = Notification.objects.get(recipient=self.third)
        self.assertEqual(third.title, "Penugasan evaluasi: DPMPTSP Provinsi Lampung")
        self.assertIn("Ketua tim: Evaluator Kedua.", third.body)
        self.assertEqual([m.to for m in mail.outbox], [["evaluator@example.org"]])
        self.assertIn("Anda adalah ketua tim.", mail.outbox[0].body)


class SubmissionEventTest(EventWorld):
    def ready(self, assessment):
        claims(assessment, GOLDEN)
        for indicator in Indicator.objects.filter(
            instrument_id=assessment.cycle.instrument_id, evidence_required=True
        ):
            f.add_evidence(assessment, indicator, self.operator)

    def test_it_tells_the_team_of_a_nasional_locus_where_to_score(self):
        f.assign(self.locus, self.evaluator, lead=True)
        f.assign(self.locus, self.second)
        self.ready(self.locus)
        self.act(assessment_submit, assessment=self.locus, by=self.operator)
        url = reverse("evaluations:f02_form", args=[self.locus.pk])
        self.assertEqual(self.told("f01_submitted"), {"evaluator": url, "evaluator-dua": url})
        self.assertEqual(
            mail.outbox[0].subject, "F-01 diajukan: Disdukcapil Kabupaten Lampung Selatan"
        )
        self.assertIn("Penilaian F-02 dapat dimulai.", mail.outbox[0].body)

    def test_it_tells_the_ministry_admins_when_a_nasional_locus_has_no_team(self):
        self.ready(self.prov_locus)
        self.act(assessment_submit, assessment=self.prov_locus, by=self.prov_operator)
        url = reverse("evaluations:assessment_detail", args=[self.prov_locus.pk])
        self.assertEqual(self.told("f01_submitted"), {"admin": url, "admin-dua": url})
        self.assertIn("belum memiliki tim evaluator", mail.outbox[0].body)

    def test_it_tells_the_team_and_the_coordinators_of_a_mandiri_cycle(self):
        f.assign(self.mandiri_locus, self.third, lead=True)
        self.ready(self.mandiri_locus)
        self.act(assessment_submit, assessment=self.mandiri_locus, by=self.prov_operator)
        self.assertEqual(
            self.told("f01_submitted"),
            {
                "evaluator-tiga": reverse("evaluations:f02_form", args=[self.mandiri_locus.pk]),
                "koordinator": reverse(
                    "evaluations:assessment_detail", args=[self.mandiri_locus.pk]
                ),
            },
        )


class ClarificationEventTest(EventWorld):
    def test_it_asks_the_units_operators_and_tells_the_evaluator_each_answer(self):
        evaluated(self.locus, GOLDEN, evaluators=[self.evaluator], submitted=False)
        one, two = Indicator.objects.filter(
            instrument_id=self.nasional.instrument_id, number__in=[1, 2]
        ).order_by("number")
        asked = self.act(
            clarification_request,
            assessment=self.locus,
            by=self.evaluator,
            items=[(one, "Mana SK penetapan SP?"), (two, "Foto maklumat?")],
        )
        f01 = reverse("evaluations:f01_form", args=[self.locus.pk])
        self.assertEqual(self.told("clarification_asked"), {"operator": f01, "operator-2": f01})
        by_address = {m.to[0]: m for m in mail.outbox}
        self.assertIn(
            f"- 1. {one.title}: Mana SK penetapan SP?", by_address["operator@example.org"].body
        )
        self.assertEqual(
            by_address["op2@example.org"].subject,
            "Clarification requested: Disdukcapil Kabupaten Lampung Selatan",
        )

        mail.outbox.clear()
        self.act(clarification_answer, clarification=asked[0], by=self.operator, answer="SK No. 12")
        f02 = reverse("evaluations:f02_form", args=[self.locus.pk])
        self.assertEqual(self.told("clarification_answered"), {"evaluator": f02})
        self.assertIn("Jawaban: SK No. 12", mail.outbox[0].body)
        self.assertIn("Masih ada klarifikasi lain yang belum dijawab.", mail.outbox[0].body)
        self.act(
            clarification_answer, clarification=asked[1], by=self.operator2, answer="Terlampir"
        )
        self.assertEqual(Notification.objects.filter(kind="clarification_answered").count(), 2)
        self.assertIn("penilaian F-02 dilanjutkan", mail.outbox[1].body)


class TeamSubmittedEventTest(EventWorld):
    def submit_all(self, assessment, evaluators):
        f.open_window(assessment.cycle, Phase.EVALUATION)
        set_status(assessment, AssessmentStatus.IN_EVALUATION)
        assignments = [f.assign(assessment, e, lead=i == 0) for i, e in enumerate(evaluators)]
        for assignment in assignments:
            give_levels(assignment, ALL_FIVES)
        for assignment in assignments[:-1]:
            self.act(evaluator_submit, assignment=assignment, by=assignment.evaluator)
            self.assertEqual(self.told("f02_submitted"), {})
        self.act(evaluator_submit, assignment=assignments[-1], by=assignments[-1].evaluator)

    def test_it_tells_the_ministry_admins_once_the_whole_nasional_team_submitted(self):
        self.submit_all(self.locus, [self.evaluator, self.second, self.third])
        url = reverse("evaluations:moderation_form", args=[self.locus.pk])
        self.assertEqual(self.told("f02_submitted"), {"admin": url, "admin-dua": url})
        self.assertEqual(
            mail.outbox[0].subject,
            "F-02 lengkap, siap moderasi: Disdukcapil Kabupaten Lampung Selatan",
        )
        self.assertIn("(3 orang)", mail.outbox[0].body)

    def test_it_tells_the_coordinators_who_run_a_mandiri_cycle(self):
        self.submit_all(self.mandiri_locus, [self.second])
        url = reverse("evaluations:moderation_form", args=[self.mandiri_locus.pk])
        self.assertEqual(self.told("f02_submitted"), {"koordinator": url})


class FinalEventTest(EventWorld):
    def test_it_tells_the_units_operators_and_its_agencys_leadership(self):
        evaluated(self.locus, GOLDEN, GOLDEN, evaluators=[self.evaluator, self.second])
        moderation_decide(assessment=self.locus, by=self.admin, decisions={})
        self.assertEqual(self.told("final"), {})
        self.act(assessment_finalize, assessment=self.locus, by=self.admin)
        url = reverse("evaluations:assessment_detail", args=[self.locus.pk])
        self.assertEqual(self.told("final"), {"operator": url, "operator-2": url, "pimpinan": url})
        english = next(m for m in mail.outbox if m.to == ["op2@example.org"])
        self.assertEqual(english.subject, "Final assessment: Disdukcapil Kabupaten Lampung Selatan")


class PublicationEventTest(EventWorld):
    def published_cycle(self, units, year=2023):
        cycle = f.make_cycle(self.instrument, year=year, owner=self.kemenpan, name=f"PEKPPP {year}")
        for unit in units:
            make_result(f.make_assessment(cycle, unit), "3.75")
        return cycle

    def test_it_tells_every_published_units_people_and_their_agencys_coordinators(self):
        cycle = self.published_cycle([self.unit, self.other_unit])
        with self.captureOnCommitCallbacks(execute=True):
            f.publish(cycle, self.admin)
        url = reverse("public:overview", args=[cycle.pk])
        self.assertEqual(
            self.told("publication"),
            dict.fromkeys(
                [
                    "koordinator-lamsel",
                    "operator",
                    "operator-2",
                    "operator-tanggamus",
                    "pimpinan",
                    "pimpinan-tanggamus",
                ],
                url,
            ),
        )
        self.assertEqual(
            set(Notification.objects.filter(kind="publication").values_list("key", flat=True)),
            {f"publication:{cycle.pk}:1"},
        )
        self.assertEqual(
            sorted(m.to[0] for m in mail.outbox), ["op2@example.org", "operator@example.org"]
        )
        by_address = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(
            by_address["operator@example.org"].subject, "Hasil dipublikasikan: PEKPPP 2023"
        )
        self.assertEqual(by_address["op2@example.org"].subject, "Results published: PEKPPP 2023")

        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            f.publish(cycle, self.admin, reason="Salah hitung survei")
        correction = Notification.objects.get(recipient=self.operator, key__endswith=":2")
        self.assertEqual(correction.title, "Koreksi hasil (revisi 2): PEKPPP 2023")
        self.assertIn("Alasan koreksi: Salah hitung survei", correction.body)
        self.assertEqual(Notification.objects.filter(kind="publication").count(), 12)

    def test_it_notifies_in_constant_queries_however_many_people(self):
        def queries(operators: int, year: int) -> int:
            unit = f.make_unit(self.tanggamus)
            for _ in range(operators):
                person = f.make_user()
                person.email = f"{person.username}@example.org"
                person.save(update_fields=["email"])
                f.grant(person, Role.UNIT_OPERATOR, unit=unit)
            cycle = self.published_cycle([unit], year)
            with CaptureQueriesContext(connection) as captured:
                with self.captureOnCommitCallbacks(execute=True):
                    f.publish(cycle, self.admin)
            return len(captured)

        queries(1, 2019)  # the publisher's roles are read once
        # Publishing, then the fan-out job (people, existing keys, INSERT, read back) and the
        # mail job (claim, read back): 2 or 40 people alike.
        self.assertEqual(queries(2, 2020), queries(40, 2021))
