"""Rendered page fragments cached until the data under them changes.

The dashboards (overview, hanke page, lists) are read far more often than the data changes,
and rendering them costs tens of milliseconds at national scale. Their main part is wrapped
in `{% cache PAGE_CACHE_SECONDS "name" cache_key %}`, and the view hands the template lazy
objects, so a cache hit runs neither the selectors nor the template of that part.

When is a fragment stale? Rather than tracking which write touches which page (easy to get
wrong), there is one **data version**: a counter in the shared cache (Redis), bumped by every
INSERT, UPDATE or DELETE that any process sends to the database, seen by a wrapper that is
installed on every database connection (`install`). Bulk writes, `QuerySet.update()`, raw
SQL, the admin, Celery jobs and management commands are all covered, because the wrapper
sits below the ORM. Every fragment key contains the version, so a write makes every older
fragment unreachable (Redis drops them after their timeout).

A write outside a transaction bumps the version at once. Inside one, other connections see
the rows only when it commits, so the bump is registered with `on_commit` (once per atomic
block); a fragment that another request builds from the old rows before the commit is
stored under the old version and so dropped by that bump. The writing connection itself
sees its rows at once: it marks itself dirty, and its next `data_version()` bumps first.

Writes that change no cached page are ignored: sessions and the login-attempt log (axes),
so that signing in does not empty the cache, and the rows of background jobs, whose
progress would otherwise empty it twice a second during an export.

A key also carries the page's address with the query parameters it reads, the language,
the date (lights and "late" depend on it) and the reader's access
(`projects.access.access_key`): readers with the same access share a fragment, everyone
else has their own.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.shortcuts import render as django_render
from django.utils import timezone, translation

log = logging.getLogger(__name__)

VERSION_KEY = "page-cache:data-version"
_WRITE = re.compile(
    r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?(\w+)"?', re.I
)
# Sessions, login attempts, background job rows (progress is written up to twice a second)
# and the sent-mail log: none of the cached pages shows them.
IGNORED_TABLES = (
    "django_session",
    "axes_",
    "portal_job",
    "portal_sentmail",
    "reporting_exportjob",
    "reporting_importjob",
)


def is_tracked_write(sql: str) -> bool:
    """Does this SQL statement change data that a page shows?"""
    match = _WRITE.match(sql)
    return bool(match) and not match.group(1).lower().startswith(IGNORED_TABLES)


def data_version() -> int:
    """The current version; first bumped if this thread's own transaction wrote meanwhile."""
    own = connections[DEFAULT_DB_ALIAS]
    if getattr(own, "_page_cache_dirty", False):
        own._page_cache_dirty = False
        bump()
    try:
        version = cache.get(VERSION_KEY)
    except Exception:  # the cache is down: no fragment can be trusted or stored
        log.warning("page cache: cannot read the data version", exc_info=True)
        return -1
    return int(version or 0)


def bump() -> None:
    try:
        if not cache.add(VERSION_KEY, 1, timeout=None):
            cache.incr(VERSION_KEY)
    except ValueError:  # expired between add and incr
        cache.add(VERSION_KEY, 1, timeout=None)
    except Exception:
        log.warning("page cache: cannot bump the data version", exc_info=True)


def _note_write(connection) -> None:
    if not connection.in_atomic_block:
        bump()  # committed already
        return
    # Other connections see the write only once it commits: bump then. Until then only this
    # connection sees it, and data_version() bumps first when this thread reads a page.
    connection._page_cache_dirty = True
    block = connection.atomic_blocks[-1] if connection.atomic_blocks else None
    if block is None or getattr(connection, "_page_cache_block", None) is not block:
        connection._page_cache_block = block
        transaction.on_commit(bump, using=connection.alias)


def _wrapper_for(connection):
    def wrapper(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if isinstance(sql, str) and is_tracked_write(sql):
            _note_write(connection)
        return result

    return wrapper


def install(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: watch the new connection's writes."""
    if not any(getattr(w, "_page_cache", False) for w in connection.execute_wrappers):
        wrapper = _wrapper_for(connection)
        wrapper._page_cache = True
        connection.execute_wrappers.append(wrapper)


@dataclass
class Fragment:
    """What `{% pagecache fragment %}` needs: how to build the part's context, and where to
    keep its rendering for how long (`key` None: build and render every time). `built` is
    what `build()` gave when it ran (tests read it; empty on a cache hit)."""

    build: Callable[[], dict]
    key: str | None = None
    seconds: int = 0
    built: dict = field(default_factory=dict)


def fragment(request, page: str, access: str, build: Callable[[], dict], params=()) -> Fragment:
    """The cache slot of one page's main part for this request.

    `params`: the query parameters the part depends on; others (a tracking tag, junk) do
    not make a new copy, so an address cannot fill the cache with renderings of one page.
    """
    return _slot(request, page, data_version(), access, build, params)


def fragments(request, access: str, builds: dict[str, Callable[[], dict]], params=()) -> dict:
    """Several parts of one page, {page: build} → {page: slot}, reading the version once."""
    version = data_version()
    return {
        page: _slot(request, page, version, access, build, params) for page, build in builds.items()
    }


def _slot(request, page: str, version: int, access: str, build, params) -> Fragment:
    if version < 0 or not settings.PAGE_CACHE_SECONDS:
        return Fragment(build)
    query = sorted((k, v) for k in params for v in request.GET.getlist(k))
    raw = "|".join(
        [
            page,
            str(version),
            translation.get_language() or "",
            timezone.localdate().isoformat(),
            access,
            request.path,
            repr(query),
        ]
    )
    digest = hashlib.sha256(raw.encode()).hexdigest()
    return Fragment(build, f"page-cache:{page}:{digest}", settings.PAGE_CACHE_SECONDS)


def remember(name: str, build: Callable[[], object]):
    """`build()`'s value (picklable), kept under this data version and date like a fragment.

    For small reads that every page repeats (the reader's roles); built every time when the
    cache is off or down.
    """
    version = data_version()
    if version < 0 or not settings.PAGE_CACHE_SECONDS:
        return build()
    key = f"page-cache:{name}:{version}:{timezone.localdate().isoformat()}"
    try:
        value = cache.get(key)
    except Exception:
        log.warning("page cache: cannot read a value", exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.warning("page cache: cannot store a value", exc_info=True)
    return value


def fragment_get(slot: Fragment) -> str | None:
    if slot.key is None:
        return None
    try:
        return cache.get(slot.key)
    except Exception:
        log.warning("page cache: cannot read a fragment", exc_info=True)
        return None


def fragment_set(slot: Fragment, html: str) -> None:
    if slot.key is None:
        return
    try:
        cache.set(slot.key, html, timeout=slot.seconds)
    except Exception:
        log.warning("page cache: cannot store a fragment", exc_info=True)


def render(request, template: str, *, page: str, access: str, build, params=(), context=None):
    """`django.shortcuts.render` for a page whose main part is `{% pagecache fragment %}`.

    `build()` returns that part's context; it runs only when the part is not cached.
    """
    full = dict(context or {})
    full["fragment"] = fragment(request, page, access, build, params)
    return django_render(request, template, full)
