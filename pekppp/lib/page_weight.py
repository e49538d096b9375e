"""What a page weighs on the wire: its HTML compressed as the reverse proxy compresses it, and
the assets it references. No Django: the bench and the tests read the files themselves."""

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

# nginx's gzip_comp_level when deploy/nginx.conf does not set one.
NGINX_DEFAULT_GZIP_LEVEL = 1


def nginx_gzip_level(conf: str) -> int:
    """The compression level an nginx configuration gives its responses."""
    found = re.search(r"^\s*gzip_comp_level\s+(\d+)\s*;", conf, re.MULTILINE)
    return int(found.group(1)) if found else NGINX_DEFAULT_GZIP_LEVEL


def gzip_size(data: bytes, level: int) -> int:
    """Bytes of `data` gzipped at `level` (the header included, as on the wire). mtime=0 keeps
    the result the same on every run."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


class _Assets(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "link" and values.get("href"):
            rel = (values.get("rel") or "").lower().split()
            if {"stylesheet", "icon", "preload", "modulepreload", "manifest"} & set(rel):
                self.found.append(values["href"])
        elif tag in ("script", "img", "source", "iframe", "embed") and values.get("src"):
            self.found.append(values["src"])

    handle_startendtag = handle_starttag


def referenced_assets(html: str) -> list[str]:
    """The addresses a browser fetches to show this page (stylesheets, icons, scripts,
    images), each once, in the order the page names them."""
    parser = _Assets()
    parser.feed(html)
    parser.close()
    return list(dict.fromkeys(parser.found))


def stylesheet_urls(css: str) -> list[str]:
    """The addresses a stylesheet makes the browser fetch: `url(...)` and `@import`, in order,
    each once (data: addresses are part of the sheet itself and left out)."""
    found = re.findall(r"""(?:url\(\s*|@import\s+)["']?([^"')\s;]+)""", css)
    return list(dict.fromkeys(u for u in found if not u.startswith("data:")))


@dataclass(frozen=True, slots=True)
class Asset:
    url: str
    raw: int  # bytes
    compressed: int  # bytes gzipped at the level asked for


def page_assets(html: str, read: Callable[[str], bytes], level: int) -> list[Asset]:
    """Every asset a browser fetches to show the page: those the HTML names, and what its
    stylesheets name in turn. `read(url)` gives an asset's bytes."""
    found: dict[str, Asset] = {}
    pending = referenced_assets(html)
    while pending:
        url = pending.pop(0)
        if url in found:
            continue
        data = read(url)
        found[url] = Asset(url, len(data), gzip_size(data, level))
        if url.split("?")[0].endswith(".css"):
            pending += [urljoin(url, u) for u in stylesheet_urls(data.decode("utf-8"))]
    return list(found.values())
