"""What scoring does when the apps below it change scoring inputs."""

from django.db.models import Q

from .services.results import FinalLevelError, results_recompute


def refresh_result_on_survey_change(sender, *, assessment_id: int, **kwargs) -> None:
    """F-03 responses of a locus changed: bring its stored result up to date in the same
    transaction (nothing is stored while its final levels are incomplete)."""
    report = results_recompute(assessments=Q(pk=assessment_id))
    if report.errors:
        raise FinalLevelError(report.errors[0][2])
