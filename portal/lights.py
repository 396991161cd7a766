"""The traffic-light vocabulary every app shares, and the rollup rule.

Contract (design README §4, STYLE.md R6): pure functions of plain values; no ORM, no clock.
A light never travels alone: it comes with a `Reason` (a code and JSON-safe parameters) that
renders in the reader's language and number format when shown, so the stored result answers
"why is this red?" in Finnish, Swedish or English, on a page, in a PDF and in a spreadsheet
with the same words.

Rollups (goal, work package, HT within a hanke, hanke, region, programme) look at the
*shares* of their children: grey children ("not reported", no data, not started yet,
cancelled) are counted apart; of the rest, the share that is behind (red) decides, against
the programme's thresholds: under `yellow_share` green, from `yellow_share` yellow, from
`red_share` red. The reason names the counts per kind and the worst items.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal
from decimal import InvalidOperation
from html import escape as _escape
from typing import Any

from django.urls import NoReverseMatch
from django.utils.formats import get_format
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from portal.paths import path_parts


class Light(enum.StrEnum):
    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"
    GREY = "grey"

    @property
    def label(self) -> str:
        return str(_LABELS[self])

    @property
    def symbol(self) -> str:
        return _SYMBOLS[self]

    @property
    def css_class(self) -> str:
        return f"light light--{self.value}"

    @property
    def rank(self) -> int | None:
        """Order of the colours for "better" or "worse" (red 0 … green 2); grey has none."""
        return _RANKS[self]

    @property
    def counted(self) -> bool:
        """Whether a rollup counts this child (grey is counted apart)."""
        return self is not Light.GREY


_LABELS = {
    Light.GREEN: _("On track"),
    Light.YELLOW: _("Needs attention"),
    Light.ORANGE: _("Starting"),
    Light.RED: _("Behind"),
    Light.GREY: _("No assessment"),
}
# Distinct shapes, so the light reads without colour (WCAG 1.4.1).
_SYMBOLS = {
    Light.GREEN: "✓",
    Light.YELLOW: "!",
    Light.ORANGE: "▲",
    Light.RED: "✕",
    Light.GREY: "–",
}


@dataclass(frozen=True)
class LightColours:
    """How a light is coloured, everywhere: pages and PDFs (`.light--<light>` in the
    generated css/lights.css), chart bars (reporting/overview/charts.py) and XLSX fills
    (reporting/exports/tables.py). Never colour alone: the symbol and label go with it."""

    text: str  # the label on the tint, at least 4.5:1
    tint: str  # the badge's background and the XLSX cell fill
    strong: str  # the badge's border and the chart bars, at least 3:1 on white


COLOURS: dict[Light, LightColours] = {
    Light.GREEN: LightColours(text="#0b6b2b", tint="#e6f4ea", strong="#0b6b2b"),
    Light.YELLOW: LightColours(text="#6b4e00", tint="#fff7d6", strong="#8a6d00"),
    Light.ORANGE: LightColours(text="#8a3b00", tint="#ffefe0", strong="#a84800"),
    Light.RED: LightColours(text="#a1001a", tint="#fde8ea", strong="#a1001a"),
    Light.GREY: LightColours(text="#4a4a4a", tint="#f0f0f0", strong="#767676"),
}


def light_css() -> str:
    """The colour rules of the lights, served as the static file css/lights.css
    (portal/staticfinders.py) that pages and PDFs link beside their own style sheets."""
    lines = [
        "/* Generated from portal/lights.py COLOURS (portal/staticfinders.py): do not edit. */"
    ]
    lines += [
        f".light--{light.value} {{ color: {c.text}; background: {c.tint}; "
        f"border-color: {c.strong}; }}"
        for light, c in COLOURS.items()
    ]
    return "\n".join(lines) + "\n"


_ALL_LIGHTS = tuple(Light)  # in order, without iterating the enum class each time
_RANKS = {Light.GREEN: 2, Light.YELLOW: 1, Light.ORANGE: 1, Light.RED: 0, Light.GREY: None}

# Labels of an action's light in the plans' own words (001: green = done, yellow = in
# progress, orange = starting on schedule); red "late" is the portal's own addition.
ACTION_LABELS = {
    Light.GREEN: _("Done"),
    Light.YELLOW: _("In progress"),
    Light.ORANGE: _("Starting"),
    Light.RED: _("Late"),
    Light.GREY: _("Not started"),
}


def action_count_label(light: Light) -> str:
    """The word for the actions counted under a light, the same on the pages, in the PDF and
    in the XLSX: the action's own word (done, late, …). Grey counts not started, not reported
    and cancelled actions alike, so it keeps the colour's word."""
    return str(light.label if light is Light.GREY else ACTION_LABELS[light])


