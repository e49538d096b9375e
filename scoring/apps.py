from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Penilaian dan Peringkat")

    def ready(self) -> None:
        from evaluations.signals import survey_changed

        from .receivers import refresh_result_on_survey_change

        survey_changed.connect(
            refresh_result_on_survey_change, dispatch_uid="scoring.refresh_on_survey"
        )
