"""Forms of cycle set-up: the cycle and its windows, loci picking and import, teams,
phase extensions. They parse and check input; the services in services/cycles.py decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from units.models import Agency, Province, ServiceType
from units.permissions import roles_of

from ..models import Assessment, Cycle, InstrumentVersion, Phase, Scheme
from ..selectors.cycles import SEARCH_MAX_LENGTH, UnitFilters, cycle_windows, evaluator_pool
from ..services.cycles import team_shape_problems, window_order_problem

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Loci files are a column of unit codes: 5 MB holds far more units than Indonesia has.
MAX_LOCI_FILE_BYTES = 5 * 1024 * 1024


def window_field(phase: str, end: str) -> str:
    """The form field of one end ("starts_on"/"ends_on") of a phase window."""
    return f"{phase}_{end}"


def service_errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else on top."""
    for key, messages in error.message_dict.items():
        form.add_error(key if key in form.fields else None, messages)


class CycleForm(forms.Form):
    """A new cycle (all fields) or, with `cycle`, an existing one (name, σ/m, windows)."""

    name = forms.CharField(label=gettext_lazy("Nama periode"), max_length=200)
    year = forms.IntegerField(label=gettext_lazy("Tahun"), min_value=2000, max_value=2100)
    scheme = forms.ChoiceField(label=gettext_lazy("Skema"), choices=Scheme.choices)
    instrument = forms.ModelChoiceField(
        label=gettext_lazy("Versi instrumen"),
        queryset=InstrumentVersion.objects.order_by("-year", "code"),
        empty_label=gettext_lazy("— pilih —"),
    )
    owner_agency = forms.ModelChoiceField(
        label=gettext_lazy("Instansi penyelenggara"),
        queryset=Agency.objects.order_by("name"),
        empty_label=gettext_lazy("— pilih —"),
    )
    survey_weight = forms.DecimalField(
        label=gettext_lazy("Bobot survei (σ) khusus"),
        required=False,
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        help_text=gettext_lazy("Kosongkan untuk memakai nilai instrumen."),
    )
    min_respondents = forms.IntegerField(
        label=gettext_lazy("Minimum responden (m) khusus"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=gettext_lazy("Kosongkan untuk memakai nilai instrumen."),
    )

    def __init__(self, *args, user, cycle: Cycle | None = None, **kwargs):
        self.cycle = cycle
        if cycle is not None:
            initial = {
                "name": cycle.name,
                "survey_weight": cycle.survey_weight,
                "min_respondents": cycle.min_respondents,
            }
            for w in cycle_windows(cycle):
                initial[window_field(w.phase, "starts_on")] = w.starts_on
                initial[window_field(w.phase, "ends_on")] = w.ends_on
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        for phase, label in Phase.choices:
            self.fields[window_field(phase, "starts_on")] = forms.DateField(
                label=_("%(phase)s: mulai") % {"phase": label}, widget=DATE_WIDGET
            )
            self.fields[window_field(phase, "ends_on")] = forms.DateField(
                label=_("%(phase)s: selesai") % {"phase": label}, widget=DATE_WIDGET
            )
        if cycle is not None:
            for name in ("year", "scheme", "instrument", "owner_agency"):
                del self.fields[name]
            return
        roles = roles_of(user)
        if not roles.ministry_admin:
            # A coordinator opens Mandiri cycles of their own agency, nothing else.
            self.fields["scheme"].choices = [(Scheme.MANDIRI.value, Scheme.MANDIRI.label)]
            self.fields["scheme"].initial = Scheme.MANDIRI
            self.fields["owner_agency"].queryset = Agency.objects.filter(
                pk__in=roles.coordinator_agencies
            ).order_by("name")

    def window_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (label, self[window_field(p, "starts_on")], self[window_field(p, "ends_on")])
            for p, label in Phase.choices
        ]

    def setting_fields(self) -> list[forms.BoundField]:
        names = (
            "name",
            "year",
            "scheme",
            "instrument",
            "owner_agency",
            "survey_weight",
            "min_respondents",
        )
        return [self[n] for n in names if n in self.fields]

    def clean(self):
        cleaned = super().clean()
        windows = {}
        for phase in Phase.values:
            start = cleaned.get(window_field(phase, "starts_on"))
            end = cleaned.get(window_field(phase, "ends_on"))
            if start is None or end is None:
                continue
            problem = window_order_problem(phase, start, end)
            if problem:
                self.add_error(window_field(phase, "ends_on"), problem)
            windows[phase] = (start, end)
        cleaned["windows"] = windows
        return cleaned


