"""The client's address as the audit log and login throttling record it."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _trusted(address: str, proxies: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    for entry in proxies:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def request_client_ip(request: HttpRequest | None) -> str:
    """REMOTE_ADDR, unless it is a configured trusted proxy: then the nearest untrusted X-Forwarded-For hop.

    Anyone can send X-Forwarded-For; believed from anywhere, it lets an attacker pick the address
    the audit log records and escape login throttling. Read right to left, so an address the
    client prepended itself is never taken while a trusted proxy appended the real one.
    """
    if request is None:
        return ""
    remote = str(request.META.get("REMOTE_ADDR", ""))[:45]
    proxies = list(getattr(settings, "MINZHENG_TRUSTED_PROXIES", []) or [])
    if not proxies or not _trusted(remote, proxies):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            return hop[:45]
    return remote
