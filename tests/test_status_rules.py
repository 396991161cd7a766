"""The traffic-light rules, as tables and properties, with no database."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from measures.progress import IndicatorInput
from measures.progress import Point
from measures.progress import TargetPoint
from measures.progress import assess_indicator
from measures.progress import progress_ratio
from objectives.choices import ActionStatus
from objectives.status import action_light
from objectives.status import comment_needed
from objectives.status import reschedule_problem
from objectives.status import status_change_problem
from portal.lights import Assessment
from portal.lights import Child
from portal.lights import IndicatorThresholds
from portal.lights import Light
from portal.lights import Reason
from portal.lights import RollupThresholds
from portal.lights import action_label
from portal.lights import percent
from portal.lights import rests_on_generated
from portal.lights import rollup
from portal.lights import validate_bands
from portal.models_common import readable_reference
from portal.templatetags.portal_tags import light as light_tag

from .helpers import rows

TODAY = date(2023, 6, 15)
D = Decimal
BASELINE = D(50)
DEFAULT_THRESHOLDS = IndicatorThresholds()


def _text(reason: Reason, language: str = "en") -> str:
    """The reason's text as a reader of `language` sees it."""
    with translation.override(language):
        return reason.text


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
        # no schedule: never "on schedule"
        ("starting", None, None, Light.ORANGE, "action_starting_open"),
        ("starting", None, date(2023, 1, 31), Light.RED, "action_late_end"),
        ("not_started", date(2023, 7, 1), None, Light.GREY, "action_not_started_ahead"),
        ("not_started", date(2023, 6, 15), None, Light.GREY, "action_not_started_ahead"),
        ("not_started", date(2023, 6, 14), None, Light.RED, "action_late_start"),
        ("not_started", None, None, Light.GREY, "action_not_started_open"),
        ("not_started", None, date(2022, 12, 31), Light.RED, "action_late_end"),
        # the plan states no status: grey, never late, whatever the schedule
        ("not_reported", None, None, Light.GREY, "action_not_reported"),
        ("not_reported", date(2020, 1, 1), date(2020, 12, 31), Light.GREY, "action_not_reported"),
        ("not_reported", date(2024, 1, 1), None, Light.GREY, "action_not_reported"),
    ],
)
def test_action_light(status, start, end, light, code):
    result = action_light(status=status, planned_start=start, planned_end=end, today=TODAY)
    assert (result.light, result.reason.code) == (light, code)


def test_late_action_reason_names_the_date_in_finnish():
    result = action_light(
        status="in_progress", planned_start=None, planned_end=date(2022, 12, 31), today=TODAY
    )
    assert _text(result.reason, "fi") == "Myöhässä: suunniteltu valmistuminen 31.12.2022 ohitettu"


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


# --- Rollups (portal.lights.rollup): shares of the counted children that are behind ----------

lights = st.lists(st.sampled_from(list(Light)), max_size=30)
G, Y, S, R, N = Light.GREEN, Light.YELLOW, Light.ORANGE, Light.RED, Light.GREY  # S: starting


@pytest.mark.parametrize(
    ("children", "light", "share"),
    [
        ([], N, None),
        ([N, N], N, None),  # nothing counted: no assessment, never a guess
        ([Y] * 200 + [R], G, "0.0050"),  # one late action among 201: still green
        ([G] * 19 + [R], G, "0.0500"),
        ([G] * 9 + [R], Y, "0.1000"),  # 10 %: yellow from here
        ([Y] * 8 + [R] * 2, Y, "0.2000"),
        ([S] * 9 + [R] * 3, R, "0.2500"),  # 25 %: red from here
        ([S, Y, G], G, "0.0000"),  # in progress or starting on schedule is on track
        ([R, N, N, N], R, "1.0000"),  # grey is counted apart, not as on track
    ],
)
def test_rollup_table(children, light, share):
    result = rollup(children, RollupThresholds())
    assert result.light == light
    assert result.behind_share == (None if share is None else D(share))
    assert sum(result.counts.values()) == len(children)


def test_one_late_action_among_201_keeps_the_hanke_green_and_names_it():
    children = [Child(Y, "action", n, f"A{n}") for n in range(200)]
    children.append(Child(R, "action", 999, "K2-DIAB-A3", severity=40))
    result = rollup(children, RollupThresholds())
    assert result.light == G
    assert _text(result.reason) == "1 of 201 actions late: K2-DIAB-A3 – 0.5\u00a0% behind"
    finnish = _text(result.reason, "fi")
    assert "0,5\u00a0%" in finnish  # decimal comma in Finnish
    assert "K2-DIAB-A3" in finnish


