"""The language a signed-in person picks in the top bar is stored, and their mails follow it."""

from django.conf import settings
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from notifications.models import NotificationKind
from notifications.services import notify
from tests.base import PersonaTestCase
from units.models import User
from units.services import person_language_set

SET_LANGUAGE = reverse("set_language")


@override_settings(CELERY_TASK_ALWAYS_EAGER=True)
class LanguageChoiceTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.operator.email = "operator@example.org"
        cls.operator.save(update_fields=["email"])

    def choose(self, language: str, **extra):
        return self.client.post(SET_LANGUAGE, {"language": language, "next": "/"} | extra)

    def mail_final(self):
        person = User.objects.get(pk=self.operator.pk)
        with self.captureOnCommitCallbacks(execute=True):
            notify(
                recipients=[person],
                kind=NotificationKind.FINAL,
                template="final",
                context={"unit": "Disdukcapil", "cycle": "PEKPPP 2024"},
            )
        return mail.outbox[-1]

    def test_it_stores_the_choice_and_writes_the_next_mails_in_it(self):
        self.client.force_login(self.operator)
        response = self.choose("en")
        self.assertRedirects(response, "/", fetch_redirect_response=False)
        self.assertEqual(response.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")
        self.assertEqual(User.objects.get(pk=self.operator.pk).language, "en")
        message = self.mail_final()
        self.assertEqual(message.subject, "Final assessment: Disdukcapil")
        self.assertIn("Dear Operator Disdukcapil,", message.body)
        self.assertIn("The assessment of Disdukcapil in PEKPPP 2024 is final.", message.body)

        self.choose("id")
        self.assertEqual(User.objects.get(pk=self.operator.pk).language, "id")
        self.assertEqual(self.mail_final().subject, "Penilaian final: Disdukcapil")

    def test_it_stores_nothing_for_an_unknown_language_or_a_visitor(self):
        self.client.force_login(self.operator)
        for value in ("fr", "", "en\x00", "x" * 500):
            with self.subTest(value=value):
                self.assertEqual(self.choose(value).status_code, 302)
                self.assertEqual(User.objects.get(pk=self.operator.pk).language, "")
        self.client.logout()
        self.assertEqual(self.choose("en").status_code, 302)
        self.assertFalse(User.objects.exclude(language="").exists())

    def test_a_get_changes_nothing(self):
        self.client.force_login(self.operator)
        self.assertEqual(self.client.get(SET_LANGUAGE, {"language": "en"}).status_code, 302)
        self.assertEqual(User.objects.get(pk=self.operator.pk).language, "")

    def test_the_service_refuses_an_unknown_language(self):
        with self.assertRaises(ValidationError):
            person_language_set(user=self.operator, language="fr")
        person_language_set(user=self.operator, language="en")
        self.assertEqual(User.objects.get(pk=self.operator.pk).language, "en")
