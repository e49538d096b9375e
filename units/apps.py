from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UnitsConfig(AppConfig):
    name = "units"
    verbose_name = _("Unit dan Pengguna")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_second_factor

        # Connected here rather than where the middleware is loaded: a test's force_login
        # may come before the first request builds the middleware chain.
        user_logged_in.connect(remember_second_factor, dispatch_uid="units.second_factor")
