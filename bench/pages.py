"""Time every page type over a real HTTP server, beside a bare Django view in the same run.

Usage (from the repository root; the database must exist, everything else is prepared):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE portal_pagebench"
    .venv/bin/python bench/pages.py [--requests 100] [--pages overview,hanke] [--strict]

1. Prepares the database, each step only when it is not done yet: migrate, `load_demo
   --no-users`, `generate_scale --regions 22 --seed 1`, `recompute_status`; then `ANALYZE`,
   and bench users with a fresh random password (programme viewer, programme admin, and the
   project manager of the biggest hanke).
2. Runs `collectstatic` and starts `gunicorn portal.wsgi` in a subprocess with DEBUG=0, a
   random SECRET_KEY and `DJANGO_SETTINGS_MODULE=bench.server_settings` (the portal's
   settings plus one URL, the bare view).
3. Logs each user in through the login form, warms up, then sends `--requests` rounds of
   sequential GETs, one per page in each round (so slow drifts of the machine hit every page
   alike), timing each with `time.perf_counter` from the request to the last byte.
4. Prints a Markdown table: p50, p95, max, p95 ÷ the bare view's p95, the SQL queries of a
   request (counted in-process with the test client), the response size, and a pass/fail
   per target: p95 at most `RATIO_TARGET` × the bare view's p95 and at most `MS_TARGET` ms.
   Nothing is cached between requests: every request builds its page.

Exits non-zero on a missed target only with `--strict`. To time a new page, add one `Page`
to `PAGES` (and, if it needs another object or user, a field to `World` or a `Persona`).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path

import django
import requests
from django.urls import reverse

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_pagebench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/11"
SERVER_SETTINGS = "bench.server_settings"
SERVER_URLCONF = "bench.server_urls"
RATIO_TARGET = 10.0  # p95 at most 10 × the bare view's p95 (issue #14) ...
MS_TARGET = 200.0  # ... and at most 200 ms
BARE = "bare"
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# --- What is timed ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Persona:
    """A bench user: `programme_role` programme-wide, or `project_role` in the World's hanke."""

    username: str
    programme_role: str | None = None
    project_role: str | None = None


PERSONAS: dict[str, Persona | None] = {
    "anonymous": None,
    "viewer": Persona("bench.viewer", programme_role="viewer"),
    "admin": Persona("bench.admin", programme_role="admin"),
    "manager": Persona("bench.manager", project_role="manager"),
}


@dataclass(frozen=True)
class World:
    """The objects the URLs point at, chosen from the data (`bench.pages_data.find_world`)."""

    hanke: int  # the hanke with the most actions
    action: int  # its first action in page order
    indicator: int  # its indicator with the most measurements
    package: int = 0  # its top-level work package with the most actions (its own and its
    goal: int = 0  # sub-packages'), and its goal with the most actions


@dataclass(frozen=True)
class Page:
    """One page type: `--pages` key, table label, who asks, and the URL.

    `kwargs` maps the URL's keyword arguments to `World` fields, e.g. {"pk": "action"};
    `query` is the query string without "?", `params` adds query parameters from `World`
    fields (e.g. {"paketti": "package"}); `headers` are sent with the request (htmx).
    """

    key: str
    label: str
    persona: str
    url_name: str
    kwargs: dict[str, str] = field(default_factory=dict)
    query: str = ""
    params: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def path(self, world: World) -> str:
        kwargs = {name: getattr(world, attr) for name, attr in self.kwargs.items()}
        path = reverse(self.url_name, kwargs=kwargs, urlconf=SERVER_URLCONF)
        query = [self.query] if self.query else []
        query += [f"{name}={getattr(world, attr)}" for name, attr in self.params.items()]
        return f"{path}?{'&'.join(query)}" if query else path


HANKE, ACTION, INDICATOR = {"project_pk": "hanke"}, {"pk": "action"}, {"pk": "indicator"}
PAGES: list[Page] = [
    Page(BARE, "Bare Django view (yardstick)", "viewer", "bench-bare"),
    Page("login", "Login form, anonymous", "anonymous", "login"),
    Page("home", "Home: regions and hankkeet", "viewer", "home"),
    Page("overview", "Programme overview", "viewer", "reporting:overview"),
    Page("overview-sort", "Overview, by light", "viewer", "reporting:overview", query="sort=all"),
    Page("overview-ht", "Overview, one HT", "viewer", "reporting:overview", query="ht=3"),
    Page("hanke", "Hanke page, packages folded", "manager", "objectives:hanke", HANKE),
    Page(
        "hanke-open",
        "Hanke, one package open",
        "manager",
        "objectives:hanke",
        HANKE,
        params={"paketti": "package"},
    ),
    Page(
        "hanke-open-htmx",
        "Hanke, package opened in place (htmx)",
        "manager",
        "objectives:hanke",
        HANKE,
        params={"paketti": "package"},
        headers={"HX-Request": "true"},
    ),
    Page("hanke-filter", "Hanke, filtered", "manager", "objectives:hanke", HANKE, "ht=2&late=on"),
    Page("hanke-search", "Hanke, search", "manager", "objectives:hanke", HANKE, "q=chat"),
    Page("actions", "Actions table", "manager", "objectives:action-list", HANKE),
    Page("action", "Action page, status form", "manager", "objectives:action-detail", ACTION),
    Page("indicators", "Indicator list", "manager", "measures:indicator-list", HANKE),
    Page("indicator", "Indicator page, chart", "manager", "measures:indicator-detail", INDICATOR),
    Page("goal", "Process goal page", "manager", "objectives:goal-detail", {"pk": "goal"}),
    Page("change-log", "Change log", "admin", "change-log"),
    Page(
        "my-work",
        "My work, the manager's hanke",
        "manager",
        "objectives:my-work",
        query="scope=hanke",
    ),
    Page("compare", "Compare regions, one HT", "viewer", "reporting:compare", query="ht=2"),
]


