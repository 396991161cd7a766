"""The deadline-day load scenario (issue #16): readers and writers, driven by `bench/load.py`.

Run by `bench/load.py`, which prepares the data, starts gunicorn and a Celery worker, writes
the plan and reads the results; on its own: `LOAD_PLAN=plan.json LOAD_RESULTS=out.json
locust -f bench/locustfile.py --headless -u 50 -r 10 -t 60s`.

The plan (JSON, `LOAD_PLAN`) names the users of the `generate_scale` data each kind of
simulated user plays, the objects they may read and write, and their session cookies (the
driver signs each of them in once through the login form; a persona without cookies signs
in here, through the same form). Kinds, by weight (30 % write, as in issue #16; the plan's
"weights" may change them):

- `Reader` (6): a member of a hanke reading its pages: the hanke page, goals, actions,
  indicators and the programme overview (their own regions).
- `Ministry` (1): a programme viewer reading the overview and any hanke's page.
- `StatusWriter` (2): a project manager opening an action's page and saving a new status
  through its form (the CSRF token and `expected_version` read from the form), then reading
  the page the save redirects to.
- `ValueWriter` (1): a project worker or manager correcting a month's value of an indicator
  through the indicator page's form (`?period=`), the same way.

Every kind also requests the bare view (`/bench/bare/`, see `bench/server_urls.py`) now and
then, so the yardstick is measured under the same load. A user's first task after signing in
is always the bare view and then its main work (a writer saves once), so even a run of a few
seconds exercises every path. Each request is recorded (name,
seconds since the start, milliseconds, outcome) and every POST with its identifying data
(object, period, the unique token in its comment or note) and answer; `LOAD_RESULTS` gets
them as JSON when the run stops. `bench/load.py` computes the percentiles from these
samples and checks every acknowledged write against the database.
"""

from __future__ import annotations

import html
import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import date
from pathlib import Path

from locust import HttpUser
from locust import between
from locust import events
from locust import task

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_FIELD = re.compile(r'name="expected_version" value="(\d+)"')
VALUE_FIELD = re.compile(r'name="value" value="([^"]*)"')
SELECTED_STATUS = re.compile(r'<option value="([a-z_]+)" selected>')
CONFLICT = 'class="conflict"'
# Statuses a writer may choose; "not reported" cannot follow a recorded status.
STATUSES = ["starting", "in_progress", "done", "cancelled"]
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))
# A request whose answer this file judges itself: no redirect followed, a deadline.
JUDGED = {"allow_redirects": False, "timeout": TIMEOUT, "catch_response": True}

PLAN = json.loads(Path(os.environ["LOAD_PLAN"]).read_text()) if "LOAD_PLAN" in os.environ else {}
WAIT = PLAN.get("wait", [2.0, 8.0])
# How many users of each kind (locust's class weights); a plan may set others ("weights").
WEIGHTS = {"reader": 6, "ministry": 1, "status": 2, "value": 1, **PLAN.get("weights", {})}
_next = {kind: itertools.count() for kind in ("reader", "ministry", "status", "value")}


class Record:
    """What the driver reads back: every request and every write of this process."""

    started = time.monotonic()
    requests: list[list] = []  # [name, seconds since start at the answer, ms, error or ""]
    writes: list[dict] = []


@events.test_start.add_listener
def _on_test_start(environment, **_kwargs):
    Record.started = time.monotonic()


@events.request.add_listener
def _on_request(name, response_time, exception, **_kwargs):
    error = "" if exception is None else str(exception)[:200]
    Record.requests.append([name, time.monotonic() - Record.started, response_time, error])


@events.quitting.add_listener
def _on_quitting(environment, **_kwargs):
    target = os.environ.get("LOAD_RESULTS")
    if target:
        data = {"requests": Record.requests, "writes": Record.writes}
        Path(target).write_text(json.dumps(data))


def _problem(response) -> str:
    """Why an answer is a failure: its status, or no answer at all (timeout, refused)."""
    if response.status_code:
        return f"answered {response.status_code}"
    return f"no answer: {type(response.error).__name__}"


def persona(kind: str) -> dict:
    """The next persona of `kind` in the plan (round robin: users share one if too few)."""
    pool = PLAN["personas"][kind]
    return pool[next(_next[kind]) % len(pool)]


