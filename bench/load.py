"""Deadline-day load: readers and writers at 10, 50 and 100 users, and nothing lost.

Usage (from the repository root; the database must exist, everything else is prepared):

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE portal_loadbench"
    .venv/bin/python bench/load.py [--users 10,50,100] [--duration 60] [--strict]

1. Prepares the database like `bench/pages.py` (migrate, demo data without users,
   `generate_scale --regions 22 --seed 1`, the lights, `ANALYZE`), then the plan: which
   users of the scale data play which part (`bench/locustfile.py`: members reading their
   hanke, project managers saving statuses, workers correcting values, a programme viewer
   reading the overview) with the objects they read and write. The users it picks get one
   fresh random password (stored nowhere).
2. Starts the stack as `docker-compose.yml` runs it: `gunicorn portal.wsgi` with 3 sync
   workers and `DEBUG=0` (`DJANGO_SETTINGS_MODULE=bench.server_settings`: the portal's
   settings plus the bare view), and `celery -A portal worker --concurrency=2` on Redis;
   plain HTTP on 127.0.0.1 only.
3. Signs every persona in once through the login form, then runs locust headless for each
   user count: `--warmup` seconds (not counted) and `--duration` seconds measured.
4. Prints, per user count, p50/p95/p99/max per page type, errors and conflicts, each p95
   divided by the bare view's p95 in the same run, and the write check: every POST that
   was answered "saved" must be in the database (its status update or its value's history
   row, found by the unique token in its comment or note). Finally waits (bounded) for the
   worker to bring every hanke's lights up to date.

Exits non-zero with `--strict` when a run of at most `--goal-users` users misses the goal:
0 errors, every page type's p95 ≤ `--goal-ms`, nothing lost.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import secrets
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.bench_setup import options  # noqa: E402
from bench.pages import CSRF_FIELD  # noqa: E402  (the repository root must be on sys.path first)
from bench.pages import (  # noqa: E402  (the repository root must be on sys.path first)
    SERVER_SETTINGS,
)
from bench.pages import free_port  # noqa: E402  (the repository root must be on sys.path first)
from bench.pages import setup_django  # noqa: E402  (the repository root must be on sys.path first)

if TYPE_CHECKING:  # the annotations only: bench.load_data imports the models
    from bench.load_data import WriteCheck

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_loadbench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
LOCUSTFILE = REPO_ROOT / "bench" / "locustfile.py"
VIEWER = "bench.viewer"
BARE = "bare"
POSTS = ("action save", "indicator save")
FORM_ERRORS = re.compile(r'class="form-errors"[^>]*>(.*?)</div>', re.S)
SAMPLE = 40  # objects of each kind a persona picks from
# The command-line options that running_stack takes as they are.
STACK_OPTIONS = (
    "database_url",
    "redis_url",
    "port",
    "workers",
    "concurrency",
    "timeout",
    "collectstatic",
)
# Users of each kind (locust class weights): 30 % writing, as in issue #16.
WEIGHTS = {"reader": 6, "ministry": 1, "status": 2, "value": 1}


# --- Command line -----------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="10,50,100", help="user counts, one run each")
    parser.add_argument("--duration", type=int, default=60, help="measured seconds per run")
    parser.add_argument("--warmup", type=int, default=10, help="seconds before measuring")
    parser.add_argument("--wait", default="2,8", help="seconds between a user's tasks: min,max")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL)
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (0: a free one)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (compose: 3)")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--timeout", type=float, default=30.0, help="client and gunicorn timeout")
    parser.add_argument("--regions", type=int, default=22, help="generate_scale --regions")
    parser.add_argument("--seed", type=int, default=1, help="generate_scale --seed")
    parser.add_argument("--goal-users", type=int, default=50)
    parser.add_argument("--goal-ms", type=float, default=300.0)
    parser.add_argument("--strict", action="store_true", help="exit 1 when the goal is missed")
    parser.add_argument(
        "--no-collectstatic",
        dest="collectstatic",
        action="store_false",
        help="skip collectstatic (staticfiles/ is current)",
    )
    parser.add_argument(
        "--no-costs",
        dest="costs",
        action="store_false",
        help="skip timing each request type alone after the runs",
    )
    parser.add_argument("--keep", type=Path, help="keep the plan, results and logs here")
    args = parser.parse_args(argv)
    try:
        args.levels = [int(n) for n in args.users.split(",") if n.strip()]
        args.wait_range = [float(s) for s in args.wait.split(",")]
    except ValueError:
        parser.error("--users and --wait take numbers separated by commas")
    if not args.levels or min(args.levels) < 1 or len(args.wait_range) != 2:
        parser.error("--users needs positive counts, --wait two numbers")
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must point at PostgreSQL")
    return args


# --- The plan: who plays which part -----------------------------------------------------------


def trim_plan(plan: dict, users: int) -> None:
    """Keep only the personas `users` simulated users can take (fewer users to sign in)."""
    weights = plan["weights"]
    total = sum(weights.values())
    for kind, pool in plan["personas"].items():
        del pool[math.ceil(users * weights[kind] / total) + 1 :]


def sign_in_all(base: str, plan: dict, timeout: float, threads: int = 3) -> None:
    """Sign every persona in once through the login form; keep its cookies in the plan."""
    people = {p["username"]: p for pool in plan["personas"].values() for p in pool}

    def sign_in(username: str) -> tuple[str, dict]:
        session = requests.Session()
        login = f"{base}/accounts/login/"
        token = CSRF_FIELD.search(session.get(login, timeout=timeout).text).group(1)
        data = {"username": username, "password": plan["password"], "csrfmiddlewaretoken": token}
        answer = session.post(login, data=data, allow_redirects=False, timeout=timeout)
        if answer.status_code != 302:
            problem = FORM_ERRORS.findall(answer.text)
            raise RuntimeError(f"signing in as {username} answered {answer.status_code} {problem}")
        return username, session.cookies.get_dict()

    with ThreadPoolExecutor(threads) as pool:
        cookies = dict(pool.map(sign_in, people))
    for pool_ in plan["personas"].values():
        for persona in pool_:
            persona["cookies"] = cookies[persona["username"]]


# --- The stack --------------------------------------------------------------------------------


def stack_env(database_url: str, redis_url: str | None, settings: str) -> dict[str, str]:
    """docker-compose.yml's settings (DEBUG=0, Redis broker) over plain HTTP on loopback."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


