"""Forms of the F-02 area."""

from django import forms


class FieldVisitForm(forms.Form):
    """Parses the text fields; the service decides what is required (and lists it all)."""

    visit_date = forms.DateField(required=False)
    people_met = forms.CharField(required=False, strip=True)
    observations = forms.CharField(required=False, strip=True)