def test_reason_names_the_worst_items_per_kind_worst_first():
    children = [
        Child(R, "action", 1, "A1", severity=5),
        Child(R, "action", 2, "A2", severity=300),
        Child(R, "action", 3, "A3", severity=30),
        Child(R, "action", 4, "A4", severity=1),
        Child(G, "action", 5, "A5"),
        Child(R, "indicator", 6, "I6", severity=0.4),
        Child(Y, "indicator", 7, "I7"),
        Child(N, "indicator", 8, "I8"),
    ]
    result = rollup(children, RollupThresholds())
    assert result.light == R
    assert _text(result.reason) == (
        "4 of 5 actions late: A2, A3, A1, …; "
        "1 of 2 indicators behind target: I6 – 71.4\u00a0% behind – 1 not assessed"
    )
    assert "71,4\u00a0% efter" in _text(result.reason, "sv")


def test_nothing_behind_says_the_counts_without_a_share():
    result = rollup([Child(G, "action", 1, "A1")] * 3, RollupThresholds())
    assert _text(result.reason, "fi") == "0/3 toimenpidettä myöhässä"


def test_reason_html_links_the_named_items_and_escapes_their_labels():
    children = [Child(R, "action", 7, "<b>A7</b>"), Child(G, "goal", 8, "G8")]
    with translation.override("en"):
        html = rollup(children, RollupThresholds()).reason.html
    assert '<a href="/toimenpiteet/7/">&lt;b&gt;A7&lt;/b&gt;</a>' in html
    assert "<b>" not in html


@given(children=lights, greys=st.integers(min_value=1, max_value=10))
def test_grey_children_never_change_a_rollup(children, greys):
    plain = rollup(children, RollupThresholds())
    with_grey = rollup(children + [N] * greys, RollupThresholds())
    assert (plain.light, plain.behind_share) == (with_grey.light, with_grey.behind_share)


_ORDER = {G: 2, Y: 1, R: 0}


@given(children=lights)
def test_one_more_late_child_never_makes_a_rollup_greener(children):
    before = rollup(children, RollupThresholds())
    after = rollup(children + [R], RollupThresholds())
    assert after.light != N
    if before.light != N:
        assert _ORDER[after.light] <= _ORDER[before.light]


@given(
    children=lights,
    yellow=st.decimals(min_value="0.01", max_value="0.98", places=2),
    gap=st.decimals(min_value="0.01", max_value="0.5", places=2),
)
def test_any_valid_thresholds_give_green_without_red_and_red_when_all_are_red(
    children, yellow, gap
):
    thresholds = RollupThresholds(yellow, min(yellow + gap, D(1)))
    result = rollup(children, thresholds)
    counted = [c for c in children if c != N]
    if not counted:
        assert result.light == N
    elif R not in counted:
        assert result.light == G
    elif all(c == R for c in counted):
        assert result.light == R


@pytest.mark.parametrize(
    ("green_ratio", "yellow_ratio", "yellow_share", "red_share", "bad"),
    [
        ("0.9", "0.6", "0.10", "0.25", set()),
        ("0.6", "0.9", "0.10", "0.25", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.6", "0.6", "0.10", "0.25", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("1.2", "0.6", "0.10", "0.25", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.9", "0", "0.10", "0.25", {"indicator_green_ratio", "indicator_yellow_ratio"}),
        ("0.9", "0.6", "0.25", "0.25", {"rollup_yellow_share", "rollup_red_share"}),  # overlap
        ("0.9", "0.6", "0.30", "0.25", {"rollup_yellow_share", "rollup_red_share"}),  # reversed
        ("0.9", "0.6", "0", "0.25", {"rollup_yellow_share", "rollup_red_share"}),  # gap at 0
        ("0.9", "0.6", "0.10", "1.10", {"rollup_yellow_share", "rollup_red_share"}),
    ],
)
def test_threshold_bands_must_be_in_order_without_gap_or_overlap(
    green_ratio, yellow_ratio, yellow_share, red_share, bad
):
    errors = validate_bands(
        green_ratio=D(green_ratio),
        yellow_ratio=D(yellow_ratio),
        yellow_share=D(yellow_share),
        red_share=D(red_share),
    )
    assert set(errors) == bad


@pytest.mark.parametrize(
    ("language", "share", "expected"),
    [
        *rows(
            "fi | 0.5775 | 57,8\u00a0%",
            "sv | 0.5775 | 57,8\u00a0%",
            "en | 0.5775 | 57.8\u00a0%",
            "fi | 0.25   | 25\u00a0%",
            "fi | 0.005  | 0,5\u00a0%",
            "fi | 1.2    | 120\u00a0%",
        ),
        ("en", Decimal("0.1"), "10\u00a0%"),
    ],
)
def test_percent_in_the_readers_locale(language, share, expected):
    with translation.override(language):
        assert percent(share) == expected


def test_reason_text_renders_params():
    assert "42" in Reason("indicator_progress", {"progress": 42, "expected": 70}).text


# --- Rollups that rest on values generated for the demo (issue 15) -----------------------