@contextmanager
def running_stack(
    *,
    database_url: str,
    redis_url: str | None,
    port: int = 0,
    workers: int = 3,
    concurrency: int = 2,
    timeout: float = 30.0,
    logs: Path,
    settings: str = SERVER_SETTINGS,
    collectstatic: bool = True,
    worker: bool = True,
):
    """gunicorn (+ a Celery worker when there is a broker and `worker`); yields the base URL.

    `collectstatic` first (with DEBUG=0 whitenoise's compressed manifest: minutes on a busy
    machine, so `--no-collectstatic` skips it when `staticfiles/` is current).
    """
    env = stack_env(database_url, redis_url, settings)
    if collectstatic:
        manage = [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"]
        subprocess.run(manage, cwd=REPO_ROOT, env=env, check=True)
    port = port or free_port()
    web = [
        *(sys.executable, "-m", "gunicorn", "portal.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--workers", str(workers)),
        *("--timeout", str(int(timeout)), "--access-logfile", str(logs / "access.log")),
    ]
    processes = [_start(web, env, logs / "gunicorn.log")]
    if redis_url and worker:
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker"]
        command += ["--loglevel=WARNING", f"--concurrency={concurrency}", "-n", f"load-{port}@%h"]
        processes.append(_start(command, env, logs / "worker.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(processes[0], base)
        yield base
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _start(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)


def _wait_until_up(server: subprocess.Popen, base: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {server.returncode}")
        try:
            requests.get(f"{base}/accounts/login/", timeout=timeout)
            return
        except requests.RequestException:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer on {base} within {timeout:.0f} s")


# --- One run ----------------------------------------------------------------------------------


def run_locust(
    base: str, plan: dict, users: int, seconds: int, workdir: Path, spawn_seconds: float = 5.0
) -> dict:
    """Run the locustfile headless for `seconds` with `users` users; return its records."""
    plan_file, results = workdir / f"plan-{users}.json", workdir / f"results-{users}.json"
    plan_file.write_text(json.dumps(plan))
    command = [
        *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
        *("--host", base, "-u", str(users), "-r", f"{max(1.0, users / spawn_seconds):g}"),
        *("-t", f"{seconds}s", "--stop-timeout", "30", "--only-summary"),
        *("--loglevel", "WARNING", "--exit-code-on-error", "0"),
    ]
    env = {**os.environ, "LOAD_PLAN": str(plan_file), "LOAD_RESULTS": str(results)}
    with (workdir / f"locust-{users}.log").open("wb") as log:
        subprocess.run(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=log, check=True)
    return json.loads(results.read_text())


@dataclass
class PageStats:
    name: str
    times: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conflicts: int = 0

    def percentile(self, n: int) -> float:
        if len(self.times) < 2:
            return self.times[0] if self.times else float("nan")
        return statistics.quantiles(self.times, n=100, method="inclusive")[n - 1]


def page_stats(records: dict, warmup: float) -> dict[str, PageStats]:
    """Per request name, the samples answered after the warm-up (sign-ins left out)."""
    stats: dict[str, PageStats] = {}
    for name, at, ms, error in records["requests"]:
        if at < warmup or name == "login":
            continue
        entry = stats.setdefault(name, PageStats(name))
        entry.times.append(ms)
        if error.startswith("conflict"):
            entry.conflicts += 1
        elif error:
            entry.errors.append(error)
    return stats


@dataclass
class Run:
    users: int
    stats: dict[str, PageStats]
    writes: WriteCheck
    load: str
    seconds: float = 1.0  # measured

    def rate(self, names=None) -> float:
        """Answers per second in the measured time (of the request names given, or all)."""
        counted = [s for n, s in self.stats.items() if names is None or n in names]
        return sum(len(s.times) for s in counted) / self.seconds

    @property
    def bare_p95(self) -> float:
        return self.stats[BARE].percentile(95) if BARE in self.stats else float("nan")

    def goal_met(self, goal_ms: float) -> bool:
        pages = self.stats.values()
        return (
            all(not s.errors and s.percentile(95) <= goal_ms for s in pages)
            and not self.writes.lost
            and bool(pages)
        )


# --- The report -------------------------------------------------------------------------------


ORDER = ["bare", "overview", "hanke", "goal", "action", "indicator", "indicator list", *POSTS]


def report_run(run: Run, goal_ms: float) -> list[str]:
    lines = [
        f"### {run.users} users",
        "",
        f"load average at the end of the run: {run.load}; offered: {run.rate():.1f} requests/s, "
        f"{run.rate(POSTS):.2f} saves/s ({run.rate(POSTS) * 3600:.0f} an hour)",
        "",
        "| page | requests | p50 ms | p95 ms | p99 ms | max ms | p95 ÷ bare | errors | conflicts |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    names = sorted(run.stats, key=lambda n: (ORDER.index(n) if n in ORDER else len(ORDER), n))
    for name in names:
        s = run.stats[name]
        p95 = s.percentile(95)
        lines.append(
            f"| {name} | {len(s.times)} | {s.percentile(50):.0f} | {p95:.0f} "
            f"| {s.percentile(99):.0f} | {max(s.times):.0f} | {p95 / run.bare_p95:.1f} "
            f"| {len(s.errors)} | {s.conflicts} |"
        )
    w = run.writes
    lines += [
        "",
        f"writes answered saved: {w.saved}, found in the database: {w.found}, lost: {len(w.lost)}"
        f"; not answered saved: {w.unacknowledged} ({w.unacknowledged_in_db} of them stored)",
    ]
    errors = sorted({e for s in run.stats.values() for e in s.errors})
    lines += [f"- error: {e}" for e in errors[:10]]
    lines += [f"- lost: {json.dumps(write)}" for write in w.lost[:10]]
    verdict = "met" if run.goal_met(goal_ms) else "missed"
    lines += ["", f"goal (0 errors, every p95 ≤ {goal_ms:g} ms, nothing lost): {verdict}", ""]
    return lines


def header(args: argparse.Namespace, plan: dict, load_before: str, pg: str, held: str) -> list[str]:
    """The report's first lines; `pg` is the database server's version, `held` what the data
    hold (`bench.pages_data.data_summary`)."""
    counts = {kind: len(pool) for kind, pool in plan["personas"].items()}
    cpu = platform.processor() or platform.machine()
    return [
        f"date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
        f"PostgreSQL {pg}; load average before: {load_before}",
        f"data: {held}",
        f"personas signed in (per kind): {counts}",
        f"stack: gunicorn portal.wsgi, {args.workers} sync workers, DEBUG=0; Celery worker "
        f"--concurrency={args.concurrency} on {args.redis_url}; client: locust on the same host",
        f"users: Reader 6 : Ministry 1 : StatusWriter 2 : ValueWriter 1 (30 % writing), "
        f"{args.wait_range[0]:g}–{args.wait_range[1]:g} s between a user's tasks",
        f"each run: {args.warmup} s warm-up (not counted) + {args.duration} s measured",
        f"command: {shlex.join(['bench/load.py', *sys.argv[1:]])}",
        "",
    ]


def _load() -> str:
    return ", ".join(f"{n:.1f}" for n in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # This process times requests alone too (`request_costs`): with the server's settings.
    os.environ.update(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), SECURE_SSL_REDIRECT="0")
    setup_django(args)
    # The models can be imported only now: Django is set up from this command line.
    from bench import load_data as data
    from bench import pages_data

    for step in pages_data.prepare(args):
        print(f"prepare: {step}", file=sys.stderr)
    data.purge_queue()
    load_before = _load()
    plan = data.build_plan(secrets.token_urlsafe(24), args.wait_range)
    trim_plan(plan, max(args.levels))
    data.set_passwords(plan)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="portal-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    runs = []
    stack = running_stack(logs=workdir, **options(args, *STACK_OPTIONS))
    with stack as base:
        sign_in_all(base, plan, args.timeout)
        for users in args.levels:
            print(f"running {users} users for {args.warmup + args.duration} s", file=sys.stderr)
            records = run_locust(base, plan, users, args.warmup + args.duration, workdir)
            runs.append(
                Run(
                    users,
                    page_stats(records, args.warmup),
                    data.check_writes(records["writes"]),
                    _load(),
                    args.duration,
                )
            )
        dirty, waited = data.wait_for_lights()
    lines = header(args, plan, load_before, data.postgres_version(), pages_data.data_summary())
    if args.costs:
        lines += data.request_costs(plan)
    for run in runs:
        lines += report_run(run, args.goal_ms)
    lines.append(f"hankkeet whose lights were still out of date {waited:.0f} s after: {dirty}")
    lines.append(f"logs and raw results: {workdir}")
    print("\n".join(lines))
    missed = [r for r in runs if r.users <= args.goal_users and not r.goal_met(args.goal_ms)]
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