# The light's label where the action's own words are better than the colour's: a grey
# action without a reported status is "not reported", not "not started".
_REASON_LABELS = {"action_not_reported": _("Not reported")}


def action_label(assessment: Assessment) -> str:
    """The text label of an action's light (ACTION_LABELS, or the reason's own word)."""
    label = _REASON_LABELS.get(assessment.reason.code) or ACTION_LABELS[assessment.light]
    return str(label)


REASON_TEXTS = {
    "action_done": _("Done"),
    "action_cancelled": _("Cancelled"),
    "action_late_end": _("Late: planned end %(date)s has passed"),
    "action_late_start": _("Late: not started although the planned start %(date)s has passed"),
    "action_in_progress": _("In progress, planned end %(date)s"),
    "action_in_progress_open": _("In progress, no planned end"),
    "action_starting": _("Starting on schedule"),
    "action_starting_open": _("Starting; no schedule"),
    "action_not_started_ahead": _("Not started; planned start %(date)s"),
    "action_not_started_open": _("Not started; no schedule"),
    "indicator_no_data": _("No measurements yet"),
    "indicator_stale": _("Newest value %(date)s is out of date"),
    "indicator_no_target": _("No target set"),
    "indicator_no_baseline": _("No baseline and only one measurement"),
    "indicator_target_met": _("Target %(target)s reached (latest %(latest)s)"),
    "indicator_wrong_way": _("Moving the wrong way: %(latest)s against baseline %(baseline)s"),
    "indicator_below_target": _("Target %(target)s not reached (latest %(latest)s)"),
    "indicator_progress": _("Progress %(progress)s %% / expected %(expected)s %%"),
    "indicator_nothing_expected_yet": _("Progress %(progress)s %%; nothing expected yet"),
    "rollup_none": _("Nothing to assess yet"),
    "action_not_reported": _("Not reported: the plan states no status"),
}

# How a group of behind children is named in a rollup's reason, per kind of child (the
# plural follows the number counted: "1 of 1 action", "3 of 201 actions").
_BEHIND_TEXTS = {
    "action": ngettext_lazy(
        "%(behind)s of %(of)s action late", "%(behind)s of %(of)s actions late", "of"
    ),
    "indicator": ngettext_lazy(
        "%(behind)s of %(of)s indicator behind target",
        "%(behind)s of %(of)s indicators behind target",
        "of",
    ),
    "goal": ngettext_lazy(
        "%(behind)s of %(of)s goal behind", "%(behind)s of %(of)s goals behind", "of"
    ),
    "work_package": ngettext_lazy(
        "%(behind)s of %(of)s work package behind",
        "%(behind)s of %(of)s work packages behind",
        "of",
    ),
    "project": ngettext_lazy(
        "%(behind)s of %(of)s hanke behind", "%(behind)s of %(of)s hankkeet behind", "of"
    ),
    "region": ngettext_lazy(
        "%(behind)s of %(of)s region behind", "%(behind)s of %(of)s regions behind", "of"
    ),
    "": ngettext_lazy(
        "%(behind)s of %(of)s item behind", "%(behind)s of %(of)s items behind", "of"
    ),
}
# The pages that name an item of a reason (kind → URL name); others are named, not linked.
_ITEM_URLS = {
    "action": "objectives:action-detail",
    "indicator": "measures:indicator-detail",
    "goal": "objectives:goal-detail",
}
WORST_ITEMS = 3  # items named per kind in a rollup's reason

# Issue 15: a rollup that counts items whose light rests on a value generated for the demo
# says how many, after the count of their kind: "2 of 15 indicators behind target (12 on
# generated demo values)".
_GENERATED_TEXT = ngettext_lazy(
    "(%(count)s on a generated demo value)", "(%(count)s on generated demo values)", "count"
)


