"""The test suite's overrides of ``wuqiang.settings``: production settings, minus what a
plain-HTTP test client and an unbuilt static directory cannot use.

Everything else stays as production has it (DEBUG off, lockout, password rules, no-store,
idle timeout), so the tests exercise what operators run.
"""

import os

# A fresh clone has no .secret_key until scripts/test makes one; tests need no real secret.
os.environ.setdefault("SECRET_KEY", "test-only-" + "not-a-secret-" * 4)

from wuqiang.settings import *  # noqa: E402,F403
from wuqiang.settings import STORAGES  # noqa: E402

# The test client and the browser tests' live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0

# No collectstatic before tests: read static files from the source tree, not a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

# Most tests sign in as municipal staff or admins without a second factor; the MFA tests turn
# this on (tests/security/test_mfa.py).
REQUIRE_MFA = False
