"""A shared test base: one persona per role over a small, realistic world."""

from django.test import TestCase

from units.models import AgencyKind, Role

from . import factories as f


class PersonaTestCase(TestCase):
    """Lampung province with two kabupaten, a Nasional cycle and one person per role.

    - admin: ministry admin (KemenPANRB)
    - coordinator: Biro Organisasi of Pemprov Lampung
    - evaluator: KemenPANRB evaluator, assigned to Disdukcapil Lampung Selatan
    - operator: unit operator of Disdukcapil Lampung Selatan
    - leader: leadership viewer of Kabupaten Lampung Selatan
    - outsider: an active account with no role
    """

    @classmethod
    def setUpTestData(cls):
        cls.province = f.make_province("Lampung", "18")
        cls.kemenpan = f.make_agency("Kementerian PANRB", AgencyKind.KEMENTERIAN, code="KEMENPANRB")
        cls.pemprov = f.make_agency(
            "Pemerintah Provinsi Lampung", AgencyKind.PROVINSI, cls.province, code="PROV-18"
        )
        cls.lamsel = f.make_agency(
            "Pemerintah Kabupaten Lampung Selatan",
            AgencyKind.KABUPATEN,
            cls.province,
            code="KAB-1801",
        )
        cls.tanggamus = f.make_agency(
            "Pemerintah Kabupaten Tanggamus", AgencyKind.KABUPATEN, cls.province, code="KAB-1806"
        )
        cls.unit = f.make_unit(cls.lamsel, "Disdukcapil Kabupaten Lampung Selatan")
        cls.other_unit = f.make_unit(cls.tanggamus, "Disdukcapil Kabupaten Tanggamus")
        cls.instrument = f.make_instrument("UJI-2022")
        cls.cycle = f.make_cycle(
            cls.instrument, year=2024, owner=cls.kemenpan, name="PEKPPP Nasional 2024"
        )
        cls.assessment = f.make_assessment(cls.cycle, cls.unit)
        cls.other_assessment = f.make_assessment(cls.cycle, cls.other_unit)
        cls.prov_unit = f.make_unit(
            cls.pemprov, "DPMPTSP Provinsi Lampung", f.make_service_type("dpmptsp", "DPMPTSP")
        )
        cls.mandiri = f.make_cycle(
            cls.instrument,
            year=2024,
            scheme="mandiri",
            owner=cls.pemprov,
            name="PEKPPP Mandiri Lampung 2024",
        )
        cls.mandiri_assessment = f.make_assessment(cls.mandiri, cls.prov_unit)

        cls.admin = f.make_user(
            "admin", agency=cls.kemenpan, full_name="Admin KemenPANRB", is_staff=True
        )
        f.grant(cls.admin, Role.MINISTRY_ADMIN)
        cls.coordinator = f.make_user(
            "koordinator", agency=cls.pemprov, full_name="Koordinator Biro Organisasi"
        )
        f.grant(cls.coordinator, Role.COORDINATOR, agency=cls.pemprov)
        cls.evaluator = f.make_evaluator(
            "evaluator", agency=cls.kemenpan, full_name="Evaluator Nasional"
        )
        f.assign(cls.assessment, cls.evaluator, lead=True)
        cls.operator = f.make_user("operator", agency=cls.lamsel, full_name="Operator Disdukcapil")
        f.grant(cls.operator, Role.UNIT_OPERATOR, unit=cls.unit)
        cls.leader = f.make_user(
            "pimpinan", agency=cls.lamsel, full_name="Pimpinan Lampung Selatan"
        )
        f.grant(cls.leader, Role.LEADERSHIP, agency=cls.lamsel)
        cls.outsider = f.make_user("orang-luar", full_name="Orang Luar")

    def personas(self):
        return {
            "admin": self.admin,
            "coordinator": self.coordinator,
            "evaluator": self.evaluator,
            "operator": self.operator,
            "leader": self.leader,
            "outsider": self.outsider,
        }
