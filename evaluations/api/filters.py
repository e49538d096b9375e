"""Query filters the evaluations API shares: ids and years as whole numbers within bounds, so
`?cycle=1.5`, `?cycle=99999999999999999999` or `?year=-1` are a 400 naming the parameter."""

import django_filters
from django import forms

ID_MAX = 2**63 - 1  # BigAutoField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField


def id_filter(field_name: str, help_text: str) -> IntegerFilter:
    return IntegerFilter(field_name=field_name, min_value=1, max_value=ID_MAX, label=help_text)


def year_filter() -> IntegerFilter:
    return IntegerFilter(min_value=2000, max_value=2100, label="Year (2000–2100).")
