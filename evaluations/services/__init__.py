"""Writes of the evaluations app, one module per area; instrument functions re-exported."""

from .instruments import instrument_copy, instrument_export, instrument_import

__all__ = ["instrument_copy", "instrument_export", "instrument_import"]
