"""The one header-alias scheme and the one preview of every upload (pure, no database)."""

from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.uploads.columns import Column
from portal.uploads.columns import ColumnSpec
from portal.uploads.columns import filled_rows
from portal.uploads.columns import first_filled
from portal.uploads.columns import norm
from portal.uploads.preview import CHANGED
from portal.uploads.preview import NEW
from portal.uploads.preview import REJECTED
from portal.uploads.preview import UNCHANGED
from portal.uploads.preview import Plan
from portal.uploads.preview import RowPlan

SPEC = ColumnSpec(
    [
        Column("period", aliases=("kausi", "månad"), required=True),
        Column("planned_end", label=gettext_lazy("Planned end")),
        Column("amount", aliases=("summa",), required=True),
    ]
)


def test_names_are_compared_without_case_blanks_underscores_or_bom():
    assert norm("\ufeff  Planned_END ") == "planned end"
    assert norm("Budjettirivin\u00a0 avain") == "budjettirivin avain"


def test_a_header_names_a_column_by_its_key_an_alias_or_its_label_in_any_language():
    assert SPEC.resolve("PERIOD") == "period"
    assert SPEC.resolve("Kausi") == "period"
    assert SPEC.resolve("månad") == "period"
    assert SPEC.resolve("planned_end") == "planned_end"
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            shown = SPEC.label("planned_end")
        # whatever language is active now, the label of every language is accepted
        assert SPEC.resolve(shown.upper()) == "planned_end", (language, shown)
    assert SPEC.resolve("colour") is None
    assert SPEC.resolve("") is None


def test_the_label_is_shown_in_the_active_language_and_a_key_stands_in_for_none():
    with translation.override("en"):
        assert SPEC.label("planned_end") == "Planned end"
    with translation.override("fi"):
        assert SPEC.label("planned_end") != "Planned end"
    assert SPEC.label("period") == "period"


def test_suggest_prefers_a_remembered_choice_and_chooses_each_column_once():
    headers = ["Summa", "kausi", "Period", "Notes"]
    assert SPEC.suggest(headers) == {
        "Summa": "amount",
        "kausi": "period",
        "Period": "",
        "Notes": "",
    }
    # a remembered choice wins over the name; one of another kind's fields is ignored
    remembered = {"Notes": "amount", "kausi": "nonsense"}
    assert SPEC.suggest(["Notes", "Summa", "kausi"], remembered) == {
        "Notes": "amount",
        "Summa": "",
        "kausi": "period",
    }


def test_problems_name_a_required_column_missing_and_one_chosen_twice():
    with translation.override("en"):
        problems = SPEC.problems({"a": "period", "b": "period"})
    assert problems == [
        "The field “period” is chosen for more than one column.",
        "The file has no column for “amount”: choose one.",
    ]
    assert SPEC.missing(["amount", None]) == ["period"]
    assert SPEC.score(["kausi", "summa", "x"]) == 2


def test_header_row_and_body_skip_blank_rows():
    rows = [[" ", ""], ["period", "amount"], ["", ""], ["3/2024", "1"]]
    assert first_filled(rows) == 1
    assert first_filled([["", " "]]) is None
    assert filled_rows([3, 4], rows[2:]) == [(4, ["3/2024", "1"])]


def test_a_preview_counts_outcomes_and_renders_messages_in_the_active_language():
    rows = [RowPlan(2), RowPlan(3), RowPlan(4), RowPlan(5)]
    rows[0].settle(exists=False)
    rows[1].change("Value", "1", "2")
    rows[1].settle(exists=True)
    rows[2].settle(exists=True)
    rows[3].reject(
        "Period", gettext_lazy("Row %(row)s has the same indicator code with other values."), row=2
    )
    rows[3].settle(exists=True)  # a rejected row stays rejected
    plan = Plan(rows)
    assert [r.status for r in rows] == [NEW, CHANGED, UNCHANGED, REJECTED]
    assert plan.counts == {NEW: 1, CHANGED: 1, UNCHANGED: 1, REJECTED: 1}
    assert not plan.can_confirm and not Plan([]).can_confirm
    assert Plan(rows[:3]).can_confirm
    with translation.override("en"):
        assert rows[3].as_json()["errors"] == [
            ["Period", "Row 2 has the same indicator code with other values."]
        ]
    with translation.override("fi"):
        assert "2" in rows[3].errors[0].text and "Row 2" not in rows[3].errors[0].text
