"""Forms of F-03: the service user's answers (public page) and a typed-in paper sheet."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import AgeBand, Education, Gender, Occupation, SurveyItem

# What each value means, written out beside every item (the items are statements).
SCALE = (
    (5, pgettext_lazy("survey scale", "Sangat setuju")),
    (4, pgettext_lazy("survey scale", "Setuju")),
    (3, pgettext_lazy("survey scale", "Cukup setuju")),
    (2, pgettext_lazy("survey scale", "Kurang setuju")),
    (1, pgettext_lazy("survey scale", "Tidak setuju")),
    (0, pgettext_lazy("survey scale", "Sangat tidak setuju / tidak tersedia")),
)
PROFILE_FIELDS = ("gender", "age_band", "education", "occupation", "service_used")


def item_field_name(number: int) -> str:
    return f"b{number}"


def _optional(label, choices) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        required=False,
        choices=[("", _("Tidak diisi")), *choices],
        widget=forms.RadioSelect,
        # Django's message repeats the value sent, which a crafted request can make huge.
        error_messages={"invalid_choice": _("Pilih salah satu pilihan yang tersedia.")},
    )


class SurveyForm(forms.Form):
    """The F-03 items of an instrument version, each 0–5 and required, then the optional
    profile questions. Every error names its item; what was chosen stays chosen."""

    gender = _optional(_("Jenis kelamin"), Gender.choices)
    age_band = _optional(_("Usia"), AgeBand.choices)
    education = _optional(_("Pendidikan terakhir"), Education.choices)
    occupation = _optional(_("Pekerjaan"), Occupation.choices)
    service_used = forms.CharField(
        label=_("Layanan yang Anda terima"),
        required=False,
        max_length=120,
        help_text=_("Misalnya: perekaman KTP-el. Jangan tulis nama, nomor HP atau NIK."),
    )

    def __init__(self, *args, items: list[SurveyItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        item_fields = {}
        for item in items:
            label = _("Butir %(number)d") % {"number": item.number}
            item_fields[item_field_name(item.number)] = forms.TypedChoiceField(
                label=item.text,
                choices=SCALE,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("%(item)s (“%(text)s”) belum dijawab.")
                    % {"item": label, "text": item.text},
                    "invalid_choice": _("%(item)s: jawaban harus salah satu nilai 0 sampai 5.")
                    % {"item": label},
                },
            )
        # The items first, then the profile questions.
        self.fields = item_fields | self.fields

    def item_fields(self):
        return [self[item_field_name(item.number)] for item in self.items]

    def profile_fields(self):
        return [self[name] for name in PROFILE_FIELDS]

    def answers(self) -> list[int]:
        """The item values in item order (after is_valid())."""
        return [self.cleaned_data[item_field_name(item.number)] for item in self.items]

    def profile(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in PROFILE_FIELDS}

    def problems(self) -> list[str]:
        """Every error as one line that names its item or question."""
        found = []
        for name, errors in self.errors.items():
            if name.startswith("b") and name[1:].isdigit():
                found += errors
            else:
                label = self.fields[name].label if name in self.fields else ""
                found += [f"{label}: {error}" if label else str(error) for error in errors]
        return found


class PaperSurveyForm(SurveyForm):
    """A paper sheet typed in by the unit's operator, with its scan attached.

    Made for typing from a stack of sheets: one drop-down per item whose options start with
    their value, so "4, Tab, 5, Tab, …" fills the form from the keyboard; the profile
    questions are drop-downs too."""

    # An empty file is left to the service, which refuses it as it refuses empty bukti dukung.
    sheet = forms.FileField(
        label=_("Pindaian lembar survei"),
        help_text=_("PDF, JPG atau PNG dari lembar kertas yang diisi responden."),
        error_messages={"required": _("Lampirkan pindaian lembar survei kertas.")},
        allow_empty_file=True,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ascending = [("", "–"), *((value, f"{value} · {text}") for value, text in reversed(SCALE))]
        for item in self.items:
            field = self.fields[item_field_name(item.number)]
            field.widget = forms.Select()
            field.choices = ascending
        for name in PROFILE_FIELDS[:-1]:
            field = self.fields[name]
            field.widget = forms.Select(choices=field.choices)


class SurveyVoidForm(forms.Form):
    reason = forms.CharField(
        label=_("Alasan pembatalan"),
        max_length=1000,
        error_messages={"required": _("Tuliskan alasan pembatalan isian ini.")},
    )