class PortalUser(HttpUser):
    """A signed-in user of the plan; subclasses say which kind and what they do."""

    abstract = True
    kind = ""
    wait_time = between(*WAIT)

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.weight = WEIGHTS[cls.kind]  # how many users of the kind (locust's class weight)

    def on_start(self) -> None:
        self.me = persona(self.kind)
        if self.me.get("cookies"):
            for name, value in self.me["cookies"].items():
                self.client.cookies.set(name, value)
        else:
            self.sign_in()
        self.bare()
        self.first()

    def first(self) -> None:
        """The user's main work, done once right after signing in."""

    def pick(self, key: str):
        """The persona's `key` (a random one of a list), else the plan's (a random one)."""
        value = self.me[key] if key in self.me else PLAN[key]
        return random.choice(value) if isinstance(value, list) else value

    def sign_in(self) -> None:
        page = self.client.get("/accounts/login/", name="login", timeout=TIMEOUT)
        token = CSRF_FIELD.search(page.text).group(1)
        data = {"username": self.me["username"], "password": PLAN["password"]}
        self.client.post(
            "/accounts/login/",
            data={**data, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            timeout=TIMEOUT,
        )

    def page(self, path: str, name: str, **kwargs):
        """GET a page; anything but a 200 answer is a failure of `name`."""
        with self.client.get(path, name=name, **JUDGED, **kwargs) as response:
            if response.status_code != 200:
                response.failure(_problem(response))
            return response

    def post_form(self, path: str, name: str, form_page, data: dict, write: dict) -> None:
        """POST `data` with the form's CSRF token; record the write and its answer."""
        match = CSRF_FIELD.search(form_page.text or "")
        if form_page.status_code != 200 or match is None:
            return  # the form page's failure is already recorded
        write.update(user=self.me["username"], answer="unanswered")
        Record.writes.append(write)
        data["csrfmiddlewaretoken"] = match.group(1)
        headers = {"Referer": self.host + path}
        with self.client.post(path, data=data, name=name, headers=headers, **JUDGED) as response:
            write["status"] = response.status_code
            if response.status_code == 302:
                write["answer"] = "saved"
            elif response.status_code == 200 and CONFLICT in response.text:
                write["answer"] = "conflict"
                response.failure("conflict: someone else saved first")
            else:
                write["answer"] = "refused" if response.status_code else "no answer"
                response.failure(_problem(response))
        if write["answer"] == "saved":
            self.page(response.headers["Location"], name.split(" ")[0])

    @task(1)
    def bare(self) -> None:
        self.page("/bench/bare/", "bare")


def reading(name: str, path: str):
    """A task that GETs `path` as `name`; each `{key}` in it is the persona's `key` (a random
    one of a list) or else the plan's."""

    keys = re.findall(r"{(\w+)}", path)

    def read(user: PortalUser) -> None:
        user.page(path.format(**{key: user.pick(key) for key in keys}), name)

    return read


OWN_HANKE = reading("hanke", "/hankkeet/{hanke}/")
OVERVIEW = reading("overview", "/ohjelma/")


class Reader(PortalUser):
    """A member of a hanke (steering group, worker or manager) reading its pages."""

    kind = "reader"
    first = OWN_HANKE
    tasks = {
        OWN_HANKE: 3,
        OVERVIEW: 2,
        reading("goal", "/tavoitteet/{goals}/"): 2,
        reading("action", "/toimenpiteet/{actions}/"): 2,
        reading("indicator", "/mittarit/{indicators}/"): 2,
    }


class Ministry(PortalUser):
    """A ministry or THL viewer: the programme overview and the hankkeet's pages."""

    kind = "ministry"
    first = OVERVIEW
    tasks = {OVERVIEW: 4, reading("hanke", "/hankkeet/{hankkeet}/"): 3}


class StatusWriter(PortalUser):
    """A project manager saving actions' statuses through the action page's form."""

    kind = "status"
    tasks = {OWN_HANKE: 1}

    def first(self) -> None:
        self.save_status()

    @task(6)
    def save_status(self) -> None:
        action = random.choice(self.me["actions"])
        path = f"/toimenpiteet/{action}/"
        form = self.page(path, "action")
        version = VERSION_FIELD.search(form.text or "")
        if version is None:
            return
        current = SELECTED_STATUS.search(form.text)
        choices = [s for s in STATUSES if current is None or s != current.group(1)]
        token = f"load-{uuid.uuid4().hex}"
        data = {
            "status": random.choice(choices),
            "status_date": date.today().isoformat(),
            "comment": f"Tilanne päivitetty ({token})",
            "expected_version": version.group(1),
        }
        write = {"kind": "status", "action": action, "token": token, "to": data["status"]}
        self.post_form(path, "action save", form, data, write)


class ValueWriter(PortalUser):
    """A project worker correcting a month's indicator value through the indicator page."""

    kind = "value"
    tasks = {reading("indicator list", "/hankkeet/{hanke}/mittarit/"): 1}

    def first(self) -> None:
        self.save_value()

    @task(6)
    def save_value(self) -> None:
        indicator, period = random.choice(self.me["values"])
        path = f"/mittarit/{indicator}/"
        form = self.page(f"{path}?period={period}", "indicator")
        version = VERSION_FIELD.search(form.text or "")
        value = VALUE_FIELD.search(form.text or "")
        if version is None or value is None:
            return
        token = f"load-{uuid.uuid4().hex}"
        data = {
            "period": period,
            "value": html.unescape(value.group(1)),
            "source": "manual",
            "note": f"Korjattu ({token})",
            "reason": "Kuormitustesti",  # a correction of a taken period needs its reason
            "expected_version": version.group(1),
        }
        write = {"kind": "value", "indicator": indicator, "period": period, "token": token}
        self.post_form(path, "indicator save", form, data, write)
