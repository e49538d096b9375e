import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log-in with labels and messages as civil servants read them."""

    username = forms.CharField(
        label=_("Nama pengguna"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."
        ),
        "inactive": _("Akun ini tidak aktif."),
    }


class SecondFactorForm(forms.Form):
    """The code after the password: six digits from the app, or a recovery code."""

    code = forms.CharField(
        label=_("Kode"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        # People copy recovery codes with spaces or dashes, and apps show "123 456".
        return re.sub(r"[\s-]", "", self.cleaned_data["code"]).lower()


class AuthenticatorForm(forms.Form):
    """The first code of a newly scanned authenticator app."""

    code = forms.CharField(
        label=_("Kode enam angka dari aplikasi"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not (len(code) == 6 and code.isdigit()):
            raise forms.ValidationError(_("Masukkan enam angka yang tampil di aplikasi."))
        return code
