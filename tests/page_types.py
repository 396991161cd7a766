"""Every page type of the portal on the demo data, with a user who sees it (and its forms).

Used by the browser tests that walk all pages (overflow, ARIA references). Call
`page_types()` after the demo is loaded and before Playwright starts: it adds one steering
group meeting to Keski-Pohjanmaa (the demo has none) and looks the addresses up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth import get_user_model

from measures.models import Indicator
from objectives.models import Action
from objectives.models import ProcessGoal
from objectives.models import ReportingPeriod
from projects.models import Project
from projects.models import Risk
from projects.models import SteeringMeeting
from reporting.meetings.services import steering_meeting_create

ADMIN = "ohjelma.admin"
VIEWER = "stm.katselija"
MANAGER = "kp.projektipaallikko"  # Keski-Pohjanmaa: indicators with targets, budget lines
WORKER = "kp.tyontekija"


@dataclass(frozen=True)
class PageType:
    name: str
    path: str
    user: str


def _as(user: str, *pages: tuple[str, str]) -> list[PageType]:
    """The pages (name, path) that `user` opens ("": signed out)."""
    return [PageType(name, path, user) for name, path in pages]


def page_types() -> list[PageType]:
    project = Project.objects.get(region__code="16")
    manager = get_user_model().objects.get(username=MANAGER)
    meeting = SteeringMeeting.objects.filter(project=project).first() or (
        steering_meeting_create(project=project, actor=manager, date=date(2022, 12, 1))
    )
    action = Action.objects.filter(project=project).order_by("id").first()
    goal = ProcessGoal.objects.filter(project=project).order_by("id").first()
    indicator = (
        Indicator.objects.filter(project=project, measurements__isnull=False)
        .distinct()
        .order_by("id")
        .first()
    )
    risk = Risk.objects.filter(project=project).order_by("id").first()
    period = ReportingPeriod.objects.order_by("-cut_off").first()
    hanke = f"/hankkeet/{project.pk}"
    return [
        *_as("", ("login", "/accounts/login/")),
        *_as(
            VIEWER, ("home", "/"), ("overview", "/ohjelma/"), ("compare", "/ohjelma/vertailu/?ht=2")
        ),
        *_as(WORKER, ("my-work", "/oma-tyo/")),
        *_as(
            MANAGER,
            ("hanke", f"{hanke}/"),
            ("hanke-filtered", f"{hanke}/?light=grey"),
            ("actions", f"{hanke}/toimenpiteet/"),
            ("action", f"/toimenpiteet/{action.pk}/"),
            ("goal", f"/tavoitteet/{goal.pk}/"),
            ("indicators", f"{hanke}/mittarit/"),
            ("indicator", f"/mittarit/{indicator.pk}/"),
            ("budget", f"{hanke}/talous/"),
            ("budget-import", f"{hanke}/talous/tuonti/"),
            ("risks", f"{hanke}/riskit/"),
            ("risk", f"/riskit/{risk.pk}/"),
            ("meetings", f"{hanke}/ohjausryhma/"),
            ("meeting", f"{hanke}/ohjausryhma/{meeting.pk}/"),
            ("hanke-rounds", f"{hanke}/raportointi/"),
            ("assessment", f"{hanke}/raportointi/{period.pk}/"),
            ("hanke-round-compare", f"{hanke}/raportointi/vertailu/"),
            ("import", f"{hanke}/tuonti/"),
            ("members", f"{hanke}/jasenet/"),
            ("history", f"/historia/action/{action.pk}/"),
            ("preferences", "/asetukset/"),
            ("password-change", "/accounts/password_change/"),
        ),
        *_as(
            ADMIN,
            ("round-compare", "/ohjelma/kierrokset/vertailu/"),
            ("rounds", "/raportointi/kierrokset/"),
            ("round", f"/raportointi/kierrokset/{period.pk}/"),
            ("round-dashboard", f"/raportointi/{period.pk}/"),
            ("national-extract", "/ohjelma/kansallinen-poiminta/"),
            ("export-jobs", "/viennit/"),
            ("users", "/kayttajat/"),
            ("change-log", "/muutosloki/"),
        ),
    ]
