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
        PageType("login", "/accounts/login/", ""),
        PageType("home", "/", VIEWER),
        PageType("overview", "/ohjelma/", VIEWER),
        PageType("compare", "/ohjelma/vertailu/?ht=2", VIEWER),
        PageType("round-compare", "/ohjelma/kierrokset/vertailu/", ADMIN),
        PageType("hanke", f"{hanke}/", MANAGER),
        PageType("hanke-filtered", f"{hanke}/?light=grey", MANAGER),
        PageType("actions", f"{hanke}/toimenpiteet/", MANAGER),
        PageType("action", f"/toimenpiteet/{action.pk}/", MANAGER),
        PageType("goal", f"/tavoitteet/{goal.pk}/", MANAGER),
        PageType("indicators", f"{hanke}/mittarit/", MANAGER),
        PageType("indicator", f"/mittarit/{indicator.pk}/", MANAGER),
        PageType("my-work", "/oma-tyo/", WORKER),
        PageType("budget", f"{hanke}/talous/", MANAGER),
        PageType("budget-import", f"{hanke}/talous/tuonti/", MANAGER),
        PageType("risks", f"{hanke}/riskit/", MANAGER),
        PageType("risk", f"/riskit/{risk.pk}/", MANAGER),
        PageType("meetings", f"{hanke}/ohjausryhma/", MANAGER),
        PageType("meeting", f"{hanke}/ohjausryhma/{meeting.pk}/", MANAGER),
        PageType("hanke-rounds", f"{hanke}/raportointi/", MANAGER),
        PageType("assessment", f"{hanke}/raportointi/{period.pk}/", MANAGER),
        PageType("hanke-round-compare", f"{hanke}/raportointi/vertailu/", MANAGER),
        PageType("import", f"{hanke}/tuonti/", MANAGER),
        PageType("members", f"{hanke}/jasenet/", MANAGER),
        PageType("rounds", "/raportointi/kierrokset/", ADMIN),
        PageType("round", f"/raportointi/kierrokset/{period.pk}/", ADMIN),
        PageType("round-dashboard", f"/raportointi/{period.pk}/", ADMIN),
        PageType("national-extract", "/ohjelma/kansallinen-poiminta/", ADMIN),
        PageType("export-jobs", "/viennit/", ADMIN),
        PageType("users", "/kayttajat/", ADMIN),
        PageType("change-log", "/muutosloki/", ADMIN),
        PageType("history", f"/historia/action/{action.pk}/", MANAGER),
        PageType("preferences", "/asetukset/", MANAGER),
        PageType("password-change", "/accounts/password_change/", MANAGER),
    ]
