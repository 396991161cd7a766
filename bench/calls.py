"""Count the Python calls each page type makes per request: a measure of a page's work that
does not depend on how busy the machine is (bench/pages.py times it, which does).

Usage, on a database that `bench/pages.py` has prepared (its users included):

    .venv/bin/python bench/calls.py --database-url postgres://postgres@127.0.0.1:5432/portal_bench_pages
    .venv/bin/python bench/calls.py --pages overview,hanke-open --by-line

Each page is requested once to warm up, then once with a profile hook that counts every
function call (Python and built-in), split into the template's rendering and the rest (the
view, its selectors and queries, the middleware). `--by-line` adds the template lines that
cost most, each counted exclusive of the lines it contains. The server is Django's test
client in this process, with the settings `bench/pages.py` serves (DEBUG off).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
from collections import Counter
from collections.abc import Callable
from functools import partial
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/portal_pagebench"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/11")
    parser.add_argument("--pages", help="comma-separated page keys of bench/pages.py")
    parser.add_argument("--by-line", action="store_true", help="the costliest template lines")
    return parser.parse_args(argv)


def setup(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(REPO_ROOT))
    os.environ.update(
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_SETTINGS_MODULE="bench.server_settings",
    )
    import django

    django.setup()


class CallCounter:
    """A `sys.setprofile` hook counting calls by phase: the innermost template line being
    rendered (with `by_line`), "template" for any template, else "view"."""

    def __init__(self, *, by_line: bool) -> None:
        self.by_line = by_line
        self.counts: Counter[str] = Counter()
        self.stack = ["view"]

    def hook(self, frame, event, arg) -> None:
        if event in ("call", "c_call"):
            self.counts[self.stack[-1]] += 1

    def install_template_hook(self) -> None:
        """Mark template rendering: per line (each node, which adds a few calls of its own to
        every node) with `by_line`, else the whole template (one wrapper a page)."""
        from django.template import base
        from django.template.backends import django as backend

        counter = self
        if not self.by_line:
            render = backend.Template.render

            def rendered(template, *args, **kwargs):
                counter.stack.append("template")
                try:
                    return render(template, *args, **kwargs)
                finally:
                    counter.stack.pop()

            backend.Template.render = rendered
            return
        render_annotated = base.Node.render_annotated

        def counted(node, context):
            token = getattr(node, "token", None)
            origin = getattr(getattr(node, "origin", None), "template_name", "?")
            counter.stack.append(f"{origin}:{token.lineno if token else 0} {type(node).__name__}")
            try:
                return render_annotated(node, context)
            finally:
                counter.stack.pop()

        base.Node.render_annotated = counted

    def count(self, get: Callable[[], object]) -> Counter[str]:
        self.counts.clear()
        sys.setprofile(self.hook)
        try:
            get()
        finally:
            sys.setprofile(None)
        return Counter(self.counts)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    setup(args)
    from django.contrib.auth import get_user_model
    from django.test import Client

    import bench.pages as bench_pages
    from bench import pages_data

    world = pages_data.find_world()
    pages = bench_pages.select_pages(args.pages)
    counter = CallCounter(by_line=args.by_line)
    counter.install_template_hook()
    clients: dict[str, Client] = {}
    print("| page | calls | ÷ bare | template | view and the rest | kB |")
    print("|---|---:|---:|---:|---:|---:|")
    bare = None
    for page in pages:
        if page.persona not in clients:
            client = clients[page.persona] = Client()
            persona = bench_pages.PERSONAS[page.persona]
            if persona:
                client.force_login(get_user_model().objects.get(username=persona.username))
        client = clients[page.persona]
        headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in page.headers.items()}
        path = page.path(world)
        response = client.get(path, secure=True, **headers)
        if response.status_code != 200:
            sys.exit(f"{page.key}: {path} answered {response.status_code}")
        counts = counter.count(partial(client.get, path, secure=True, **headers))
        total = sum(counts.values())
        bare = bare or total
        view = counts["view"]
        kb = len(response.content) / 1024
        print(f"| {page.key} | {total} | {total / bare:.1f} | {total - view} | {view} | {kb:.0f} |")
        if args.by_line:
            for line, n in counts.most_common(int(os.environ.get("LINES", "12"))):
                print(f"|   {line} | {n} | | | | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