# --- Command line and Django ------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--pages", help="comma-separated page keys (the bare view is always in)")
    parser.add_argument("--list-pages", action="store_true", help="print the page keys and stop")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers")
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        help="seconds a request may take; also the server's SQL statement_timeout",
    )
    parser.add_argument("--regions", type=int, default=22, help="generate_scale --regions")
    parser.add_argument("--seed", type=int, default=1, help="generate_scale --seed")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a page misses a target")
    args = parser.parse_args(argv)
    if args.requests < 2:
        parser.error("--requests must be at least 2")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must point at PostgreSQL: the targets are for PostgreSQL")
    return args


def select_pages(keys: str | None) -> list[Page]:
    if not keys:
        return list(PAGES)
    by_key = {page.key: page for page in PAGES}
    wanted = [key.strip() for key in keys.split(",") if key.strip()]
    unknown = [key for key in wanted if key not in by_key]
    if unknown:
        sys.exit(f"Unknown page keys {unknown}; known: {', '.join(by_key)}")
    return [by_key[BARE], *(by_key[key] for key in wanted if key != BARE)]


def setup_django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = args.database_url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(REPO_ROOT))
    django.setup()


# --- The server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(args: argparse.Namespace) -> dict[str, str]:
    """Production settings (DEBUG off) over plain HTTP on localhost."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SERVER_SETTINGS,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        # No TLS on localhost: no redirect to https, cookies also sent over http.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
        # A runaway query must not keep the database busy while the next pages are timed.
        "PGOPTIONS": f"-c statement_timeout={int(args.timeout * 1000)}",
    }


@contextmanager
def running_server(args: argparse.Namespace):
    """gunicorn serving the portal on a free port; yields the base URL, stops it after."""
    env = server_env(args)
    manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
    subprocess.run(manage, cwd=REPO_ROOT, env=env, check=True)
    port = free_port()
    command = [
        *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)),
        *("--log-level", "warning", "--timeout", str(int(args.timeout) + 20)),
    ]
    server = subprocess.Popen(command, cwd=REPO_ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(server: subprocess.Popen, base: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with status {server.returncode} (its errors are above)")
        try:
            requests.get(f"{base}/accounts/login/", timeout=timeout)
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    sys.exit(f"gunicorn did not answer on {base} within {timeout:.0f} s")


def log_in(base: str, persona: Persona | None, password: str) -> requests.Session:
    """A session signed in through the login form (CSRF token from the form), or anonymous."""
    session = requests.Session()
    if persona is None:
        return session
    login = f"{base}/accounts/login/"
    match = CSRF_FIELD.search(session.get(login, timeout=10).text)
    if match is None:
        sys.exit("No CSRF token in the login form")
    data = {"username": persona.username, "password": password}
    data["csrfmiddlewaretoken"] = match.group(1)
    response = session.post(login, data=data, allow_redirects=False, timeout=10)
    if response.status_code != 302:
        sys.exit(f"Logging in as {persona.username} failed ({response.status_code})")
    return session


# --- Timing and the report --------------------------------------------------------------------


class PageError(Exception):
    """A request that did not answer 200 in time; the page is reported and timed no more."""


@dataclass
class Timing:
    page: Page
    path: str
    times_ms: list[float] = field(default_factory=list)
    size: int = 0
    queries: str | None = None
    error: str | None = None

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=100, method="inclusive")[94]

    @property
    def max(self) -> float:
        return max(self.times_ms)


def fetch(
    session: requests.Session, url: str, timeout: float, headers: dict[str, str] | None = None
) -> tuple[float, int]:
    """One GET, timed from the call to the last byte of the body; (ms, bytes)."""
    started = time.perf_counter()
    try:
        # A little longer than the server's statement_timeout, so its 500 arrives first.
        response = session.get(url, allow_redirects=False, timeout=timeout + 5, headers=headers)
        body = response.content
    except requests.RequestException as exc:
        raise PageError(f"no answer: {exc.__class__.__name__}") from exc
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise PageError(f"answered {response.status_code} after {elapsed / 1000:.1f} s")
    return elapsed, len(body)


def time_pages(
    base: str, pages: list[Page], world: World, password: str, args: argparse.Namespace
) -> list[Timing]:
    """Warm-up rounds, then timed rounds; each round requests every page once, in order."""
    sessions = {key: log_in(base, persona, password) for key, persona in PERSONAS.items()}
    timings = [Timing(page, page.path(world)) for page in pages]
    for round_ in range(args.warmup + args.requests):
        for timing in timings:
            if timing.error:
                continue
            session = sessions[timing.page.persona]
            try:
                elapsed, timing.size = fetch(
                    session, base + timing.path, args.timeout, timing.page.headers
                )
            except PageError as exc:
                timing.error = str(exc)
                print(f"{timing.page.key}: {exc}; not timed further", file=sys.stderr)
                continue
            if round_ >= args.warmup:
                timing.times_ms.append(elapsed)
    if next(t for t in timings if t.page.key == BARE).error:
        sys.exit("The bare view failed, so nothing can be compared with it.")
    return timings


def verdicts(timing: Timing, bare_p95: float) -> tuple[float, bool, bool]:
    ratio = timing.p95 / bare_p95
    return ratio, ratio <= RATIO_TARGET, timing.p95 <= MS_TARGET


def machine(pg: str) -> str:
    cpu = platform.processor() or platform.machine()
    load = ", ".join(f"{n:.1f}" for n in os.getloadavg())
    return (
        f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, PostgreSQL {pg}; "
        f"load average {load} at the end"
    )


def report(
    timings: list[Timing], args: argparse.Namespace, world: World, pg: str, data: str
) -> bool:
    """Print the header and the Markdown table; True when every page met both targets.
    `pg` is the database server's version, `data` what the data hold."""
    bare_p95 = next(t for t in timings if t.page.key == BARE).p95
    print(f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    print(f"machine: {machine(pg)}")
    print(f"data: {data}")
    print(
        f"objects: hanke {world.hanke}, action {world.action}, indicator {world.indicator}, "
        f"work package {world.package}, goal {world.goal}"
    )
    print(
        f"server: gunicorn portal.wsgi, {args.workers} sync worker(s), DEBUG=0, "
        f"Redis {args.redis_url}; client: requests, sequential, same host"
    )
    print("page cache: none (every request builds its page)")
    print(f"requests: {args.warmup} warm-up + {args.requests} timed per page, interleaved")
    print(f"command: {shlex.join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]])}")
    limit = f"{RATIO_TARGET:g} × bare view p95 ({bare_p95:.1f} ms)"
    print(f"targets: p95 ≤ {limit} and ≤ {MS_TARGET:g} ms")
    print()
    print(
        "| page | address | user | p50 ms | p95 ms | max ms | p95 ÷ bare "
        "| queries | kB "
        f"| ≤ {RATIO_TARGET:g}× bare | ≤ {MS_TARGET:g} ms |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|:-:|:-:|")
    passed = True
    for t in timings:
        start = f"| {t.page.label} | `{t.path}` | {t.page.persona} |"
        if t.error:
            passed = False
            print(f"{start} – | – | – | – | – | – | FAIL | FAIL |")
            continue
        ratio, ratio_ok, ms_ok = verdicts(t, bare_p95)
        passed = passed and ratio_ok and ms_ok
        print(
            f"{start} {t.p50:.1f} | {t.p95:.1f} | {t.max:.1f} | {ratio:.1f} | {t.queries} "
            f"| {t.size / 1024:.0f} | {'pass' if ratio_ok else 'FAIL'} "
            f"| {'pass' if ms_ok else 'FAIL'} |"
        )
    print()
    for t in timings:
        if t.error:
            print(f"- {t.page.key}: {t.error} (limit {args.timeout:g} s); not timed")
    print("all pages met both targets" if passed else "some pages missed a target")
    return passed


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    pages = select_pages(args.pages)
    if args.list_pages:
        for page in PAGES:
            print(f"{page.key:<14} {page.label}")
        return 0
    setup_django(args)
    # The models can be imported only now: Django is set up from this command line.
    from bench import pages_data as data

    for step in data.prepare(args):
        print(f"prepare: {step}", file=sys.stderr)
    world = data.find_world()
    password = secrets.token_urlsafe(24)
    data.ensure_users(world, password)
    with running_server(args) as base:
        timings = time_pages(base, pages, world, password, args)
    queries = data.count_queries([t.page for t in timings if not t.error], world)
    for timing in timings:
        timing.queries = queries.get(timing.page.key)
    passed = report(timings, args, world, data.postgres_version(), data.data_summary())
    return 1 if args.strict and not passed else 0


if __name__ == "__main__":
    sys.exit(main())
