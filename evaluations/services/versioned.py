"""Optimistic concurrency for rows edited as people type (F-01 answers, F-02 scores)."""

from django.db.models import F, QuerySet


def save_versioned(row: QuerySet, *, version: int, values: dict) -> int | None:
    """Write `values` to the one row of `row` if nobody saved it since `version`.

    Returns the new version, or None when the row changed under the caller: then nothing was
    written, and the caller shows both values instead of silently overwriting one.
    """
    updated = row.filter(version=version).update(version=F("version") + 1, **values)
    return version + 1 if updated else None
