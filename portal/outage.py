"""One log line per outage, not a traceback per request.

When the database, the cache or the broker is down, every request (and every health check)
meets the same failure. `outages.failed(component, exc)` logs the first one as a single
warning line with the error's class and text; later failures of the same component are
logged at DEBUG only, with a reminder line every REMINDER_SECONDS while it lasts.
`outages.recovered(component)` logs one line when it works again. The state is per process
(each gunicorn worker logs its own first line).
"""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("portal.outage")

REMINDER_SECONDS = 600.0


class OutageLog:
    def __init__(self, reminder_seconds: float = REMINDER_SECONDS):
        self.reminder_seconds = reminder_seconds
        self._lock = threading.Lock()
        self._down: dict[str, tuple[float, float]] = {}  # component → (since, last logged)

    def failed(self, component: str, exc: BaseException | str) -> None:
        now = time.monotonic()
        detail = exc if isinstance(exc, str) else summary(exc)
        with self._lock:
            since, logged = self._down.get(component, (now, 0.0))
            first = component not in self._down
            remind = not first and now - logged >= self.reminder_seconds
            self._down[component] = (since, now if first or remind else logged)
        if first:
            logger.warning("%s unavailable: %s", component, detail)
        elif remind:
            logger.warning("%s still unavailable (%.0f s): %s", component, now - since, detail)
        else:
            logger.debug("%s unavailable: %s", component, detail)

    def recovered(self, component: str) -> None:
        with self._lock:
            state = self._down.pop(component, None)
        if state is not None:
            logger.warning(
                "%s available again after %.0f s", component, time.monotonic() - state[0]
            )

    def is_down(self, component: str) -> bool:
        return component in self._down


def summary(exc: BaseException) -> str:
    """The error's class and the first line of its text, short (for a log line)."""
    lines = str(exc).strip().splitlines()
    text = lines[0] if lines else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


outages = OutageLog()
