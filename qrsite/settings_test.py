"""Test overrides only; everything else comes from settings.py and the environment."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
# The browser tests talk plain HTTP to the live server.
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")

from qrsite.settings import *  # noqa: F403
from qrsite.settings import REDIS_URL

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Unit tests call task functions directly or run them eagerly; the worker integration test
# switches this off for its own calls.
CELERY_TASK_ALWAYS_EAGER = True
# Scans are written by the request's own thread, so a test sees them at once (the sender
# threads have tests of their own).
SCAN_LINGER_SECONDS = 0
# Each test starts with an empty cache; with a real Redis, tests get their own key prefix.
CACHES = {
    "default": {
        "BACKEND": "qrsite.cache.ReusingRedisCache",
        "LOCATION": REDIS_URL,
        # Parallel test workers share the Redis server, never each other's entries.
        "KEY_PREFIX": f"qrsite-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}",
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# An in-memory SQLite test database is one connection shared by the test thread and the live
# server's request threads (browser tests); concurrent requests then wait on each other forever.
# A file gives each thread its own connection.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # One file per test process: parallel workers, and two runs at once, never share one.
    # WAL, IMMEDIATE transactions and the busy timeout come from settings.py, as in production.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(Path(tempfile.gettempdir()) / f"qrsite-test-{os.getpid()}.sqlite3")
    }
