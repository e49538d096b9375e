"""Writes of the scoring app, one module per area: `results` (the engine's door to the
database) and `publication` (validation and frozen revisions)."""