class LociFilterForm(forms.Form):
    """Filters of the candidate units (GET). A bad value is reported and ignored."""

    agency = forms.ModelChoiceField(
        label=gettext_lazy("Instansi"),
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Semua instansi"),
    )
    province = forms.ModelChoiceField(
        label=gettext_lazy("Provinsi"),
        queryset=Province.objects.order_by("code"),
        required=False,
        empty_label=gettext_lazy("Semua provinsi"),
    )
    service_type = forms.ModelChoiceField(
        label=gettext_lazy("Jenis layanan"),
        queryset=ServiceType.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("Semua jenis layanan"),
    )
    q = forms.CharField(
        label=gettext_lazy("Cari nama atau kode unit"),
        required=False,
        max_length=SEARCH_MAX_LENGTH,
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        if cycle.scheme == Scheme.MANDIRI:
            # Only the owner agency's units can be loci: the other filters would mislead.
            del self.fields["agency"]
            del self.fields["province"]

    def filters(self) -> UnitFilters:
        """The filters that are valid (an invalid one is dropped, its error shown)."""
        if not self.is_bound:
            return UnitFilters()
        self.is_valid()
        data = self.cleaned_data
        return UnitFilters(
            agency=data.get("agency"),
            province=data.get("province"),
            service_type=data.get("service_type"),
            search=data.get("q") or "",
        )


class LociAddForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": gettext_lazy("Pilih minimal satu unit.")}
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = candidates.select_related("agency")


class LociRemoveForm(forms.Form):
    loci = forms.ModelMultipleChoiceField(
        queryset=None, error_messages={"required": gettext_lazy("Pilih minimal satu lokus.")}
    )

    def __init__(self, *args, cycle: Cycle, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["loci"].queryset = Assessment.objects.filter(cycle=cycle)


class LociImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas lokus (CSV atau XLSX)"),
        help_text=gettext_lazy("Kolom wajib: kode_unit. Kolom periode boleh ada."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in ("csv", "xlsx"):
            raise ValidationError(_("Unggah berkas .csv atau .xlsx."))
        if upload.size > MAX_LOCI_FILE_BYTES:
            raise ValidationError(_("Berkas terlalu besar (maksimum 5 MB)."))
        self.cleaned_data["format"] = extension
        return upload


class TeamCheckboxes(forms.CheckboxSelectMultiple):
    """Evaluator checkboxes; in a Nasional cycle people of the unit's agency are disabled,
    with the reason in their label."""

    conflict_agency_id: int | None = None
    conflict_reason = ""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        person = getattr(value, "instance", None)
        if person is not None and self.conflict_agency_id is not None:
            if person.agency_id == self.conflict_agency_id:
                option["attrs"]["disabled"] = True
                option["label"] = f"{label} — {self.conflict_reason}"
        return option


class EvaluatorChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} ({obj.agency.name})" if obj.agency else obj.display_name


class LeadChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class AssignmentForm(forms.Form):
    """The team of one locus: 1–5 evaluators (usually 2–3) and their lead."""

    evaluators = EvaluatorChoiceField(
        label=gettext_lazy("Evaluator"),
        queryset=None,
        widget=TeamCheckboxes,
        error_messages={"required": gettext_lazy("Pilih minimal satu evaluator.")},
    )
    lead = LeadChoiceField(
        label=gettext_lazy("Ketua tim"), queryset=None, empty_label=gettext_lazy("— pilih —")
    )

    def __init__(self, *args, assessment: Assessment, **kwargs):
        team = list(assessment.assignments.all())
        lead = next((a.evaluator_id for a in team if a.is_lead), None)
        kwargs.setdefault("initial", {"evaluators": [a.evaluator_id for a in team], "lead": lead})
        super().__init__(*args, **kwargs)
        pool = evaluator_pool()
        self.fields["evaluators"].queryset = pool
        self.fields["lead"].queryset = pool
        widget = self.fields["evaluators"].widget
        if assessment.cycle.scheme == Scheme.NASIONAL:
            agency = assessment.unit.agency
            widget.conflict_agency_id = agency.pk
            widget.conflict_reason = _(
                "tidak dapat dipilih: berasal dari instansi unit ini (%(agency)s); dalam skema "
                "Nasional evaluator tidak boleh menilai unit instansinya sendiri"
            ) % {"agency": agency.name}

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("evaluators")
        lead = cleaned.get("lead")
        if chosen is not None:
            for field, problem in team_shape_problems(list(chosen), lead).items():
                if field in cleaned or field == "evaluators":  # a missing lead is told already
                    self.add_error(field, problem)
        return cleaned


class PhaseExtensionForm(forms.Form):
    """More time in one phase for one unit; the reason goes to the audit history."""

    phase = forms.ChoiceField(label=gettext_lazy("Tahap"), choices=Phase.choices)
    ends_on = forms.DateField(label=gettext_lazy("Diperpanjang sampai"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": gettext_lazy("Alasan perpanjangan wajib diisi.")},
    )
