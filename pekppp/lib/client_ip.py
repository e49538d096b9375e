"""The address a request came from, trusting X-Forwarded-For only as far as our own proxies."""

import ipaddress
from collections.abc import Mapping


def client_ip(meta: Mapping[str, str], trusted_proxies: int = 0) -> str | None:
    """The client's address from a request's META.

    With no trusted proxy the peer address (REMOTE_ADDR) is the client. Behind
    `trusted_proxies` reverse proxies that each append the address they saw to
    X-Forwarded-For, the client is the entry the outermost of them appended, counted from the
    right: anything further left was sent by the client and may be forged. A header shorter
    than the number of proxies, or an entry that is not an address, was not written by our
    proxies, so the peer address is used.
    """
    remote = meta.get("REMOTE_ADDR") or None
    if trusted_proxies <= 0:
        return remote
    chain = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    if len(chain) < trusted_proxies:
        return remote
    candidate = chain[-trusted_proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
