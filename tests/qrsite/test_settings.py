"""Settings are fail-closed and production-ready; checked in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    # The test process runs with test overrides in its environment; the child starts from none.
    overridden = ("DJANGO_", "SECRET_", "DEBUG", "SECURE_", "SESSION_", "CSRF_", "ALLOWED_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(overridden)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "qrsite.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_refuses_to_start_without_secret_key_when_debug_is_off():
    result = _manage("check", DEBUG="false", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY="x" * 50,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"


def test_deploy_check_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="production-secret-" + "k" * 50,
        ALLOWED_HOSTS="qr.example.com",
        SHORT_URL_BASE="https://qr.example.com/r/",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
