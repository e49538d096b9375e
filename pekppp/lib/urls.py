"""`reverse` for views whose arguments are integers, with one real reverse per process.

A page that links 30 indicators, or the same five views of one assessment, would otherwise
resolve the URL pattern again for every link. The address is reversed once with placeholder
integers and split around them; later calls put the real integers in.
"""

from functools import cache

from django.urls import get_script_prefix, reverse

_PLACEHOLDER = 2147483647  # the largest value the int path converter gives: never a real id


@cache
def _parts(name: str, script_prefix: str, count: int) -> tuple[str, ...]:
    placeholders = [str(_PLACEHOLDER - i) for i in range(count)]
    rest, parts = reverse(name, args=placeholders), []
    for placeholder in placeholders:
        head, rest = rest.split(placeholder, 1)
        parts.append(head)
    return (*parts, rest)


def int_url_maker(name: str, count: int):
    """`int_url(name, …)` for many links to one view in a request: `count` integers each."""
    *heads, tail = _parts(name, get_script_prefix(), count)

    def make(*args: int) -> str:
        return "".join(head + str(int(arg)) for head, arg in zip(heads, args, strict=True)) + tail

    return make


def int_url(name: str, *args: int) -> str:
    """`reverse(name, args=args)` for integer `args`."""
    return int_url_maker(name, len(args))(*args)
