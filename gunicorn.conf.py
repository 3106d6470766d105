"""gunicorn's settings for the portal: scripts/demo and production read this same file.

Sized for docs/operations.md: behind one TLS reverse proxy, synchronous workers, one request
each. Environment variables adjust it without editing the file.
"""

import os

# scripts/demo binds the loopback; behind a proxy on another host, bind 0.0.0.0:8000 (BIND).
bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# (2 × CPU cores) + 1 is gunicorn's rule of thumb; the demo's two keep memory low.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Longer than the slowest synchronous page (a streamed county export); the proxy waits longer still.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak never grows without bound.
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The proxy's X-Forwarded-* headers are trusted from this address only (docs/operations.md).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (one fixed path per user) is not used, and two servers would share it.
control_socket_disable = True
