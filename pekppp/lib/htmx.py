"""What an htmx request asks for, read from its headers."""

from collections.abc import Mapping


def wants_fragment(headers: Mapping[str, str]) -> bool:
    """Whether htmx asks for part of a page (a filter changed, a poll). When it restores a
    page from its history it sends HX-Request too, but then it needs the whole page."""
    return (
        headers.get("HX-Request") == "true" and headers.get("HX-History-Restore-Request") != "true"
    )
