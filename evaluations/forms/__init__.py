"""Forms of the evaluations app, one module per area; the instrument and F-02 forms are
re-exported here."""

from .f02 import FieldVisitForm
from .instruments import InstrumentCopyForm, InstrumentImportForm

__all__ = ["FieldVisitForm", "InstrumentCopyForm", "InstrumentImportForm"]
