"""Forms of the scoring pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations.models import Assessment, Cycle
from units.models import ServiceUnit

from .engine import MAX_LEVEL, MIN_LEVEL
from .models import CoachingMode
from .selectors.rankings import RankingQuery
from .simulator import AspectGroup, IndicatorRow, SimulatorSheet

LEVELS = [(str(v), str(v)) for v in range(MIN_LEVEL, MAX_LEVEL + 1)]


def level_field_name(number: int) -> str:
    return f"level_{number}"


@dataclass(frozen=True)
class IndicatorField:
    indicator: IndicatorRow
    field: forms.BoundField


@dataclass(frozen=True)
class AspectFields:
    aspect: AspectGroup
    rows: list[IndicatorField]


class SimulatorForm(forms.Form):
    """One optional 0–5 choice per scored indicator of the sheet's instrument.

    Each choice's label is the level's rubric text, so the template can show the rubric next
    to its radio button. Levels start unset; an unset or invalid level simply counts as
    "not yet chosen" for the result panel.
    """

    fill = forms.TypedChoiceField(
        label=_("Isi semua dengan level"),
        choices=LEVELS,
        coerce=int,
        empty_value=None,
        required=False,
    )

    def __init__(self, sheet: SimulatorSheet, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet = sheet
        for aspect in sheet.aspects:
            for ind in aspect.indicators:
                self.fields[level_field_name(ind.number)] = forms.TypedChoiceField(
                    label=f"{ind.number}. {ind.title}",
                    choices=[(str(o.value), o.text) for o in ind.levels],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    widget=forms.RadioSelect,
                )

    @property
    def groups(self) -> list[AspectFields]:
        """The level fields grouped by aspect, with each indicator's display data."""
        return [
            AspectFields(
                aspect,
                [
                    IndicatorField(ind, self[level_field_name(ind.number)])
                    for ind in aspect.indicators
                ],
            )
            for aspect in self.sheet.aspects
        ]

    def levels(self) -> dict[int, int]:
        """The valid levels chosen so far, by indicator number (empty for an unbound form)."""
        if not self.is_bound:
            return {}
        self.is_valid()  # runs cleaning; invalid fields are left out of cleaned_data
        chosen = {}
        for aspect in self.sheet.aspects:
            for ind in aspect.indicators:
                level = self.cleaned_data.get(level_field_name(ind.number))
                if level is not None:
                    chosen[ind.number] = level
        return chosen

    def prefilled(self) -> SimulatorForm:
        """A copy of this form with every indicator set to the chosen "fill" level.

        Returned unchanged when no valid fill level was chosen (its error then shows).
        """
        self.is_valid()
        level = self.cleaned_data.get("fill")
        if level is None:
            return self
        data = {"fill": str(level)} | {
            level_field_name(ind.number): str(level)
            for aspect in self.sheet.aspects
            for ind in aspect.indicators
        }
        return SimulatorForm(self.sheet, data=data)


REASON_MAX_LENGTH = 2000


class LocusExcludeForm(forms.Form):
    """Leave one locus of the cycle out of its publication, with a reason."""

    lokus = forms.ModelChoiceField(
        queryset=Assessment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Lokus wajib dipilih."),
            "invalid_choice": _("Lokus tidak ditemukan dalam periode ini."),
        },
    )
    alasan = forms.CharField(
        label=_("Alasan pengecualian"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Alasan pengecualian wajib diisi.")},
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lokus"].queryset = Assessment.objects.filter(cycle=cycle).select_related(
            "cycle", "unit"
        )


class LocusIncludeForm(forms.Form):
    """Take an excluded locus of the cycle back into its publication."""

    lokus = forms.ModelChoiceField(
        queryset=Assessment.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Lokus wajib dipilih."),
            "invalid_choice": _("Lokus ini tidak sedang dikecualikan."),
        },
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lokus"].queryset = Assessment.objects.filter(
            cycle=cycle, exclusion__isnull=False
        ).select_related("cycle", "unit")


