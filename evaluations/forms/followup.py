"""Forms of the follow-up register: the unit's edit of one item, and the register's filters."""

from dataclasses import asdict

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Cycle, FollowUpStatus
from ..selectors.followup import FollowUpQuery
from ..services.followup import PLANNED_ACTION_MAX, REASON_MAX, RESPONSIBLE_MAX, FollowUpValues


def _too_long(label) -> dict:
    return {
        "max_length": _(
            "%(field)s terlalu panjang: paling banyak %%(limit_value)d karakter "
            "(sekarang %%(show_value)d)."
        )
        % {"field": label}
    }


class FollowUpForm(forms.Form):
    """The unit's follow-up of one item; `version` is the one the form was opened on."""

    planned_action = forms.CharField(
        label=_("Rencana aksi"),
        required=False,
        max_length=PLANNED_ACTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages=_too_long(_("Rencana aksi")),
    )
    responsible = forms.CharField(
        label=_("Penanggung jawab"),
        required=False,
        max_length=RESPONSIBLE_MAX,
        error_messages=_too_long(_("Penanggung jawab")),
    )
    target_date = forms.DateField(
        label=_("Target selesai"),
        required=False,
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "invalid": _(
                "Target selesai bukan tanggal yang valid: isi dengan format HH-BB-TTTT, "
                "misalnya 30-06-2025."
            )
        },
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=FollowUpStatus.choices,
        error_messages={
            "required": _("Pilih status tindak lanjut."),
            "invalid_choice": _("Status tindak lanjut “%(value)s” tidak dikenal."),
        },
    )
    status_reason = forms.CharField(
        label=_("Alasan tidak dapat dilaksanakan"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=_too_long(_("Alasan tidak dapat dilaksanakan")),
    )
    version = forms.IntegerField(
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Data yang dikirim tidak lengkap; muat ulang halaman ini."),
            "invalid": _("Data yang dikirim tidak lengkap; muat ulang halaman ini."),
            "min_value": _("Data yang dikirim tidak lengkap; muat ulang halaman ini."),
        },
    )

    # Locked while the item is closed (done or not possible): only the status can change.
    LOCKED_WHEN_CLOSED = ("planned_action", "responsible", "target_date")

    def __init__(self, *args, closed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.LOCKED_WHEN_CLOSED if closed else ():
            # A disabled field keeps its initial value whatever the request sends.
            self.fields[name].disabled = True

    def values(self) -> FollowUpValues:
        d = self.cleaned_data
        return FollowUpValues(
            planned_action=d["planned_action"],
            responsible=d["responsible"],
            target_date=d["target_date"],
            status=d["status"],
            status_reason=d["status_reason"],
        )


def form_initial(values: FollowUpValues, version: int) -> dict:
    """The form's initial data: the values shown and the version they were read at."""
    return {**asdict(values), "version": version}


def followup_query_from(params, cycles: list[Cycle]) -> tuple[FollowUpQuery, list[str]]:
    """The register's filters from GET parameters (periode, status, terlambat, halaman) and
    a message for each value that is not one of the choices (that filter is then ignored).

    `periode` is a cycle id among `cycles` or "semua" (every cycle); without it, the most
    recent cycle of `cycles`."""
    problems = []
    by_id = {str(c.pk): c for c in cycles}
    raw = params.get("periode", "").strip()
    cycle = cycles[0] if cycles else None
    if raw == "semua":
        cycle = None
    elif raw:
        if raw in by_id:
            cycle = by_id[raw]
        else:
            problems.append(
                gettext("Periode “%(value)s” tidak ditemukan; periode terbaru ditampilkan.")
                % {"value": raw[:40]}
            )
    status = params.get("status", "").strip()
    if status and status not in FollowUpStatus.values:
        problems.append(
            gettext("Status “%(value)s” tidak dikenal; semua status ditampilkan.")
            % {"value": status[:40]}
        )
        status = ""
    overdue = params.get("terlambat", "").strip()
    if overdue not in ("", "0", "1"):
        problems.append(
            gettext("Pilihan terlambat “%(value)s” tidak dikenal; filter ini diabaikan.")
            % {"value": overdue[:40]}
        )
    page = params.get("halaman", "").strip() or "1"
    number = int(page) if page.isascii() and page.isdigit() and len(page) < 9 else 0
    if number < 1:
        problems.append(
            gettext("Nomor halaman “%(page)s” tidak valid; halaman pertama ditampilkan.")
            % {"page": page[:40]}
        )
        number = 1
    query = FollowUpQuery(cycle=cycle, status=status, overdue=overdue == "1", page=number)
    return query, problems
