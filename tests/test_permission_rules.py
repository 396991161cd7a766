"""The role table of design README §2 as a pure function, and services that check it again."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from measures.models import Measurement
from measures.services import measurement_save
from measures.services import target_save
from projects.access import Perm
from projects.access import allowed
from projects.models import Membership
from projects.models import Project

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import WorkPackageFactory
from .helpers import status_report

ALL = set(Perm)
HANKE_READ = {Perm.VIEW, Perm.EXPORT, Perm.COMMENT}

# (programme role, hanke role, owns the object) → what they may do
TABLE = [
    (("admin", None, False), ALL),
    (("viewer", None, False), {Perm.VIEW, Perm.EXPORT, Perm.VIEW_PROGRAMME}),
    ((None, "steering", False), HANKE_READ),
    (
        (None, "manager", False),
        HANKE_READ
        | {Perm.ENTER_MEASUREMENTS, Perm.UPDATE_ACTION_STATUS, Perm.EDIT_PLAN, Perm.MANAGE_MEMBERS},
    ),
    ((None, "worker", False), HANKE_READ | {Perm.ENTER_MEASUREMENTS}),
    ((None, "worker", True), HANKE_READ | {Perm.ENTER_MEASUREMENTS, Perm.UPDATE_ACTION_STATUS}),
    ((None, None, False), set()),
    (("viewer", "worker", False), HANKE_READ | {Perm.ENTER_MEASUREMENTS, Perm.VIEW_PROGRAMME}),
]


@pytest.mark.parametrize(("who", "expected"), TABLE)
@pytest.mark.parametrize("perm", list(Perm))
def test_role_table(who, expected, perm):
    programme_role, project_role, owns = who
    assert allowed(perm, programme_role=programme_role, project_role=project_role, owns=owns) == (
        perm in expected
    )


@pytest.mark.parametrize("role", ["steering", "manager", "worker"])
def test_only_the_programme_admin_manages_the_programme_and_reads_the_change_log(role):
    for perm in (Perm.MANAGE_PROGRAMME, Perm.VIEW_CHANGE_LOG):
        assert not allowed(perm, programme_role=None, project_role=role, owns=True)
        assert not allowed(perm, programme_role="viewer", project_role=role, owns=True)


# --- Services refuse unpermitted writes even when called directly -------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["steering_member", "ministry_viewer", "outsider"])
def test_measurement_save_refuses_without_permission(personas, persona):
    indicator = IndicatorFactory(project=personas.project)
    with pytest.raises(PermissionDenied):
        measurement_save(
            indicator=indicator,
            period=date(2022, 12, 31),
            raw_value="5",
            actor=getattr(personas, persona),
        )
    assert not Measurement.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["steering_member", "outsider", "ministry_viewer"])
def test_action_status_update_refuses_without_permission(personas, persona):
    action = ActionFactory(
        work_package=WorkPackageFactory(project=personas.project), project=personas.project
    )
    with pytest.raises(PermissionDenied):
        status_report(action, getattr(personas, persona), "done", date(2023, 1, 1), "x")


@pytest.mark.django_db
def test_target_save_needs_the_project_manager(personas):
    indicator = IndicatorFactory(project=personas.project)
    with pytest.raises(PermissionDenied):
        target_save(
            indicator=indicator,
            target_date=date(2023, 12, 31),
            value=Decimal(1),
            actor=personas.project_worker,
        )
    target_save(
        indicator=indicator,
        target_date=date(2023, 12, 31),
        value=Decimal(1),
        actor=personas.project_manager,
    )


@pytest.mark.django_db
def test_ended_membership_ends_access(personas):
    membership = Membership.objects.get(user=personas.project_worker)
    membership.valid_to = date(2020, 1, 1)
    membership.save()
    assert not Project.objects.visible_to(personas.project_worker).exists()


@pytest.mark.django_db
def test_region_membership_covers_the_regions_hankkeet(personas):
    sibling = ProjectFactory(region=personas.project.region)
    regional = UserFactory(username="maakunnan.ohjausryhma")
    Membership.objects.create(user=regional, region=personas.project.region, role="steering")
    visible = set(Project.objects.visible_to(regional))
    assert visible == {personas.project, sibling}


@pytest.mark.django_db
def test_deactivated_user_sees_nothing(personas):
    user = personas.ministry_viewer
    user.is_active = False
    user.save()
    assert not Project.objects.visible_to(user).exists()
