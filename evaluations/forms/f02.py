"""Forms of the F-02 area."""

from django import forms
from django.utils.translation import gettext_lazy as _


class FieldVisitForm(forms.Form):
    """Parses the text fields; the service decides what is required (and lists it all)."""

    visit_date = forms.DateField(label=_("Tanggal kunjungan"), required=False)
    people_met = forms.CharField(label=_("Pihak yang ditemui"), required=False, strip=True)
    observations = forms.CharField(label=_("Hasil pengamatan"), required=False, strip=True)

    def problems(self) -> list[str]:
        """The errors of an invalid form, each naming its field (a NUL in a text, a date that
        is not one)."""
        found = []
        for name, errors in self.errors.items():
            if name == "visit_date":
                found.append(str(_("Tanggal kunjungan tidak valid.")))
            else:
                found += [f"{self[name].label}: {error}" for error in errors]
        return found
