from tests.base import PersonaTestCase


class HomeSmokeTest(PersonaTestCase):
    def test_it_shows_the_evaluator_their_assignment(self):
        self.client.force_login(self.evaluator)
        response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Disdukcapil Kabupaten Lampung Selatan")
        self.assertNotContains(response, "Disdukcapil Kabupaten Tanggamus")
