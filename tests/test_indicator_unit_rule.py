"""An indicator's values are read in its unit: once it has values, no import changes the unit.

Held twice: the import's dry run rejects the row (the user sees why), and the write service
`indicators_import` refuses it as well, whatever planned the rows.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from measures.models import Indicator
from measures.services import IndicatorImportRow
from measures.services import indicators_import
from reporting.imports.services import import_job_create
from reporting.imports.services import import_job_map

from .factories import IndicatorFactory
from .factories import MeasurementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicators(personas):
    """M1 in days with a value; M2 in days without any."""
    with_values = IndicatorFactory(project=personas.project, code="M1", unit="days")
    MeasurementFactory(indicator=with_values, period=date(2023, 1, 31), value=30)
    without = IndicatorFactory(project=personas.project, code="M2", unit="days")
    return with_values, without


def _dry_run(personas, content: str):
    job = import_job_create(
        project=personas.project,
        actor=personas.project_manager,
        kind="indicators",
        name="mittarit.csv",
        content=content.encode(),
    )
    return import_job_map(job=job, actor=personas.project_manager, mapping=job.upload.mapping)


def test_the_dry_run_rejects_a_new_unit_for_an_indicator_with_values(personas, indicators):
    # when the manager uploads a file giving both indicators another unit
    with translation.override("en"):
        job = _dry_run(personas, "Indicator code,Unit\nM1,Percent\nM2,Percent")
    rows = {row["number"]: row for row in job.upload.preview["rows"]}
    # then the row of the indicator with values is rejected with the reason
    assert rows[2]["outcome"] == "rejected"
    assert [error[1] for error in rows[2]["errors"]] == [
        "The unit of an indicator with values cannot be changed."
    ]
    # and the indicator without values may change
    assert rows[3]["outcome"] != "rejected"


def test_the_service_refuses_a_new_unit_for_an_indicator_with_values(personas, indicators):
    with_values, without = indicators

    def change_unit(indicator):
        indicators_import(
            project=personas.project,
            actor=personas.project_manager,
            rows=[
                IndicatorImportRow(
                    code=indicator.code,
                    values={"unit": "percent"},
                    indicator_id=indicator.pk,
                    expected_version=indicator.version,
                )
            ],
            comment="Yksikkö vaihtuu",
        )

    # when the rows come to the write service directly
    with translation.override("en"), pytest.raises(ValidationError, match="cannot be changed"):
        change_unit(with_values)
    # then the unit stays; an indicator without values may change its unit
    assert Indicator.objects.get(pk=with_values.pk).unit == "days"
    change_unit(without)
    assert Indicator.objects.get(pk=without.pk).unit == "percent"
