"""Settings come from the environment; bad configuration ends in one clear line."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.forms import TextInput
from django.forms.renderers import get_default_renderer
from django.template.backends.jinja2 import Template as Jinja2Template

ROOT = Path(__file__).resolve().parent.parent
CONFIG_VARS = ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _settings_values(*expressions: str, **env: str) -> list[str]:
    """The expressions' values as the settings compute them, all in one `manage.py` process."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps([str(value) for value in ({', '.join(expressions)},)]))"
    )
    result = _manage("shell", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_no_variables_means_sqlite_eager_celery_and_local_cache():
    engine, name, eager, cache, debug = _settings_values(
        "settings.DATABASES['default']['ENGINE']",
        "settings.DATABASES['default']['NAME']",
        "settings.CELERY_TASK_ALWAYS_EAGER",
        "settings.CACHES['default']['BACKEND']",
        "settings.DEBUG",
    )
    assert engine == "django.db.backends.sqlite3"
    assert name == str(ROOT / "db.sqlite3")
    assert eager == "True"
    assert "LocMemCache" in cache
    assert debug == "True"


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/portal",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    engine, eager, broker, cache = _settings_values(
        "settings.DATABASES['default']['ENGINE']",
        "settings.CELERY_TASK_ALWAYS_EAGER",
        "settings.CELERY_BROKER_URL",
        "settings.CACHES['default']['BACKEND']",
        **env,
    )
    assert engine == "django.db.backends.postgresql"
    assert eager == "False"
    assert broker == "redis://127.0.0.1:6379/15"
    assert "RedisCache" in cache


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "not a url"}, "Configuration error: DATABASE_URL cannot be parsed"),
        ({"DEBUG": "0"}, "Configuration error: SECRET_KEY must be set when DEBUG is off"),
        ({"DEBUG": "perhaps"}, "Configuration error: DEBUG='perhaps' is not a boolean"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:1/portal"}, "Database unreachable:"),
    ],
)
def test_bad_configuration_gives_one_clear_line(env, message):
    result = _manage("migrate", "--check", **env)
    assert result.returncode == 2
    assert result.stderr.startswith(message), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_env_example_lists_every_variable_settings_read():
    import re

    names = set(re.findall(r'env_\w+\("([A-Z_]+)"', (ROOT / "portal/settings.py").read_text()))
    names |= set(
        re.findall(r'os\.environ\.get\("([A-Z_]+)"', (ROOT / "portal/settings.py").read_text())
    )
    example = (ROOT / ".env.example").read_text()
    missing = sorted(name for name in names if f"{name}=" not in example)
    assert not missing, f".env.example lacks {missing}"


def test_the_wsgi_application_freezes_what_it_built_at_start():
    # given a server process that loads the application (with no settings: SQLite)
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    code = (
        "import gc, json, sys; import portal.wsgi; "
        "from django.utils.translation import trans_real; "
        "print(json.dumps([gc.get_freeze_count(), sorted(trans_real._translations), "
        "'reporting.urls' in sys.modules]))"
    )
    # when it has started
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    # then the URLs, their views and every language's translations are built, and frozen out
    # of the garbage collector's full collections (docs/performance.md)
    assert result.returncode == 0, result.stderr
    frozen, languages, urls = json.loads(result.stdout.strip().splitlines()[-1])
    assert frozen > 50_000 and urls
    assert {"fi", "sv", "en"} <= set(languages)


def test_widgets_render_with_django_jinja2_templates_and_the_admin_with_its_own():
    # given the portal's form renderer
    renderer = get_default_renderer()
    # then Django's widgets come from its Jinja2 templates, the admin's from Django templates
    assert isinstance(renderer.get_template("django/forms/widgets/input.html"), Jinja2Template)
    assert not isinstance(renderer.get_template("admin/widgets/date.html"), Jinja2Template)
    html = TextInput(attrs={"title": '"x"'}).render("q", "<b>", renderer=renderer)
    assert html == '<input type="text" name="q" value="&lt;b&gt;" title="&#34;x&#34;">'
