"""Writes of the scoring app, one module per area: `results` (the engine's door to the
database) and `publication` (validation and frozen revisions)."""

# Until evaluations/selectors_f02.py imports it from evaluations.instrument_spec (at merge).
from evaluations.instrument_spec import cycle_spec  # noqa: F401
