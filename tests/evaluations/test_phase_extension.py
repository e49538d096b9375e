"""Extending one phase window for one unit, with a reason kept in the audit history."""

import datetime as dt

from django.db import DatabaseError, connection
from django.urls import reverse

from evaluations.models import AuditAction, AuditEntry, Phase, PhaseExtension
from evaluations.selectors.windows import window_problem
from evaluations.services.workflow import phase_extend, today
from tests import factories as f
from tests.base import PersonaTestCase


class PhaseExtensionTests(PersonaTestCase):
    def url(self, assessment=None):
        return reverse("evaluations:phase_extend_form", args=[(assessment or self.assessment).pk])

    def data(self, **overrides):
        ends = today() + dt.timedelta(days=7)
        return {
            "phase": Phase.SELF_ASSESSMENT,
            "ends_on": ends.isoformat(),
            "reason": "Banjir di Kalianda; kantor tutup dua minggu.",
            **overrides,
        }

    def test_it_reopens_the_window_for_one_unit_only_and_records_why(self):
        self.assertIsNotNone(window_problem(self.assessment, Phase.SELF_ASSESSMENT))
        self.client.force_login(self.admin)
        response = self.client.post(self.url(), self.data())
        self.assertRedirects(response, self.url())
        self.assertIsNone(window_problem(self.assessment, Phase.SELF_ASSESSMENT))
        self.assertIn("sudah ditutup", window_problem(self.other_assessment, Phase.SELF_ASSESSMENT))
        self.assertIsNotNone(window_problem(self.assessment, Phase.EVALUATION))
        ends = today() + dt.timedelta(days=7)
        self.assertEqual(
            list(
                PhaseExtension.objects.values_list("assessment", "phase", "ends_on", "granted_by")
            ),
            [(self.assessment.pk, Phase.SELF_ASSESSMENT, ends, self.admin.pk)],
        )
        entry = AuditEntry.objects.get(assessment=self.assessment, action=AuditAction.EXTENSION)
        self.assertEqual(
            (entry.actor, entry.old, entry.new, entry.reason),
            (
                self.admin,
                "Penilaian mandiri (F-01): 30-03-2024",
                f"Penilaian mandiri (F-01): {ends:%d-%m-%Y}",
                "Banjir di Kalianda; kantor tutup dua minggu.",
            ),
        )
        page = self.client.get(self.url())
        self.assertContains(page, "Banjir di Kalianda; kantor tutup dua minggu.")
        self.assertContains(page, f"{ends:%d-%m-%Y}")

    def test_it_keeps_no_extension_without_its_audit_entry(self):
        audit_table = AuditEntry._meta.db_table

        def refuse_audit_insert(execute, sql, params, many, context):
            if sql.startswith(f'INSERT INTO "{audit_table}"'):
                raise DatabaseError("audit table unavailable")
            return execute(sql, params, many, context)

        with connection.execute_wrapper(refuse_audit_insert), self.assertRaises(DatabaseError):
            phase_extend(
                assessment=self.assessment,
                phase=Phase.SELF_ASSESSMENT,
                ends_on=today() + dt.timedelta(days=7),
                reason="Banjir.",
                by=self.admin,
            )
        self.assertFalse(PhaseExtension.objects.exists())  # the INSERT was undone
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXTENSION).exists())
        self.assertIsNotNone(window_problem(self.assessment, Phase.SELF_ASSESSMENT))

    def test_it_requires_a_reason(self):
        self.client.force_login(self.admin)
        response = self.client.post(self.url(), self.data(reason="   "))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["reason"], ["Alasan perpanjangan wajib diisi."]
        )
        self.assertFalse(PhaseExtension.objects.exists())
        self.assertFalse(AuditEntry.objects.filter(action=AuditAction.EXTENSION).exists())

    def test_it_refuses_a_date_that_does_not_extend_the_window(self):
        self.client.force_login(self.admin)
        response = self.client.post(self.url(), self.data(ends_on="2024-03-15"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.context["form"].errors["ends_on"],
            ["Tanggal perpanjangan harus setelah akhir jadwal saat ini (30-03-2024)."],
        )
        self.assertFalse(PhaseExtension.objects.exists())

    def test_it_answers_bad_input_with_field_errors(self):
        self.client.force_login(self.admin)
        response = self.client.post(self.url(), {"phase": "x", "ends_on": "kemarin"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.context["form"].errors), {"phase", "ends_on", "reason"})

    def test_it_hides_or_forbids_it_for_people_who_do_not_run_the_cycle(self):
        # A Pemprov unit in the Nasional cycle: its coordinator sees it but may not extend it.
        prov_locus = f.make_assessment(self.cycle, self.prov_unit)
        expected = [
            (self.coordinator, self.assessment, 404),  # Nasional, a unit outside their agency
            (self.coordinator, prov_locus, 403),  # Nasional, their agency's unit: visible
            (self.evaluator, self.assessment, 403),  # assigned: sees it, may not extend
            (self.operator, self.assessment, 403),
            (self.leader, self.assessment, 403),
            (self.outsider, self.assessment, 404),
            (self.evaluator, self.other_assessment, 404),
            (self.coordinator, self.mandiri_assessment, 200),  # their Mandiri cycle
            (self.admin, self.assessment, 200),
        ]
        for person, assessment, status in expected:
            self.client.force_login(person)
            with self.subTest(person=person.username, assessment=str(assessment)):
                self.assertEqual(self.client.get(self.url(assessment)).status_code, status)
                if status != 200:
                    self.assertEqual(
                        self.client.post(self.url(assessment), self.data()).status_code, status
                    )
        self.assertFalse(PhaseExtension.objects.exists())
        self.client.logout()
        response = self.client.get(self.url())
        self.assertRedirects(response, f"/masuk/?next={self.url()}", fetch_redirect_response=False)

    def test_it_lets_a_coordinator_extend_their_mandiri_cycle(self):
        self.client.force_login(self.coordinator)
        response = self.client.post(self.url(self.mandiri_assessment), self.data())
        self.assertRedirects(response, self.url(self.mandiri_assessment))
        self.assertIsNone(window_problem(self.mandiri_assessment, Phase.SELF_ASSESSMENT))
