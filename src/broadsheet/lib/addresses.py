"""Client addresses, kept only as a keyed hash.

The hash lets moderators and rate limits recognise a repeat visitor without the site ever
storing an IP address; without the secret key it cannot be reversed by trying all four
billion IPv4 addresses.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address, trusting X-Forwarded-For only for the configured proxies."""
    remote = str(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return normalised(remote)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    # Each trusted proxy appends the address it saw; the client is `hops` from the end.
    return normalised(forwarded[-hops] if len(forwarded) >= hops else remote)


def normalised(address: str) -> str:
    """One spelling per address, so one visitor gets one hash: IPv6 compressed and in lower
    case, an IPv4-mapped IPv6 address as IPv4, and the port some proxies append dropped.
    Anything that is not an address is kept as it is."""
    text = address.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return address.strip()
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def address_hash(address: str) -> str:
    if not address:
        return ""
    key = hashlib.sha256(("broadsheet.address:" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, address.encode(), hashlib.sha256).hexdigest()
