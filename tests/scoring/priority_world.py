"""A published Nasional cycle for the priority coaching tests.

Kabupaten/Kota group (5 units): Disdukcapil Lampung Selatan 2.50 (C-), Disdukcapil Tanggamus
2.51 (C), "Kab 0001" 2.01 (C-), "Kab 0002" 2.00 (D), "Kab 0003" 0.50 (F).
Provinsi group (10 units): "Prov 0001" … "Prov 0010" with 4.90, 4.80, … 4.20, then 4.00 and
4.00 (a tie at rank 9).

With the defaults (C- and lower, bottom 10 %): the four C- or lower units of the kabupaten
group (the group of five is too small for its bottom 10 % to hold a unit) and the two tied
last provincial units.
"""

from scoring.models import PriorityUnit
from tests import factories as f
from tests.base import PersonaTestCase

from .factories import make_ranked_units, make_result

KAB_IPPS = ["2.01", "2.00", "0.50"]
PROV_IPPS = ["4.90", "4.80", "4.70", "4.60", "4.50", "4.40", "4.30", "4.20", "4.00", "4.00"]
DEFAULT_PROPOSAL = {
    "Disdukcapil Kabupaten Lampung Selatan": "grade",
    "Kab 0001": "grade",
    "Kab 0002": "grade",
    "Kab 0003": "grade",
    "Prov 0009": "bottom",
    "Prov 0010": "bottom",
}


class PriorityWorld(PersonaTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.finished = f.make_cycle(
            cls.instrument, year=2023, owner=cls.kemenpan, name="PEKPPP Nasional 2023"
        )
        make_result(f.make_assessment(cls.finished, cls.unit), "2.50")
        make_result(f.make_assessment(cls.finished, cls.other_unit), "2.51")
        service_type = cls.unit.service_type
        make_ranked_units(
            cls.finished, KAB_IPPS, agency=cls.lamsel, service_type=service_type, prefix="Kab"
        )
        make_ranked_units(
            cls.finished, PROV_IPPS, agency=cls.pemprov, service_type=service_type, prefix="Prov"
        )
        cls.publication = f.publish(cls.finished, cls.admin)

    @staticmethod
    def listed(cycle, **filters) -> dict[str, str]:
        """The list of `cycle` as {unit name: basis}."""
        return dict(
            PriorityUnit.objects.filter(cycle=cycle, **filters).values_list("unit__name", "basis")
        )
