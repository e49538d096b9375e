"""Django admin of the evaluations app, split by area."""

from . import cycles, instruments  # noqa: F401  (registers the ModelAdmins)
