"""Signals the evaluations app sends to the apps built on it (which it may not import)."""

from django.dispatch import Signal

# Sent inside the transaction that added or voided a locus's F-03 responses, with
# `assessment_id`: scoring brings the stored result up to date in that same transaction.
survey_changed = Signal()
