"""Document builders: one function per document kind, called by the job runner.

A builder writes one file inside `workdir` and returns it as `Built`. Builders are
deterministic (same inputs, byte-identical file) and idempotent.
"""

import pathlib
from collections.abc import Callable
from dataclasses import dataclass

from reports.models import Document


class BuildError(Exception):
    """A permanent, user-facing reason the document cannot be built (never retried)."""


@dataclass(frozen=True)
class Built:
    filename: str  # download name, e.g. "peringkat-pekppp-nasional-2023.pdf"
    path: pathlib.Path  # the file the builder wrote inside `workdir`


ProgressFn = Callable[[int, int], None]
Builder = Callable[[Document, ProgressFn, pathlib.Path], Built]

# Keyed by DocumentKind value; filled in by the builder modules.
BUILDERS: dict[str, Builder] = {}

# Each module registers its builders in BUILDERS when imported; importing the package fills it.
from . import berita_acara, certificates, ranked, report_card, result_letters  # noqa: E402, F401
