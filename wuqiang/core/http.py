"""Who is on the other end of a request: the one rule for a client's address.

The lockout (django-axes) and the audit log both need the client's address, and both must
agree on it. Directly on the network it is ``REMOTE_ADDR``. Behind the one reverse proxy of
docs/operations.md (``BEHIND_TLS_PROXY=true``) ``REMOTE_ADDR`` is the proxy, so the address is
the last ``X-Forwarded-For`` entry: the one the proxy appended itself. Entries to its left come
from the client and could say anything.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    address = request.META.get("REMOTE_ADDR")
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        last = forwarded.rsplit(",", 1)[-1].strip()
        if last:
            address = last
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None
