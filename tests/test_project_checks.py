"""Repository-wide checks that CI runs as part of the suite: lint, migrations, deploy, compose."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _run(args: list[str], env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        args,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def test_ruff_finds_nothing():
    result = _run([str(BIN / "ruff"), "check", "."])
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_are_in_step_with_models():
    result = _run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"])
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_checks_pass_with_production_like_variables():
    env = {
        "DEBUG": "0",
        "SECRET_KEY": "x7!q" + "k" * 30 + "Zp2#m9Lr4tVw8Yb1Nc6Hd3Jf5Gs0",
        "ALLOWED_HOSTS": "portaali.example.fi",
        "CSRF_TRUSTED_ORIGINS": "https://portaali.example.fi",
        "SECURE_HSTS_PRELOAD": "1",
    }
    result = _run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_docker_compose_file_is_valid():
    tool = shutil.which("docker-compose")
    if tool is None:
        pytest.skip("docker-compose (Debian package) is not installed; make test installs it")
    result = _run(
        [tool, "-f", "docker-compose.yml", "config", "-q"],
        {"SECRET_KEY": "compose-validation-only", "POSTGRES_PASSWORD": "x"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
