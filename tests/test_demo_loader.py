"""The demo loader on an empty database: what it reports, and a broken file."""

import pytest
from django.conf import settings

from objectives.models import Action
from projects.models import Project
from projects.models import Region
from reporting.demo.loader import DemoDataError
from reporting.demo.loader import demo_load

from .conftest import demo_restore

pytestmark = pytest.mark.django_db

ACTIONS_IN_PLANS = 66 + 204 + 89 + 58  # 001: chapter 3 keeps MONNI's three sub-items


def test_first_load_reports_what_it_created(db):
    # The report of the run's one real load, `demo_load(data_dir=settings.DEMO_DATA_DIR)` on
    # the freshly migrated test database (conftest `demo_restore`, which every demo test
    # copies): a load of its own here would cost seconds of Python for the same report.
    report = demo_restore()
    assert report.created["action"] == ACTIONS_IN_PLANS
    assert report.created["project"] == 4
    assert "Demo data loaded" in report.summary()
    # and the database holds what it reports
    assert Action.objects.count() == ACTIONS_IN_PLANS


def test_a_broken_file_is_reported_and_leaves_nothing_behind(db, tmp_path):
    # given a data folder whose region file refers to an unknown work package
    (tmp_path / "programme.yaml").write_text(
        (settings.DEMO_DATA_DIR / "programme.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    good = (settings.DEMO_DATA_DIR / "003-etela-savo.yaml").read_text(encoding="utf-8")
    broken = good.replace("work_package: TP3", "work_package: TP9", 1)
    (tmp_path / "003-etela-savo.yaml").write_text(broken, encoding="utf-8")
    # when / then
    with pytest.raises(DemoDataError, match="003-etela-savo.yaml: unknown work package 'TP9'"):
        demo_load(data_dir=tmp_path, with_users=False)
    assert not Project.objects.exists()
    assert not Region.objects.exists()