def percent(share: Decimal | str | float) -> str:
    """A share (0…1) as a percentage in the reader's locale: "12,5 %" in Finnish (at most
    100 %, so never a thousands separator: the decimal mark is all the locale changes)."""
    value = (Decimal(str(share)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    return f"{str(value).replace('.', get_format('DECIMAL_SEPARATOR'))}\u00a0%"


@dataclass(frozen=True)
class Reason:
    """Why a light is what it is: a code and plain parameters, rendered when shown."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        if self.code == "rollup_shares":
            return _rollup_text(self.params, linked=False)
        template = REASON_TEXTS[self.code]
        return str(template) % _localized(self.params) if self.params else str(template)

    @property
    def html(self) -> str:
        """The text with the named items linked to their pages (escaped, safe to insert)."""
        if self.code == "rollup_shares":
            return _rollup_text(self.params, linked=True)
        return SafeString(_escape(self.text))

    @property
    def generated(self) -> bool:
        """A rollup whose light rests on at least one value generated for the demo."""
        return rests_on_generated(self.params)

    def as_json(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


# Parameters that are numbers, written in the reader's locale when the reason is shown
# ("84,6" in Finnish, "84.6" in English); stored plain. Rows stored before may hold "84,6".
_NUMBER_PARAMS = frozenset({"target", "latest", "baseline", "progress", "expected"})


def _localized(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: _number(value) if key in _NUMBER_PARAMS else value for key, value in params.items()
    }


def _number(value: Any) -> Any:
    try:
        return number_format(Decimal(str(value).replace(",", ".")))
    except InvalidOperation:
        return value


def rests_on_generated(params: dict | None) -> bool:
    """Whether a rollup reason's parameters count an item resting on a generated value."""
    return any((params or {}).get("generated", {}).values())


def _item_links(kind: str, items: list) -> str:
    """The items' labels (escaped), each linked to its page where its kind has one."""
    name = _ITEM_URLS.get(kind)
    parts = None
    if name is not None:
        try:
            parts = path_parts(name)
        except NoReverseMatch:  # pragma: no cover - a URL renamed: name the items unlinked
            pass
    links = []
    for item_id, label in items:
        text = _escape(str(label))
        if parts is not None and isinstance(item_id, int) and not isinstance(item_id, bool):
            text = f'<a href="{_escape(parts[0])}{item_id}{_escape(parts[1])}">{text}</a>'
        links.append(text)
    return ", ".join(links)


def _rollup_text(params: dict, *, linked: bool) -> str:
    """ "3 of 24 actions late: A1, A7, B2; 0 of 4 indicators behind target – 12,5 % behind –
    2 not assessed" (the share only when something is behind).

    `linked`: HTML with the named items linked; every piece is escaped as it is added (a
    page draws hundreds of these, so plain string joins rather than format_html per piece).
    Else plain text (escaped where shown, like any other text)."""
    own = (lambda text: _escape(str(text))) if linked else str
    parts = []
    behind = 0
    generated = params.get("generated") or {}
    for kind, late, of, items in params.get("groups", ()):
        behind += late
        text = own(_BEHIND_TEXTS.get(kind, _BEHIND_TEXTS[""]) % {"behind": late, "of": of})
        if generated.get(kind):
            text = f"{text} {own(_GENERATED_TEXT % {'count': generated[kind]})}"
        if items:
            names = _item_links(kind, items) if linked else ", ".join(label for _id, label in items)
            more = ", …" if late > len(items) else ""
            text = f"{text}: {names}{more}"
        parts.append(text)
    pieces = ["; ".join(parts)] if parts else []
    if behind and params.get("share") is not None:
        pieces.append(own(gettext("%(share)s behind") % {"share": percent(params["share"])}))
    if params.get("grey"):
        pieces.append(own(gettext("%(count)s not assessed") % {"count": params["grey"]}))
    text = " – ".join(pieces)
    return SafeString(text) if linked else text


@dataclass(frozen=True)
class Assessment:
    light: Light
    reason: Reason


def fmt_date(value: date) -> str:
    """d.m.yyyy: the form Finnish and Swedish readers expect (and readable in English)."""
    return f"{value.day}.{value.month}.{value.year}"


# --- Rollups ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorThresholds:
    """Shares of the expected progress: from `green_ratio` green, from `yellow_ratio` yellow."""

    green_ratio: Decimal = Decimal("0.90")
    yellow_ratio: Decimal = Decimal("0.60")


@dataclass(frozen=True)
class RollupThresholds:
    """Shares of the counted children that are behind: from `yellow_share` yellow, from
    `red_share` red (the defaults of the design README: 10 % and 25 %)."""

    yellow_share: Decimal = Decimal("0.10")
    red_share: Decimal = Decimal("0.25")


@dataclass(frozen=True)
class Child:
    """One item under a rollup: its light, and what a reason needs to name it.

    `severity` orders the behind items (larger is worse: days late, a share behind, …);
    `generated`: its light rests on a value generated for the demo (an indicator whose
    latest value is one, or a rollup that counts such an indicator)."""

    light: Light
    kind: str = ""
    id: int | None = None
    label: str = ""
    severity: float = 0.0
    generated: bool = False


@dataclass(frozen=True)
class Rollup:
    light: Light
    reason: Reason
    behind_share: Decimal | None
    counts: dict[str, int]


def _as_child(item: Child | Light | str) -> Child:
    return item if isinstance(item, Child) else Child(Light(item))


def rollup(children: Iterable[Child | Light], thresholds: RollupThresholds) -> Rollup:
    """One light for a set of children, from the share of the counted ones that is behind."""
    items = [_as_child(c) for c in children]
    counts = Counter(c.light for c in items)
    distribution = {light.value: counts.get(light, 0) for light in _ALL_LIGHTS}
    counted = [c for c in items if c.light.counted]
    if not counted:
        return Rollup(Light.GREY, Reason("rollup_none"), None, distribution)
    behind = [c for c in counted if c.light is Light.RED]
    share = (Decimal(len(behind)) / Decimal(len(counted))).quantize(Decimal("0.0001"))
    if share >= thresholds.red_share:
        light = Light.RED
    elif share >= thresholds.yellow_share:
        light = Light.YELLOW
    else:
        light = Light.GREEN
    params = {
        "share": str(share),
        "groups": _groups(counted, behind),
        "grey": len(items) - len(counted),
    }
    generated = Counter(c.kind for c in counted if c.generated)
    if generated:  # only then: reasons of real data keep their parameters as they were
        params["generated"] = dict(generated)
    return Rollup(light, Reason("rollup_shares", params), share, distribution)


def _groups(counted: list[Child], behind: list[Child]) -> list[list]:
    """Per kind of child: [kind, behind, counted, the worst items as [id, label]]."""
    kinds = list(dict.fromkeys(c.kind for c in counted))
    groups = []
    for kind in kinds:
        of = sum(1 for c in counted if c.kind == kind)
        late = sorted(
            (c for c in behind if c.kind == kind), key=lambda c: (-c.severity, c.label, c.id or 0)
        )
        worst = [[c.id, c.label] for c in late[:WORST_ITEMS] if c.id is not None and c.label]
        groups.append([kind, len(late), of, worst])
    return groups


def behind_counts(params: dict | None) -> dict[str, int]:
    """Kind of item → how many are behind, from a rollup reason's parameters (for counts
    such as "late actions" without reading the items again)."""
    return {group[0]: group[1] for group in (params or {}).get("groups", ())}


def validate_bands(
    *, green_ratio: Decimal, yellow_ratio: Decimal, yellow_share: Decimal, red_share: Decimal
) -> dict[str, str]:
    """Field → message for every threshold that would break the colour bands ({} when fine)."""
    errors: dict[str, str] = {}
    if not Decimal(0) < yellow_ratio < green_ratio <= Decimal(1):
        message = _(
            "Indicator bands must be in order without a gap or overlap: "
            "0 < yellow from < green from ≤ 1 (share of expected progress)."
        )
        errors["indicator_yellow_ratio"] = errors["indicator_green_ratio"] = str(message)
    if not Decimal(0) < yellow_share < red_share <= Decimal(1):
        message = _(
            "Rollup bands must be in order without a gap or overlap: "
            "0 < yellow from < red from ≤ 1 (share of the assessed items that are behind)."
        )
        errors["rollup_yellow_share"] = errors["rollup_red_share"] = str(message)
    return errors
