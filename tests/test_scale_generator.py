"""The national-scale synthetic data generator (reporting.demo.scale) at a small size."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from measures.status_engine import status_recompute_all
from objectives.models import Action
from objectives.models import ProcessGoal
from projects.models import Membership
from projects.models import Organisation
from projects.models import Project
from projects.models import Region
from projects.models import WorkPackage
from reporting.demo.scale import scale_generate

pytestmark = pytest.mark.django_db

SMALL = {
    "regions": 2,
    "actions_per_region": 20,
    "indicators_per_region": 5,
    "measurements_per_indicator": 6,
    "users": 5,
}


def fingerprint() -> list[tuple]:
    """Everything generated, as sorted (code, title, value) tuples free of primary keys."""
    rows: list[tuple] = []
    rows += [("region", r.code, r.name_fi, r.population) for r in Region.objects.all()]
    rows += [
        ("goal", g.project.region.code, g.number, g.title_fi, g.ht_as_written)
        for g in ProcessGoal.objects.select_related("project__region")
    ]
    for a in Action.objects.select_related("project__region").prefetch_related("goals"):
        goals = ",".join(sorted(g.number for g in a.goals.all()))
        rows.append(("action", a.project.region.code, a.number, a.title_fi, a.status, goals))
        rows.append(("schedule", a.schedule_text, a.planned_start, a.planned_end))
    rows += [
        ("indicator", i.project.region.code, i.code, i.name_fi, i.unit, i.baseline_value)
        for i in Indicator.objects.select_related("project__region")
    ]
    rows += [
        ("target", t.indicator.project.region.code, t.indicator.code, t.target_date, t.value)
        for t in Target.objects.select_related("indicator__project__region")
    ]
    rows += [
        ("measurement", m.indicator.project.region.code, m.indicator.code, m.period, m.value)
        for m in Measurement.objects.select_related("indicator__project__region")
    ]
    rows += [
        ("membership", m.user.username, m.project.region.code, m.role)
        for m in Membership.objects.select_related("user", "project__region")
    ]
    return sorted(rows, key=repr)


def test_counts_are_what_was_asked():
    counts = scale_generate(seed=1, **SMALL)

    assert Region.objects.filter(code__in=["S01", "S02"]).count() == 2
    assert counts["projects.Region"] == 2
    assert counts["projects.Organisation"] == Organisation.objects.count() == 2
    assert counts["projects.Project"] == Project.objects.count() == 2
    assert counts["projects.WorkPackage"] == WorkPackage.objects.count() == 2 * (5 + 5 * 2)
    assert WorkPackage.objects.filter(parent__isnull=True).count() == 2 * 5
    assert counts["objectives.Action"] == Action.objects.count() == 2 * 20
    assert counts["measures.Indicator"] == Indicator.objects.count() == 2 * 5
    assert counts["measures.Measurement"] == Measurement.objects.count() == 2 * 5 * 6
    assert counts["auth.User"] == get_user_model().objects.count() == 5
    assert counts["projects.Membership"] == Membership.objects.count() == 5
    goals = ProcessGoal.objects.count()
    assert counts["objectives.ProcessGoal"] == goals
    assert 2 * 5 * 6 <= goals <= 2 * 5 * 10
    assert counts["measures.Target"] == Target.objects.count()
    per_indicator = Counter(Target.objects.values_list("indicator_id", flat=True))
    assert set(per_indicator.values()) <= {1, 2, 3, 4}
    assert len(per_indicator) == 2 * 5


def test_rows_look_as_described():
    scale_generate(seed=3, **SMALL)

    assert set(Region.objects.values_list("name_fi", flat=True)) == {
        "Synteettinen maakunta 01",
        "Synteettinen maakunta 02",
    }
    assert set(Measurement.objects.values_list("source", flat=True)) == {"demo"}
    assert all(m.period.day >= 28 for m in Measurement.objects.all())
    assert set(Indicator.objects.values_list("frequency", flat=True)) == {"monthly"}
    for action in Action.objects.all():
        assert action.planned_start and action.planned_end
        assert action.planned_start <= action.planned_end
    users = get_user_model().objects.order_by("username")
    assert [u.username for u in users][:2] == ["scale_user_0001", "scale_user_0002"]
    assert not any(u.has_usable_password() for u in users)
    assert Membership.objects.values("user").distinct().count() == 5


def test_same_seed_gives_identical_data_and_other_seed_differs():
    scale_generate(seed=7, **SMALL)
    first = fingerprint()

    scale_generate(seed=7, replace=True, **SMALL)
    assert fingerprint() == first
    assert Region.objects.count() == 2

    scale_generate(seed=8, replace=True, **SMALL)
    assert fingerprint() != first


def test_refuses_without_replace_when_synthetic_data_exist():
    scale_generate(seed=1, **SMALL)

    with pytest.raises(ValueError, match="replace"):
        scale_generate(seed=1, **SMALL)
    assert Project.objects.count() == 2


def test_every_actions_goals_belong_to_its_own_project():
    scale_generate(seed=5, **SMALL)

    links = Action.goals.through.objects.select_related("action", "processgoal")
    assert links.exists()
    for link in links:
        assert link.processgoal.project_id == link.action.project_id
    for link in Indicator.goals.through.objects.select_related("indicator", "processgoal"):
        assert link.processgoal.project_id == link.indicator.project_id


def test_no_measurement_period_repeats_for_an_indicator():
    scale_generate(seed=2, **SMALL)

    pairs = list(Measurement.objects.values_list("indicator_id", "period"))
    assert len(pairs) == len(set(pairs)) == 2 * 5 * 6


def test_command_prints_counts_and_elapsed(capsys):
    call_command(
        "generate_scale",
        "--regions=1",
        "--seed=1",
        "--actions=3",
        "--indicators=2",
        "--measurements=2",
        "--users=1",
    )

    out = capsys.readouterr().out
    assert "objectives.Action" in out
    assert "Elapsed:" in out


def test_recompute_on_generated_scale_data_has_a_flat_query_count(db):
    # given synthetic data for 1 and then 4 regions (the generate_scale shape, scaled down)
    counts = []
    for regions in (1, 4):
        scale_generate(
            regions=regions,
            seed=7,
            actions_per_region=40,
            indicators_per_region=10,
            measurements_per_indicator=12,
            users=4,
            replace=True,
        )
        # when recomputing everything
        with CaptureQueriesContext(connection) as queries:
            report = status_recompute_all(today=date(2025, 6, 30))
        assert report.projects == regions
        counts.append(len(queries))
    # then four times the data costs the same number of queries
    assert counts[0] == counts[1], counts
