"""Test helpers of the cycle set-up tests: window data, saved work, a private cache."""

import datetime as dt

from django.test import override_settings

from evaluations.models import Answer, Phase, Score

START = dt.date(2025, 1, 6)


def windows(start: dt.date = START) -> dict[str, tuple[dt.date, dt.date]]:
    """Six consecutive four-week windows, in phase order."""
    return {
        phase: (start + dt.timedelta(days=28 * i), start + dt.timedelta(days=28 * i + 27))
        for i, phase in enumerate(Phase.values)
    }


def window_post_data(wins: dict[str, tuple[dt.date, dt.date]]) -> dict[str, str]:
    data = {}
    for phase, (start, end) in wins.items():
        data[f"{phase}_starts_on"] = start.isoformat()
        data[f"{phase}_ends_on"] = end.isoformat()
    return data


def save_answer(assessment, indicator, by, level=3):
    return Answer.objects.create(
        assessment=assessment, indicator=indicator, claimed_level=level, updated_by=by
    )


def save_score(assignment, indicator, level=4):
    return Score.objects.create(assignment=assignment, indicator=indicator, level=level)


# Query counts must not depend on the shared file cache under var/ (other test runs cull or
# clear it; a missed cached_db session then costs one more query): use a private cache.
private_cache = override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cycles-tests",
        }
    }
)
