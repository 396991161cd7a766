"""The traffic-light rules, as tables and properties, with no database."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from measures.progress import (
    IndicatorInput,
    Point,
    TargetPoint,
    Thresholds,
    assess_indicator,
    progress_ratio,
)
from objectives.status import Light, Reason, action_light, comment_needed, reschedule_problem
from reporting.rollup import RollupThresholds, rollup, validate_bands

TODAY = date(2023, 6, 15)
D = Decimal
BASELINE = D(50)
DEFAULT_THRESHOLDS = Thresholds()

# --- Actions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "start", "end", "light", "code"),
    [
        ("done", None, date(2020, 1, 1), Light.GREEN, "action_done"),
        ("cancelled", None, date(2020, 1, 1), Light.GREY, "action_cancelled"),
        ("in_progress", date(2023, 1, 1), date(2023, 12, 31), Light.YELLOW, "action_in_progress"),
        ("in_progress", None, None, Light.YELLOW, "action_in_progress_open"),
        ("in_progress", None, date(2023, 6, 15), Light.YELLOW, "action_in_progress"),  # last day
        ("in_progress", None, date(2023, 6, 14), Light.RED, "action_late_end"),  # a day late
        ("starting", date(2023, 7, 1), date(2023, 12, 31), Light.ORANGE, "action_starting"),
        ("starting", None, date(2023, 1, 31), Light.RED, "action_late_end"),
        ("not_started", date(2023, 7, 1), None, Light.GREY, "action_not_started_ahead"),
        ("not_started", date(2023, 6, 15), None, Light.GREY, "action_not_started_ahead"),
        ("not_started", date(2023, 6, 14), None, Light.RED, "action_late_start"),
        ("not_started", None, None, Light.GREY, "action_not_started_open"),
        ("not_started", None, date(2022, 12, 31), Light.RED, "action_late_end"),
    ],
)
def test_action_light(status, start, end, light, code):
    result = action_light(status=status, planned_start=start, planned_end=end, today=TODAY)
    assert (result.light, result.reason.code) == (light, code)


def test_late_action_reason_names_the_date_in_finnish():
    from django.utils import translation

    result = action_light(
        status="in_progress", planned_start=None, planned_end=date(2022, 12, 31), today=TODAY
    )
    with translation.override("fi"):
        assert result.reason.text == "Myöhässä: suunniteltu valmistuminen 31.12.2022 ohitettu"


def test_every_light_has_a_label_a_symbol_and_a_css_class():
    symbols = {light.symbol for light in Light}
    assert len(symbols) == len(Light)  # told apart without colour
    for light in Light:
        assert light.label and light.css_class == f"light light--{light.value}"


# --- Indicators -----------------------------------------------------------------------------


def indicator(
    points,
    *,
    baseline=BASELINE,
    baseline_date=date(2021, 1, 1),
    targets=None,
    direction="higher",
    frequency="yearly",
) -> IndicatorInput:
    targets = targets if targets is not None else [TargetPoint(date(2023, 1, 1), D(100))]
    return IndicatorInput(
        direction=direction,
        frequency=frequency,
        baseline=baseline,
        baseline_date=baseline_date,
        targets=tuple(targets),
        points=tuple(Point(p, D(v)) for p, v in points),
    )


def assess(data, today=TODAY, thresholds=DEFAULT_THRESHOLDS):
    return assess_indicator(data, today=today, thresholds=thresholds)


# Baseline 50 on 1.1.2021, target 100 on 1.1.2023; latest measurement on 1.1.2022 means
# half the time has passed (expected 0.5): green from 0.45 progress, yellow from 0.30.
@pytest.mark.parametrize(
    ("latest", "light", "code"),
    [
        ("100", Light.GREEN, "indicator_target_met"),
        ("72.5", Light.GREEN, "indicator_progress"),  # 0.45 = 0.9 × 0.5, the boundary
        ("72.4", Light.YELLOW, "indicator_progress"),
        ("65", Light.YELLOW, "indicator_progress"),  # 0.30 = 0.6 × 0.5, the boundary
        ("64.9", Light.RED, "indicator_progress"),
        ("50", Light.RED, "indicator_progress"),  # no progress at all
        ("49", Light.RED, "indicator_wrong_way"),
    ],
)
def test_indicator_light_bands(latest, light, code):
    result = assess(indicator([(date(2022, 1, 1), latest)]), today=date(2022, 6, 1))
    assert (result.light, result.reason.code) == (light, code)


def test_lower_is_better_uses_the_same_bands_mirrored():
    data = indicator(
        [(date(2022, 1, 1), "120")],
        baseline=D(150),
        targets=[TargetPoint(date(2023, 1, 1), D(90))],
        direction="lower",
    )
    result = assess(data, today=date(2022, 6, 1))
    assert result.progress == D("0.5") and result.light == Light.GREEN
    worse = assess(
        indicator(
            [(date(2022, 1, 1), "160")],
            baseline=D(150),
            direction="lower",
            targets=[TargetPoint(date(2023, 1, 1), D(90))],
        ),
        today=date(2022, 6, 1),
    )
    assert worse.light == Light.RED and worse.reason.code == "indicator_wrong_way"


def test_yearly_targets_judge_against_the_target_of_the_latest_period():
    # seed 002: 90 % (2022), 94 % (2023), 97 % (2024), 100 % (2025), baseline 84,6 % (2021)
    targets = [
        TargetPoint(date(y, 12, 31), D(v))
        for y, v in [(2022, 90), (2023, 94), (2024, 97), (2025, 100)]
    ]
    data = indicator(
        [(date(2022, 12, 31), "91")],
        baseline=D("84.6"),
        baseline_date=date(2021, 12, 31),
        targets=targets,
    )
    assert assess(data, today=date(2023, 1, 15)).reason.code == "indicator_target_met"
    later = indicator(
        [(date(2022, 12, 31), "91"), (date(2023, 6, 30), "91.5")],
        baseline=D("84.6"),
        baseline_date=date(2021, 12, 31),
        targets=targets,
    )
    assert assess(later, today=date(2023, 7, 15)).reason.code == "indicator_progress"


def test_target_met_early_is_green():
    data = indicator([(date(2021, 6, 30), "100")])
    assert assess(data, today=date(2021, 7, 1)).light == Light.GREEN


def test_strict_target_must_be_exceeded():
    target = [TargetPoint(date(2023, 1, 1), D(25), strict=True)]  # "yli 25 %"
    at = assess(indicator([(date(2022, 12, 31), "25")], baseline=D(10), targets=target))
    above = assess(indicator([(date(2022, 12, 31), "25.1")], baseline=D(10), targets=target))
    assert at.reason.code != "indicator_target_met"
    assert above.reason.code == "indicator_target_met"


def test_baseline_equal_to_target_is_met_or_not():
    target = [TargetPoint(date(2023, 1, 1), D(80))]
    met = assess(indicator([(date(2022, 12, 31), "80")], baseline=D(80), targets=target))
    below = assess(
        indicator(
            [(date(2022, 12, 31), "80")],
            baseline=D(80),
            targets=[TargetPoint(date(2023, 1, 1), D(81))],
        )
    )
    assert met.light == Light.GREEN
    equal_unmet = assess(indicator([(date(2022, 12, 31), "79")], baseline=D(80), targets=target))
    assert equal_unmet.light == Light.RED
    assert below.light in (Light.RED, Light.YELLOW, Light.GREEN)


def test_missing_baseline_uses_the_first_measurement():
    data = indicator(
        [(date(2021, 12, 31), "40"), (date(2022, 12, 31), "70")],
        baseline=None,
        baseline_date=None,
        targets=[TargetPoint(date(2023, 12, 31), D(100))],
    )
    result = assess(data, today=date(2023, 1, 10))
    assert result.progress == D("0.5") and result.light == Light.GREEN


@pytest.mark.parametrize(
    ("data", "today", "code"),
    [
        (indicator([]), TODAY, "indicator_no_data"),
        (indicator([(date(2020, 12, 31), "60")]), date(2023, 1, 5), "indicator_stale"),
        (indicator([(date(2022, 12, 31), "60")], targets=[]), TODAY, "indicator_no_target"),
        (
            indicator([(date(2022, 12, 31), "60")], baseline=None, baseline_date=None),
            TODAY,
            "indicator_no_baseline",
        ),
    ],
)
def test_grey_when_it_cannot_be_judged(data, today, code):
    result = assess(data, today=today)
    assert (result.light, result.reason.code) == (Light.GREY, code)


def test_staleness_is_twice_the_frequency():
    monthly = indicator([(date(2023, 3, 31), "60")], frequency="monthly")
    assert assess(monthly, today=date(2023, 6, 2)).light == Light.GREY  # 63 days > 2 × 31
    assert assess(monthly, today=date(2023, 6, 1)).light != Light.GREY  # 62 days, not yet


def test_trend_is_direction_aware():
    rising = indicator([(date(2022, 6, 30), "60"), (date(2022, 12, 31), "70")])
    falling = indicator([(date(2022, 6, 30), "70"), (date(2022, 12, 31), "60")], direction="lower")
    assert assess(rising).trend == "improving"
    assert assess(falling).trend == "improving"


@given(
    baseline=st.decimals(min_value=0, max_value=1000, places=2),
    target=st.decimals(min_value=0, max_value=1000, places=2),
    a=st.decimals(min_value=0, max_value=1000, places=2),
    b=st.decimals(min_value=0, max_value=1000, places=2),
)
def test_progress_is_monotone_in_the_latest_value(baseline, target, a, b):
    if baseline == target:
        assert progress_ratio(a, baseline, target) is None
        return
    low, high = sorted((a, b))
    p_low, p_high = progress_ratio(low, baseline, target), progress_ratio(high, baseline, target)
    if target > baseline:  # higher is better: more is more progress
        assert p_low <= p_high
    else:
        assert p_low >= p_high


# --- Rollups --------------------------------------------------------------------------------

lights = st.lists(st.sampled_from(list(Light)), max_size=30)


@pytest.mark.parametrize(
    ("children", "light"),
    [
        ([], Light.GREY),
        ([Light.GREY, Light.GREY], Light.GREY),
        ([Light.GREEN, Light.GREEN, Light.GREEN, Light.RED], Light.GREEN),  # 0.75, boundary
        ([Light.GREEN, Light.YELLOW], Light.GREEN),  # 0.75
        ([Light.GREEN, Light.RED], Light.YELLOW),  # 0.5, boundary
        ([Light.ORANGE, Light.YELLOW], Light.YELLOW),
        ([Light.GREEN, Light.RED, Light.RED], Light.RED),  # 0.33
        ([Light.RED, Light.GREY], Light.RED),
    ],
)
def test_rollup_table(children, light):
    result = rollup(children, RollupThresholds())
    assert result.light == light
    assert sum(result.counts.values()) == len(children)


@given(children=lights)
def test_rollup_is_between_its_reddest_and_greenest_scored_child(children):
    scores = [c.score for c in children if c.score is not None]
    result = rollup(children, RollupThresholds())
    if not scores:
        assert result.light == Light.GREY
        return
    assert min(scores) <= result.light.score <= max(scores)


@given(children=lights, greys=st.integers(min_value=1, max_value=10))
def test_grey_children_never_change_a_rollup(children, greys):
    plain = rollup(children, RollupThresholds())
    with_grey = rollup(children + [Light.GREY] * greys, RollupThresholds())
    assert (plain.light, plain.score) == (with_grey.light, with_grey.score)


@given(
    children=lights,
    yellow=st.decimals(min_value="0.01", max_value="0.5", places=2),
    green=st.decimals(min_value="0.51", max_value="1", places=2),
)
def test_any_valid_thresholds_keep_the_rollup_between_its_children(children, yellow, green):
    scores = [c.score for c in children if c.score is not None]
    result = rollup(children, RollupThresholds(green, yellow))
    if scores:
        assert min(scores) <= result.light.score <= max(scores)


@pytest.mark.parametrize(
    ("green_ratio", "yellow_ratio", "green_score", "yellow_score", "bad"),
    [
        ("0.9", "0.6", "0.75", "0.5", set()),
        ("0.6", "0.9", "0.75", "0.5", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.6", "0.6", "0.75", "0.5", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("1.2", "0.6", "0.75", "0.5", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.9", "0", "0.75", "0.5", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.9", "0.6", "0.5", "0.5", {"rollup_green_score", "rollup_yellow_score"}),
        ("0.9", "0.6", "0.75", "0.6", {"rollup_green_score", "rollup_yellow_score"}),
        ("0.9", "0.6", "1.1", "0.4", {"rollup_green_score", "rollup_yellow_score"}),
    ],
)
def test_threshold_bands_must_be_in_order_without_gap_or_overlap(
    green_ratio, yellow_ratio, green_score, yellow_score, bad
):
    errors = validate_bands(
        green_ratio=D(green_ratio),
        yellow_ratio=D(yellow_ratio),
        green_score=D(green_score),
        yellow_score=D(yellow_score),
    )
    assert set(errors) == bad


def test_reason_text_renders_params():
    assert "42" in Reason("indicator_progress", {"progress": 42, "expected": 70}).text


# --- What a status change must explain (objectives.status.comment_needed) ----------------

_TODAY = date(2024, 6, 1)


@pytest.mark.parametrize(
    ("old", "new", "start", "end", "expected"),
    [
        ("not_started", "in_progress", date(2024, 7, 1), date(2024, 12, 31), None),
        ("starting", "in_progress", None, None, None),
        ("in_progress", "in_progress", None, date(2024, 12, 31), None),
        ("in_progress", "done", None, None, "final"),
        ("not_started", "cancelled", None, None, "final"),
        ("in_progress", "not_started", None, None, "backwards"),
        ("in_progress", "starting", None, None, "backwards"),
        ("done", "in_progress", None, None, "backwards"),
        # late by the planned end: whatever the move, it needs an explanation
        ("in_progress", "in_progress", None, date(2024, 5, 31), "late"),
        # late by the planned start (never started)
        ("not_started", "starting", date(2024, 1, 1), date(2024, 12, 31), "late"),
        # the day of the planned end is not late yet
        ("in_progress", "in_progress", None, _TODAY, None),
        # reopening a cancelled action is not "backwards" on the scale
        ("cancelled", "in_progress", None, None, None),
    ],
)
def test_comment_needed(old, new, start, end, expected):
    got = comment_needed(
        old_status=old, new_status=new, planned_start=start, planned_end=end, today=_TODAY
    )
    assert got == expected


@pytest.mark.parametrize(
    ("start", "new_end", "reason", "expected"),
    [
        (None, None, "", None),
        (date(2024, 1, 1), date(2024, 12, 31), "Rekrytointi viivästyi", None),
        (date(2024, 1, 1), date(2024, 12, 31), "  ", "reason_missing"),
        (date(2024, 1, 1), date(2023, 12, 31), "syy", "before_start"),
        (date(2024, 1, 1), date(2024, 1, 1), "sama päivä", None),
        (None, date(2020, 1, 1), "syy", None),
    ],
)
def test_reschedule_problem(start, new_end, reason, expected):
    assert reschedule_problem(planned_start=start, new_end=new_end, reason=reason) == expected