def test_a_rollup_counting_generated_indicators_says_how_many_in_each_language():
    children = [
        Child(R, "indicator", 1, "I1", severity=0.5, generated=True),
        Child(G, "indicator", 2, "I2", generated=True),
        Child(G, "indicator", 3, "I3"),
        Child(G, "action", 4, "A4"),
    ]
    result = rollup(children, RollupThresholds())
    assert result.reason.params["generated"] == {"indicator": 2}
    assert result.reason.generated
    assert _text(result.reason) == (
        "1 of 3 indicators behind target (2 on generated demo values): I1; "
        "0 of 1 action late – 25\u00a0% behind"
    )
    assert "(2 perustuu generoituihin demoarvoihin)" in _text(result.reason, "fi")
    assert "(2 bygger på genererade demovärden)" in _text(result.reason, "sv")
    with translation.override("en"):
        html = result.reason.html
    assert "(2 on generated demo values)" in html and '<a href="/mittarit/1/">I1</a>' in html


def test_one_generated_item_reads_in_the_singular():
    result = rollup([Child(G, "project", 1, "Hanke", generated=True)], RollupThresholds())
    assert _text(result.reason) == "0 of 1 hanke behind (1 on a generated demo value)"


def test_a_rollup_of_real_values_keeps_its_parameters_and_text_as_before():
    result = rollup(
        [Child(G, "indicator", 1, "I1"), Child(R, "action", 2, "A2")], RollupThresholds()
    )
    assert "generated" not in result.reason.params and not result.reason.generated
    assert "generated" not in _text(result.reason)


def test_grey_generated_items_do_not_mark_a_rollup_they_do_not_colour():
    result = rollup(
        [Child(N, "indicator", 1, "I1", generated=True), Child(G, "action", 2, "A2")],
        RollupThresholds(),
    )
    assert not result.reason.generated


def test_reasons_stored_before_the_mark_existed_read_as_real():
    stored = {"share": "0.5", "groups": [["indicator", 1, 2, [[1, "I1"]]]], "grey": 0}
    assert not Reason("rollup_shares", stored).generated
    assert not rests_on_generated(None) and not Reason("indicator_no_data").generated
    assert rests_on_generated({**stored, "generated": {"indicator": 1}})


def test_the_light_tag_marks_a_rollup_resting_on_generated_values_and_nothing_else():
    marked = rollup([Child(G, "indicator", 1, "I1", generated=True)], RollupThresholds())
    real = rollup([Child(G, "indicator", 1, "I1")], RollupThresholds())
    with translation.override("en"):
        html = light_tag(Assessment(marked.light, marked.reason))
        assert 'data-generated="light"' in html and "demo, generated" in html
        assert 'data-generated="light"' in light_tag(
            Assessment(marked.light, marked.reason), show_reason=False
        )
        assert "data-generated" not in light_tag(Assessment(real.light, real.reason))
        assert "data-generated" not in light_tag(None)


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
        # "not reported" is no point on the scale and never late: a first report needs no
        # comment, even long after the schedule; closing one still says how or why
        ("not_reported", "not_started", None, None, None),
        ("not_reported", "in_progress", date(2020, 1, 1), date(2020, 12, 31), None),
        ("not_reported", "starting", date(2020, 1, 1), None, None),
        ("not_reported", "done", None, None, "final"),
        ("not_reported", "cancelled", None, None, "final"),
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


@pytest.mark.parametrize("new", ActionStatus.values)
def test_any_status_may_follow_not_reported(new):
    assert status_change_problem(old_status="not_reported", new_status=new) is None


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("in_progress", "not_reported", "not_reported_again"),
        ("not_started", "not_reported", "not_reported_again"),
        ("done", "not_reported", "not_reported_again"),
        ("in_progress", "not_started", None),
    ],
)
def test_status_change_problem(old, new, expected):
    assert status_change_problem(old_status=old, new_status=new) == expected


def test_a_not_reported_action_is_labelled_not_reported_not_not_started():
    with translation.override("fi"):
        not_reported = action_light(
            status="not_reported", planned_start=None, planned_end=None, today=TODAY
        )
        not_started = action_light(
            status="not_started", planned_start=None, planned_end=None, today=TODAY
        )
        assert action_label(not_reported) == "Ei raportoitu"
        assert not_reported.reason.text == "Ei raportoitu: suunnitelma ei kerro tilaa"
        assert action_label(not_started) == "Ei alkanut"
    with translation.override("sv"):
        assert action_label(not_reported) == "Ej rapporterad"


@pytest.mark.parametrize(
    ("ref", "english", "finnish"),
    rows(
        "L1180-1182                     | lines 1180–1182           | rivit 1180–1182",
        "L1389                          | line 1389                 | rivi 1389",
        "L964-979, L1133-1137           | lines 964–979, 1133–1137  | rivit 964–979, 1133–1137",
        "L486-497 (Taulukko 1, rivi 15) | Table 1, row 15           | taulukko 1, rivi 15",
        "s. 9                           | s. 9                      | s. 9",
        " | | ",  # no reference: nothing to read
    ),
)
def test_readable_reference(ref, english, finnish):
    with translation.override("en"):
        assert readable_reference(ref) == english
    with translation.override("fi"):
        assert readable_reference(ref) == finnish
