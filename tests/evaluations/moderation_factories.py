"""Helpers for moderation tests: an assessment "in evaluation with N evaluators who submitted
levels X/Y", built by writing Score rows and `submitted_at` directly (not through F-02)."""

from collections.abc import Mapping, Sequence

from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLResolver, include, path
from django.utils import timezone

from evaluations.models import (
    Answer,
    Assessment,
    AssessmentStatus,
    EvaluatorAssignment,
    Indicator,
    Phase,
    Scheme,
    Score,
)
from pekppp import urls as project_urls
from tests import factories as f
from tests.base import PersonaTestCase


def changed(levels: Mapping[int, int], changes: Mapping[int, int]) -> dict[int, int]:
    return {**levels, **changes}


def open_windows(cycle, *phases: Phase) -> None:
    """Open the given phase windows of `cycle` (all of them when none are named)."""
    for phase in phases or Phase:
        f.open_window(cycle, phase, before=30, after=30)


def evaluated(
    assessment: Assessment,
    *levels: Mapping[int, int],
    evaluators: Sequence | None = None,
    submitted: Sequence[bool] | bool = True,
) -> list[EvaluatorAssignment]:
    """Put `assessment` in evaluation with one evaluator per `levels` (the first one leads).

    Evaluators are created unless given; existing assignments are reused. `submitted` says,
    per evaluator or for all, whether their F-02 was submitted.
    """
    indicators = {
        i.number: i for i in Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id)
    }
    if isinstance(submitted, bool):
        submitted = [submitted] * len(levels)
    assignments = []
    for position, given in enumerate(levels):
        evaluator = evaluators[position] if evaluators else f.make_evaluator()
        assignment, _ = EvaluatorAssignment.objects.get_or_create(
            assessment=assessment, evaluator=evaluator, defaults={"is_lead": position == 0}
        )
        Score.objects.bulk_create(
            Score(assignment=assignment, indicator=indicators[n], level=lv, version=1)
            for n, lv in given.items()
        )
        if submitted[position]:
            assignment.submitted_at = timezone.now()
            assignment.save(update_fields=["submitted_at"])
        assignments.append(assignment)
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.IN_EVALUATION)
    assessment.status = AssessmentStatus.IN_EVALUATION
    return assignments


def claims(assessment: Assessment, levels: Mapping[int, int]) -> None:
    """The unit's F-01 claimed levels."""
    indicators = {
        i.number: i for i in Indicator.objects.filter(instrument_id=assessment.cycle.instrument_id)
    }
    Answer.objects.bulk_create(
        Answer(assessment=assessment, indicator=indicators[n], claimed_level=lv, version=1)
        for n, lv in levels.items()
    )


# The hub links to pages of other areas (F-01, F-02, field visit). Until those areas register
# their routes, tests run with placeholders at the agreed addresses; once they exist, the real
# routes are used and nothing is added.
_AGREED_ROUTES = {
    "f01_form": "penilaian/<int:pk>/f01/",
    "f02_form": "penilaian/<int:pk>/f02/",
    "field_visit": "penilaian/<int:pk>/kunjungan/",
    "phase_extend_form": "penilaian/<int:pk>/perpanjang/",
}


def _placeholder(request, pk):
    return HttpResponse("placeholder")


# The project's `evaluations` namespace (it also holds scoring's moderation routes).
_evaluations = next(
    p
    for p in project_urls.urlpatterns
    if isinstance(p, URLResolver) and p.app_name == "evaluations"
)
_present = {getattr(p, "name", None) for p in _evaluations.url_patterns}
urlpatterns = [
    path(
        "",
        include(
            (
                [
                    *_evaluations.url_patterns,
                    *(
                        path(route, _placeholder, name=name)
                        for name, route in _AGREED_ROUTES.items()
                        if name not in _present
                    ),
                ],
                "evaluations",
            )
        ),
    )
    if isinstance(p, URLResolver) and p.app_name == "evaluations"
    else p
    for p in project_urls.urlpatterns
]


@override_settings(ROOT_URLCONF=__name__)
class ModerationTestCase(PersonaTestCase):
    """The personas plus cycles on the shipped 2022-A instrument with open windows.

    - nasional: a Nasional cycle (KemenPANRB); `locus` is Disdukcapil Lampung Selatan in it
      (the persona evaluator leads its team), `prov_locus` is Pemprov Lampung's DPMPTSP, which
      the coordinator sees (their agency's unit) but may not moderate.
    - mandiri_2022: Pemprov Lampung's Mandiri cycle; `mandiri_locus` is its DPMPTSP.
    """

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.golden_instrument = f.shipped_instrument()
        cls.nasional = f.make_cycle(
            cls.golden_instrument, year=2025, owner=cls.kemenpan, name="PEKPPP Nasional 2025"
        )
        cls.mandiri_2022 = f.make_cycle(
            cls.golden_instrument,
            year=2025,
            scheme=Scheme.MANDIRI,
            owner=cls.pemprov,
            name="PEKPPP Mandiri Lampung 2025",
        )
        for cycle in (cls.nasional, cls.mandiri_2022):
            open_windows(cycle)
        cls.locus = f.make_assessment(cls.nasional, cls.unit)
        cls.prov_locus = f.make_assessment(cls.nasional, cls.prov_unit)
        cls.mandiri_locus = f.make_assessment(cls.mandiri_2022, cls.prov_unit)
        cls.second = f.make_evaluator("evaluator-dua", full_name="Evaluator Kedua")
        cls.third = f.make_evaluator("evaluator-tiga", full_name="Evaluator Ketiga")
