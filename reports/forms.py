"""Forms of the reports app: what a document request names besides its kind."""

from django import forms
from django.utils.translation import gettext_lazy as _

from scoring.models import Publication, PublishedResult
from units.models import Agency


class LetterAgencyForm(forms.Form):
    """The agency a result letter is addressed to: one with a unit in the publication."""

    instansi = forms.ModelChoiceField(
        queryset=Agency.objects.none(),
        error_messages={
            "required": _("Pilih instansi tujuan surat."),
            "invalid_choice": _(
                "Pilih instansi yang unitnya termasuk dalam publikasi hasil periode ini."
            ),
        },
    )

    def __init__(self, *args, publication: Publication | None, **kwargs):
        super().__init__(*args, **kwargs)
        published = PublishedResult.objects.filter(publication=publication)
        self.fields["instansi"].queryset = Agency.objects.filter(
            pk__in=published.values("agency_id")
        )
