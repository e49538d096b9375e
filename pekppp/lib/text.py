"""Control characters in text people send: refused before they reach a page or the database.

PostgreSQL refuses NUL in a string literal (psycopg2 raises ValueError), and the other C0
controls and DEL have no place in a name, an address or a search either. Typed text (an
explanation, a note) may hold tabs and line breaks; nothing else below U+0020.
"""

import re

_ANY = re.compile(r"[\x00-\x1f\x7f]")
_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a C0 control character or DEL; with `multiline`, tab, line feed
    and carriage return are allowed."""
    return bool((_IN_TEXT if multiline else _ANY).search(value))
