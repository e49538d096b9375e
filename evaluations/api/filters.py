"""Query filters the evaluations API shares: ids and years as whole numbers within bounds, so
`?cycle=1.5`, `?cycle=99999999999999999999` or `?year=-1` are a 400 naming the parameter, and
the schema states the bounds."""

import django_filters
import django_filters.rest_framework
import django_filters.widgets
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

ID_MAX = 2**63 - 1  # BigAutoField


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (django-filter's NumberFilter takes decimals)."""

    field_class = forms.IntegerField


def _bounded(minimum: int, maximum: int, **kwargs) -> IntegerFilter:
    integer = IntegerFilter(min_value=minimum, max_value=maximum, **kwargs)
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    return extend_schema_field(schema)(integer)


def id_filter(field_name: str, help_text: str) -> IntegerFilter:
    return _bounded(1, ID_MAX, field_name=field_name, label=help_text)


def year_filter() -> IntegerFilter:
    return _bounded(2000, 2100, label="Year (2000–2100).")


def choice_filter(choices, help_text: str = "") -> django_filters.ChoiceFilter:
    """One of `choices`; empty means any (django-filter's reading, stated in the schema)."""
    choice = django_filters.ChoiceFilter(choices=choices, label=help_text or None)
    schema = {"type": "string", "enum": [value for value, _label in choices] + [""]}
    return extend_schema_field(schema)(choice)


class _TrueOrFalse(forms.NullBooleanField):
    """true/false (1/0); absent or empty: no filter; anything else is refused, where Django's
    NullBooleanField would read it as "no filter"."""

    def to_python(self, value):
        if value in (True, False):
            return value
        if value in (None, ""):
            return None
        raise forms.ValidationError(_("Isi true atau false."), code="invalid")


class _TrueOrFalseWidget(django_filters.widgets.BooleanWidget):
    """django-filter's widget reads an unknown value as absent: pass it on to be refused."""

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        return data.get(name) if value is None else value


@extend_schema_field({"type": "boolean"})
class BooleanFilter(django_filters.rest_framework.BooleanFilter):
    field_class = _TrueOrFalse

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", _TrueOrFalseWidget)
        super().__init__(*args, **kwargs)
