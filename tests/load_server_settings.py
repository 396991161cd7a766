"""The load test's server settings: bench/server_settings.py, two costs left out.

- Static files: with DEBUG=0 the portal uses whitenoise's compressed manifest, which needs
  `collectstatic` first (minutes: it compresses every file). The scenario requests no static
  files, so the test's server resolves `{% static %}` without a manifest instead.
- Passwords: the tests hash them with MD5 (tests/conftest.py), so the server checks them so
  too; PBKDF2 would make each sign-in cost a fraction of a second.
"""

from bench.server_settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
