"""/api/v1/followup/: the follow-up register, read as each role reads it on /tindak-lanjut/."""

import datetime as dt

from evaluations.models import Assessment, AssessmentStatus, FollowUpItem, FollowUpStatus
from tests import factories as f
from units.models import ServiceUnit

from .followup_factories import FollowUpWorld, done, record

URL = "/api/v1/followup/"


class FollowUpApiTest(FollowUpWorld):
    def get(self, user, url=URL, **params):
        self.client.force_login(user)
        return self.client.get(url, params)

    def units_of(self, response) -> list[tuple[str, int, str]]:
        return [
            (r["unit"]["name"], r["indicator"]["number"], r["status"])
            for r in response.json()["results"]
        ]

    def test_the_operator_reads_their_units_items(self):
        record(self.items[2], self.operator, status=FollowUpStatus.IN_PROGRESS)
        response = self.get(self.operator)
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual(data["count"], 3)
        item = self.items[1]
        self.assertEqual(
            data["results"][0],
            {
                "id": item.pk,
                "cycle": {"id": self.finished.pk, "name": "PEKPPP Nasional 2023"},
                "locus": self.locus.pk,
                "unit": {
                    "id": self.unit.pk,
                    "name": "Disdukcapil Kabupaten Lampung Selatan",
                    "agency": {
                        "id": self.lamsel.pk,
                        "name": "Pemerintah Kabupaten Lampung Selatan",
                    },
                },
                "indicator": {
                    "id": item.indicator_id,
                    "number": 1,
                    "code": "1.x.K",
                    "title": "Indikator 1",
                },
                "level": 2,
                "recommendation": "Tetapkan SP dengan SK.",
                "planned_action": "",
                "responsible": "",
                "target_date": "2024-06-30",
                "status": "belum",
                "status_label": "Belum dilaksanakan",
                "status_reason": "",
                "overdue": True,
                "file_count": 0,
                "version": 0,
                "updated_at": None,
            },
        )
        self.assertEqual(
            [(r["indicator"]["number"], r["status"], r["version"]) for r in data["results"]],
            [(1, "belum", 0), (2, "berjalan", 1), (4, "belum", 0)],
        )

    def test_each_role_reads_what_the_register_shows_it(self):
        names = {
            "admin": 9,
            "coordinator": 3,  # the province's own DPMPTSP
            "leader": 3,  # Lampung Selatan
            "operator": 3,
        }
        for role, count in names.items():
            with self.subTest(role=role):
                self.assertEqual(self.get(getattr(self, role)).json()["count"], count)
        coordinator = self.get(self.coordinator).json()["results"]
        self.assertEqual({r["unit"]["name"] for r in coordinator}, {"DPMPTSP Provinsi Lampung"})
        for user in (self.evaluator, self.outsider):
            with self.subTest(user=user.username):
                response = self.get(user)
                self.assertEqual(response.status_code, 403)
                self.assertEqual(
                    response.json(),
                    {
                        "detail": "Daftar tindak lanjut hanya untuk admin, koordinator, pimpinan "
                        "dan operator unit."
                    },
                )
        self.client.logout()
        self.assertEqual(self.client.get(URL).status_code, 401)

    def test_it_filters_by_cycle_status_agency_unit_and_overdue(self):
        done(self.items[4], self.operator)
        other = f.make_cycle(self.instrument, year=2022, owner=self.kemenpan, name="Lama")
        self.client.force_login(self.admin)
        cases = [
            ({"status": "selesai"}, [("Disdukcapil Kabupaten Lampung Selatan", 4, "selesai")]),
            ({"agency": self.tanggamus.pk, "status": "belum"}, [
                ("Disdukcapil Kabupaten Tanggamus", 1, "belum"),
                ("Disdukcapil Kabupaten Tanggamus", 2, "belum"),
                ("Disdukcapil Kabupaten Tanggamus", 4, "belum"),
            ]),
            ({"unit": self.unit.pk, "overdue": "false"}, [
                ("Disdukcapil Kabupaten Lampung Selatan", 4, "selesai"),
            ]),
            ({"cycle": other.pk}, []),
            ({"cycle": self.finished.pk, "unit": self.unit.pk, "overdue": "true"}, [
                ("Disdukcapil Kabupaten Lampung Selatan", 1, "belum"),
                ("Disdukcapil Kabupaten Lampung Selatan", 2, "belum"),
            ]),
        ]  # fmt: skip
        for params, expected in cases:
            with self.subTest(params=params):
                self.assertEqual(self.units_of(self.client.get(URL, params)), expected)
        ordered = self.client.get(URL, {"unit": self.unit.pk, "ordering": "-status"})
        self.assertEqual(
            [r["status"] for r in ordered.json()["results"]], ["selesai", "belum", "belum"]
        )

    def test_it_refuses_bad_filters_per_parameter(self):
        self.client.force_login(self.admin)
        cases = [
            ({"cycle": "abc"}, "cycle"),
            ({"cycle": "1.5"}, "cycle"),
            ({"cycle": "9" * 40}, "cycle"),
            ({"agency": "0"}, "agency"),
            ({"unit": "-3"}, "unit"),
            ({"status": "semua"}, "status"),
            ({"overdue": "kadang"}, "overdue"),
            ({"page": "0"}, "page"),
            ({"page_size": "501"}, "page_size"),
        ]
        for params, field in cases:
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 400)
                self.assertEqual(list(response.json()), [field])

    def test_one_item_with_its_files_and_history(self):
        item = done(self.items[1], self.operator)
        response = self.get(self.leader, f"{URL}{item.pk}/")
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertEqual((data["status"], data["file_count"], data["version"]), ("selesai", 1, 1))
        (attachment,) = data["files"]
        stored = item.files.get()
        self.assertEqual(
            attachment,
            {
                "id": stored.pk,
                "name": "laporan.pdf",
                "content_type": "application/pdf",
                "size": stored.size,
                "sha256": stored.sha256,
                "uploaded_at": attachment["uploaded_at"],
                "download": f"/tindak-lanjut/berkas/{stored.pk}/",
            },
        )
        self.assertEqual(
            [(h["field"], h["label"], h["old"], h["new"], h["actor"]) for h in data["history"]],
            [  # newest first: the file is recorded after the fields of the same save
                ("file", "Berkas bukti", "", "laporan.pdf", "Operator Disdukcapil"),
                ("status", "Status", "belum", "selesai", "Operator Disdukcapil"),
            ],
        )

    def test_it_hides_an_item_from_who_cannot_see_it(self):
        url = f"{URL}{self.items[1].pk}/"
        for user in (self.coordinator, self.evaluator, self.outsider):
            with self.subTest(user=user.username):
                self.assertEqual(self.get(user, url).status_code, 404)
        self.assertEqual(self.get(self.admin, f"{URL}{10**25}/").status_code, 404)

    def test_it_reads_a_page_of_items_in_constant_queries(self):
        cycle = f.make_cycle(self.instrument, year=2022, owner=self.kemenpan, name="Besar")
        indicator = self.instrument.indicators.get(number=1)
        service_type = f.make_service_type("rsud", "RSUD")
        for total in (20, 300):
            Assessment.objects.filter(cycle=cycle).delete()
            units = ServiceUnit.objects.bulk_create(
                ServiceUnit(code=f"F{total}-{i}", name=f"Unit {i:03}", agency=self.tanggamus,
                            service_type=service_type, scope="administratif")
                for i in range(total)
            )  # fmt: skip
            loci = Assessment.objects.bulk_create(
                Assessment(cycle=cycle, unit=u, status=AssessmentStatus.FINAL) for u in units
            )
            FollowUpItem.objects.bulk_create(
                FollowUpItem(assessment=a, unit=a.unit, indicator=indicator, level=1,
                             recommendation="R", target_date=dt.date(2030, 1, 1))
                for a in loci
            )  # fmt: skip
            self.client.force_login(self.admin)
            # user, roles, count, items
            with self.subTest(total=total), self.assertNumQueries(4):
                response = self.client.get(URL, {"cycle": cycle.pk, "page_size": 500})
            self.assertEqual(response.json()["count"], total)
