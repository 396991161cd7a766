"""factory_boy factories for the domain (HackSoft style): valid objects with minimal input."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

import factory
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from objectives.models import Action
from objectives.models import BenefitTarget
from objectives.models import ProcessGoal
from objectives.models import ReportingPeriod
from projects.models import Membership
from projects.models import Organisation
from projects.models import Programme
from projects.models import ProgrammeRole
from projects.models import Project
from projects.models import Region
from projects.models import WorkPackage


def recorded_on(day: date):
    """`with recorded_on(date(2023, 2, 1)):` what is saved inside is recorded on that day
    (noon in the portal's time zone): created_at, the history rows' dates, status updates.
    The past-date reads (measures.history) see it from that day on."""
    moment = datetime.combine(day, time(12), tzinfo=timezone.get_default_timezone())
    return time_machine.travel(moment, tick=False)


def _month_end_after(day: date) -> date:
    """The last day of the month after `day`'s (a round is due a month after its cut-off)."""
    next_month = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return (next_month + timedelta(days=32)).replace(day=1) - timedelta(days=1)


PASSWORD = "salasana-testi-123"  # every UserFactory user's


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Testi"
    last_name = factory.Sequence(lambda n: f"Käyttäjä{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.invalid")
    password = factory.django.Password(PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"9{n:02d}")
    name_fi = factory.Sequence(lambda n: f"Testimaakunta {n}")
    name_sv = factory.Sequence(lambda n: f"Testlandskap {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name_fi = factory.Sequence(lambda n: f"Testikunta {n}")
    kind = "municipality"


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("name_fi",)

    name_fi = "Tulevaisuuden sosiaali- ja terveyskeskus -ohjelma"
    start_date = date(2020, 1, 1)
    end_date = date(2025, 12, 31)


class ProjectFactory(factory.django.DjangoModelFactory):
    """A hanke running 1.4.2020–31.12.2023, within the programme's 2020–2025: the tests of
    values outside the hanke's period count on these dates."""

    class Meta:
        model = Project

    programme = factory.SubFactory(ProgrammeFactory)
    region = factory.SubFactory(RegionFactory)
    name_fi = factory.Sequence(lambda n: f"Testihanke {n}")
    coordinator = factory.SubFactory(OrganisationFactory)
    start_date = date(2020, 4, 1)
    end_date = date(2023, 12, 31)


class WorkPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPackage

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"TP{n}")
    name_fi = factory.Sequence(lambda n: f"Työpaketti {n}")


def _benefit_targets(row, create, extracted, **kwargs):
    """`hts=[1, 3]`: the row is tagged with those benefit targets (HT), by number."""
    if extracted:
        row.benefit_targets.set(BenefitTarget.objects.filter(number__in=extracted))


class _InWorkPackageFactory(factory.django.DjangoModelFactory):
    """A row of a work package (a new one unless given), in the package's hanke;
    `hts=[...]` tags it with benefit targets."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    work_package = factory.SubFactory(WorkPackageFactory)
    project = factory.SelfAttribute("work_package.project")
    hts = factory.PostGeneration(_benefit_targets)


class ProcessGoalFactory(_InWorkPackageFactory):
    class Meta:
        model = ProcessGoal

    number = factory.Sequence(lambda n: f"P{n}")
    title_fi = factory.Sequence(lambda n: f"Prosessitavoite {n}")


class ActionFactory(_InWorkPackageFactory):
    class Meta:
        model = Action

    number = factory.Sequence(lambda n: str(n))
    title_fi = factory.Sequence(lambda n: f"Toimenpide {n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    """`targets={date: value}` and `measurements={period: value}` give it targets and
    (manual) values as well; `hts=[...]` tags it with benefit targets."""

    class Meta:
        model = Indicator
        skip_postgeneration_save = True

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"I{n}")
    name_fi = factory.Sequence(lambda n: f"Mittari {n}")
    unit = "percent"

    hts = factory.PostGeneration(_benefit_targets)

    @factory.post_generation
    def targets(indicator, create, extracted, **kwargs):
        for target_date, value in (extracted or {}).items():
            TargetFactory(indicator=indicator, target_date=target_date, value=value)

    @factory.post_generation
    def measurements(indicator, create, extracted, **kwargs):
        for period, value in (extracted or {}).items():
            MeasurementFactory(indicator=indicator, period=period, value=value)


class _OfIndicatorFactory(factory.django.DjangoModelFactory):
    """A value of an indicator (a new one unless given)."""

    class Meta:
        abstract = True

    indicator = factory.SubFactory(IndicatorFactory)


class TargetFactory(_OfIndicatorFactory):
    class Meta:
        model = Target

    target_date = date(2023, 12, 31)
    value = 90


class MeasurementFactory(_OfIndicatorFactory):
    class Meta:
        model = Measurement

    period = date(2022, 12, 31)
    value = 50
    source = "manual"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    project = factory.SubFactory(ProjectFactory)
    role = "worker"


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    user = factory.SubFactory(UserFactory)
    role = "viewer"


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Väliarviointi {n}")
    cut_off = date(2022, 9, 30)
    due_date = factory.LazyAttribute(lambda period: _month_end_after(period.cut_off))


def programme_admin(**user_fields):
    """A user with the programme admin role: may write anything (services check roles)."""
    return ProgrammeRoleFactory(user=UserFactory(**user_fields), role="admin").user


def member(username: str, project, role: str, *, region=None, **user_fields):
    """The user `username` (made unless there is one) as a member of `project` in `role`,
    or with project=None of the whole `region`; `user_fields` go to the user."""
    user = UserFactory(username=username, **user_fields)
    return MembershipFactory(user=user, project=project, region=region, role=role).user