class PublishForm(forms.Form):
    """Publish a cycle; a correction (any revision after the first) needs a reason."""

    alasan = forms.CharField(
        label=_("Alasan koreksi"),
        max_length=REASON_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Publikasi ulang (koreksi) wajib disertai alasan.")},
    )

    def __init__(self, *args, correction: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["alasan"].required = correction


def ranking_query_from(params) -> tuple[RankingQuery, list[str]]:
    """The ranking filters of a GET request (kelompok, jenis, provinsi, predikat, q, halaman)
    as typed by the person, and a message for a page number that is not one (page 1 then)."""
    problems = []
    page = params.get("halaman", "").strip() or "1"
    try:
        number = int(page)
    except ValueError:
        number = 0
    if number < 1:
        problems.append(
            gettext("Nomor halaman “%(page)s” tidak valid; halaman pertama ditampilkan.")
            % {"page": page}
        )
        number = 1
    query = RankingQuery(
        group=params.get("kelompok", "").strip(),
        service_type=params.get("jenis", "").strip(),
        province=params.get("provinsi", "").strip(),
        grade=params.get("predikat", "").strip(),
        search=params.get("q", ""),
        page=number,
    )
    return query, problems


# --- Priority coaching ---------------------------------------------------------------------------

UNIT_ERRORS = {
    "required": _("Unit wajib dipilih."),
    "invalid_choice": _("Unit tidak ditemukan dalam daftar periode ini."),
    "invalid_pk_value": _("Unit tidak ditemukan dalam daftar periode ini."),
}


class PriorityProposeForm(forms.Form):
    """The proposal rule: a grade and everything below it, or the bottom share of a group."""

    predikat = forms.ChoiceField(
        label=_("Predikat tertinggi yang diusulkan"),
        error_messages={"invalid_choice": _("pilih salah satu predikat dari tabel instrumen.")},
    )
    porsi = forms.DecimalField(
        label=_("Porsi peringkat terbawah tiap kelompok (%)"),
        min_value=0,
        max_value=50,
        max_digits=4,
        decimal_places=1,
        localize=True,
        error_messages={
            "required": _("wajib diisi (0 bila tidak dipakai)."),
            "invalid": _("harus berupa angka, misalnya 10."),
        },
    )

    def __init__(self, *args, grades: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["predikat"].choices = grades
        self.fields["predikat"].initial = settings.PRIORITY_MAX_GRADE
        percent = settings.PRIORITY_BOTTOM_SHARE * 100
        # "10", not "10.00": a whole percentage is shown without decimals.
        self.fields["porsi"].initial = (
            percent.to_integral_value() if percent == percent.to_integral_value() else percent
        )

    def share(self) -> Decimal:
        return self.cleaned_data["porsi"] / 100


class PriorityUnitForm(forms.Form):
    """One unit of the cycle, by its id in a hidden field, and (when `reason` is given) a
    reason: confirming, removing or adding a unit."""

    unit = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(), widget=forms.HiddenInput, error_messages=UNIT_ERRORS
    )
    alasan = forms.CharField(
        max_length=REASON_MAX_LENGTH,
        required=False,
        error_messages={"required": _("Alasan wajib diisi.")},
    )

    def __init__(self, *args, units, reason: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["alasan"].required = reason


class CoachingSessionForm(forms.Form):
    """One coaching session; its date decides whether it is held or scheduled."""

    held_on = forms.DateField(
        label=_("Tanggal"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("wajib diisi."),
            "invalid": _("bukan tanggal yang valid; gunakan format TTTT-BB-HH."),
        },
    )
    mode = forms.ChoiceField(
        label=_("Bentuk"),
        choices=CoachingMode.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("pilih luring, daring atau hibrida."),
            "invalid_choice": _("pilih luring, daring atau hibrida."),
        },
    )
    people = forms.CharField(
        label=_("Peserta"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Pendamping dan pihak unit yang hadir."),
        error_messages={"required": _("wajib diisi.")},
    )
    topics = forms.CharField(
        label=_("Topik"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("wajib diisi.")},
    )
    notes = forms.CharField(
        label=_("Catatan"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Hasil dan kesepakatan; untuk sesi terjadwal dapat dikosongkan."),
    )
    # An empty file is left to the service, which refuses it as it refuses empty bukti dukung.
    lampiran = forms.FileField(
        label=_("Lampiran (opsional)"),
        required=False,
        allow_empty_file=True,
        help_text=_("Satu berkas PDF, JPEG, PNG, DOCX atau XLSX, misalnya daftar hadir."),
    )


class CoachingFileForm(forms.Form):
    lampiran = forms.FileField(
        label=_("Lampiran"),
        allow_empty_file=True,
        error_messages={"required": _("pilih berkas yang dilampirkan.")},
    )


def form_problems(form: forms.Form) -> list[str]:
    """Every error of `form` as one line naming its field."""
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        problems += [f"{label}: {error}" if label else str(error) for error in errors]
    return problems
