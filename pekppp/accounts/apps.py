from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "pekppp.accounts"
    label = "accounts"

    def ready(self) -> None:
        # Connects the security log to Django's and django-axes' authentication signals.
        from . import audit  # noqa: F401
