"""The model holds the seeds as they are, and the database refuses what no plan can mean."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db import transaction

from objectives.models import BenefitTarget
from projects.models import BudgetLine
from projects.models import Membership
from projects.models import Programme
from projects.models import WorkPackage

from .factories import ActionFactory
from .factories import IndicatorFactory
from .factories import MeasurementFactory
from .factories import ProcessGoalFactory
from .factories import ProjectFactory
from .factories import UserFactory
from .factories import WorkPackageFactory

pytestmark = pytest.mark.django_db


def _refused(factory_call):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory_call()


def test_ht_catalogue_has_five_targets_in_three_languages():
    hts = list(BenefitTarget.objects.order_by("number"))
    assert [ht.code for ht in hts] == ["HT1", "HT2", "HT3", "HT4", "HT5"]
    assert all(ht.name_fi and ht.name_sv and ht.name_en for ht in hts)
    assert hts[4].name_fi == "Kustannusten nousun hillintä"


def test_goal_numbers_are_unique_inside_a_work_package_only():
    goal = ProcessGoalFactory(number="D1")
    ProcessGoalFactory(number="D1")  # another package may reuse the number
    _refused(lambda: ProcessGoalFactory(number="D1", work_package=goal.work_package))


def test_action_numbers_are_unique_inside_a_work_package_only():
    action = ActionFactory(number="9")
    _refused(lambda: ActionFactory(number="9", work_package=action.work_package))


def test_action_may_serve_several_goals_or_none():
    package = WorkPackageFactory()
    goals = ProcessGoalFactory.create_batch(2, work_package=package, project=package.project)
    shared = ActionFactory(work_package=package, project=package.project)
    shared.goals.set(goals)
    loose = ActionFactory(work_package=package, project=package.project)
    assert shared.goals.count() == 2
    assert loose.goals.count() == 0


def test_goal_may_have_zero_or_several_ht_tags():
    goal = ProcessGoalFactory()
    assert goal.benefit_targets.count() == 0
    goal.benefit_targets.set(BenefitTarget.objects.filter(number__in=[1, 3, 4]))
    assert sorted(goal.benefit_targets.values_list("code", flat=True)) == ["HT1", "HT3", "HT4"]


def test_action_end_before_start_is_refused():
    _refused(lambda: ActionFactory(planned_start=date(2023, 5, 1), planned_end=date(2023, 1, 1)))


def test_action_without_any_dates_is_fine():
    action = ActionFactory(schedule_text="", planned_start=None, planned_end=None)
    action.full_clean()


def test_project_dates_in_order_and_money_non_negative():
    _refused(lambda: ProjectFactory(start_date=date(2023, 1, 1), end_date=date(2022, 1, 1)))
    _refused(lambda: ProjectFactory(funding_total=Decimal("-1")))


def test_budget_line_amount_cannot_be_negative():
    project = ProjectFactory()
    _refused(
        lambda: BudgetLine.objects.create(
            project=project,
            year=2022,
            category="personnel",
            line="Investointi 1",
            amount=Decimal("-5"),
        )
    )


def test_budget_line_is_unique_per_year_category_and_line_even_without_year():
    project = ProjectFactory()
    BudgetLine.objects.create(
        project=project, year=None, category="total", line="Yhteensä", amount=1
    )
    _refused(
        lambda: BudgetLine.objects.create(
            project=project, year=None, category="total", line="Yhteensä", amount=2
        )
    )


def test_one_membership_per_user_and_hanke():
    user, project = UserFactory(), ProjectFactory()
    Membership.objects.create(user=user, project=project, role="worker")
    _refused(lambda: Membership.objects.create(user=user, project=project, role="manager"))


def test_work_packages_are_at_most_two_levels_deep():
    top = WorkPackageFactory()
    middle = WorkPackageFactory(project=top.project, parent=top)
    deep = WorkPackage(project=top.project, parent=middle, code="X", name_fi="Liian syvä")
    with pytest.raises(ValidationError):
        deep.full_clean()


def test_one_measurement_per_indicator_and_period():
    indicator = IndicatorFactory()
    MeasurementFactory(indicator=indicator, period=date(2022, 12, 31))
    _refused(lambda: MeasurementFactory(indicator=indicator, period=date(2022, 12, 31)))


def test_programme_threshold_bands_must_be_in_order():
    with pytest.raises(IntegrityError), transaction.atomic():
        Programme.objects.create(
            name_fi="Väärin",
            start_date=date(2020, 1, 1),
            end_date=date(2021, 1, 1),
            indicator_green_ratio=Decimal("0.5"),
            indicator_yellow_ratio=Decimal("0.6"),
        )


def test_str_of_main_models_is_readable():
    action = ActionFactory(number="A1", title_fi="Kiireettömän hoidon jonot puretaan")
    assert str(action) == "A1 Kiireettömän hoidon jonot puretaan"
    assert str(action.project.region) == action.project.region.name_fi
