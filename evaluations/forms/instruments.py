"""Forms of instrument versions in the admin: import from a file, copy forward."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .. import instrument_file
from ..instrument_file import InstrumentFileError
from ..models import InstrumentVersion

# The shipped instrument files are about 50 kB; a file forty times larger is not an instrument.
MAX_INSTRUMENT_FILE_BYTES = 2 * 1024 * 1024

# A version code becomes a file name ("<code>.json") on export: keep it to safe characters.
version_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
    _("Gunakan huruf, angka, titik, tanda hubung atau garis bawah, diawali huruf atau angka."),
)


class InstrumentImportForm(forms.Form):
    """An instrument file to import; a valid form carries the parsed `document`."""

    file = forms.FileField(
        label=_("Berkas instrumen (JSON)"),
        help_text=_("Format: evaluations/instruments/FORMAT.md. Semua masalah ditampilkan."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_INSTRUMENT_FILE_BYTES:
            raise ValidationError(_("Berkas terlalu besar (maksimum 2 MB)."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            try:
                cleaned["document"] = instrument_file.parse(upload.read(), source=upload.name)
            except InstrumentFileError as exc:
                # One error per problem, so the page lists each of them.
                self.add_error("file", list(exc.problems))
        return cleaned


class InstrumentCopyForm(forms.Form):
    """The new code, name and year of a version copied forward."""

    code = forms.CharField(
        label=_("Kode versi baru"), max_length=32, validators=[version_code_validator]
    )
    name = forms.CharField(label=_("Nama"), max_length=200)
    year = forms.IntegerField(label=_("Tahun"), min_value=2000, max_value=2100)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if InstrumentVersion.objects.filter(code=code).exists():
            raise ValidationError(
                _("Kode versi “%(code)s” sudah dipakai; pilih kode lain."), params={"code": code}
            )
        return code
