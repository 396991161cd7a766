"""The demo data: the four seed plans as they are, loaded idempotently."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.db.models import Count, Sum

from measures.models import Indicator, Measurement
from objectives.models import Action, ProcessGoal
from projects.demo import demo_load
from projects.models import BudgetLine, Membership, PlanVersion, ProgrammeRole, Project, Region

pytestmark = pytest.mark.django_db

# What the plans contain (shared/design/seeds-*.md counts): goals, actions, indicators.
EXPECTED = {
    "13": ("Keski-Suomi", 52, 66, 0),  # 000: 5+26+21 goals, 17+26+23 actions, no indicator named
    "14": ("Etelä-Pohjanmaa", 8, 201, 72),  # 001: Table 1 (54 rows) + chapter 3 (147 items)
    "16": ("Keski-Pohjanmaa", 19, 89, 15),  # 002: 34 actions (2022) + 55 (2023–2025)
    "10": ("Etelä-Savo", 23, 58, 6),  # 003: Taulukko 1 has 23 process goals
}


def _counts() -> dict[str, tuple]:
    rows = Project.objects.values("region__code").annotate(
        goals=Count("goals", distinct=True),
        actions=Count("actions", distinct=True),
        indicators=Count("indicators", distinct=True),
    )
    return {r["region__code"]: (r["goals"], r["actions"], r["indicators"]) for r in rows}


def _table_sizes() -> dict[str, int]:
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_counts_per_region_match_the_plans(demo_db):
    counts = _counts()
    for code, (name, goals, actions, indicators) in EXPECTED.items():
        assert Region.objects.get(code=code).name_fi == name
        assert counts[code] == (goals, actions, indicators), name


def test_second_load_changes_nothing_and_says_so(demo_db):
    # given a loaded database
    before = _table_sizes()
    # when loading again
    report = demo_load(data_dir=settings.DEMO_DATA_DIR)
    # then
    assert report.changes == 0
    assert report.summary() == "Demo data already up to date: nothing changed."
    assert _table_sizes() == before


@pytest.mark.parametrize(
    ("region", "package", "number", "title_start"),
    [
        ("13", "K1", "1", "Kiireettömän hoidon jonot puretaan"),
        ("13", "K2-DIAB", "4", "Ylipainon ehkäisyssä otetaan käyttöön Wiitaunionissa"),
        ("13", "K2-PAL", "4", "Erikoissairaanhoitoon järjestetään vuodeosastopaikkoja"),
        ("13", "K3-D", "4", "Perustetaan maakunnallinen perheoikeudellisten palveluiden yksikkö"),
        ("14", "G2", "5", "Palveluaikojen laajentaminen ilta- ja viikonloppuvastaanottoihin"),
        ("14", "G5", "31", "Maksuton ehkäisy otetaan käyttöön koko hyvinvointialueella"),
        ("14", "3.2.1", "F4", "Laajennetaan MARAK-toimintamalli koko hyvinvointialueelle"),
        ("16", "I1b", "I1b-22-5", "Suun terveydenhuollossa joustavan ajanvarauksen kokeilu"),
        ("16", "I4-3", "I4-3-25-4", "Digiohjelman päivittäminen hyvinvointialueelle"),
        ("10", "TP2", "A1.2.1", "Otetaan käyttöön sähköinen hoidon-/palveluntarpeen arviointi"),
        ("10", "TP2", "A1.2.5", "Kehitetään palvelutarpeen arviointia ja pilotoidaan"),
    ],
)
def test_action_titles_match_the_seed_text(demo_db, region, package, number, title_start):
    action = Action.objects.get(
        project__region__code=region, work_package__code=package, number=number
    )
    assert action.title_fi.startswith(title_start)
    assert action.source_document.startswith(("000_", "001_", "002_", "003_"))
    assert action.source_ref.startswith("L")


@pytest.mark.parametrize(
    ("region", "package", "number", "hts"),
    [
        ("13", "K1", "P1", [1, 3, 4]),  # "(HT1, HT3, HT4)"
        ("13", "K2-DIAB", "P7", [1, 3, 5]),  # tag printed twice in the plan
        ("13", "K2-DIAB", "P9", []),  # untagged goal
        ("10", "TP1", "P1.3", [1, 4]),
    ],
)
def test_goal_ht_tags_as_in_the_plan(demo_db, region, package, number, hts):
    goal = ProcessGoal.objects.get(
        project__region__code=region, work_package__code=package, number=number
    )
    assert sorted(goal.benefit_targets.values_list("number", flat=True)) == hts


def test_table_1_rows_of_001_keep_their_ticked_hts_status_and_change_marks(demo_db):
    row1 = Action.objects.get(project__region__code="14", work_package__code="G1", number="1")
    row9 = Action.objects.get(project__region__code="14", work_package__code="G2", number="9")
    assert sorted(row1.benefit_targets.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert (row1.status, row1.status_as_written) == ("in_progress", "Käynnissä")
    assert (row9.status_as_written, row9.change) == ("Uusi", "new")
    assert list(row9.goals.values_list("number", flat=True)) == ["G2"]


def test_actions_of_000_hang_on_work_packages_without_goal_links(demo_db):
    actions = Action.objects.filter(project__region__code="13")
    assert actions.count() == 66
    assert not actions.filter(goals__isnull=False).exists()


def test_002_budget_2022_totals_1_304_000_euros(demo_db):
    total = BudgetLine.objects.filter(project__region__code="16", year=2022).aggregate(
        total=Sum("amount")
    )["total"]
    assert total == Decimal("1304000")


def test_002_has_two_plan_versions_and_the_later_supersedes(demo_db):
    versions = PlanVersion.objects.filter(project__region__code="16").order_by("key")
    assert [v.key for v in versions] == ["plan-2022", "plan-2023-2025"]
    assert versions[1].supersedes == versions[0]
    assert Action.objects.filter(plan_version=versions[0]).count() == 34
    assert Action.objects.filter(plan_version=versions[1]).count() == 55


def test_002_rrf_investment_lines_classify_work_packages(demo_db):
    codes = set(
        Project.objects.get(region__code="16")
        .work_packages.exclude(classification=None)
        .values_list("classification__code", flat=True)
    )
    assert {"I1", "I2", "I3", "I4"} <= codes


def test_month_range_schedule_is_kept_and_parsed(demo_db):
    action = Action.objects.get(project__region__code="16", number="I1a-22-3")
    assert action.schedule_text == "5-12/2022"
    assert (action.planned_start.isoformat(), action.planned_end.isoformat()) == (
        "2022-05-01",
        "2022-12-31",
    )


def test_fraction_baseline_keeps_numerator_and_denominator(demo_db):
    indicator = Indicator.objects.get(
        project__region__code="16", name_fi__startswith="Lapsen ja perheen palvelutarpeen"
    )
    assert indicator.baseline_as_written == "643/760"
    assert (indicator.baseline_numerator, indicator.baseline_denominator) == (643, 760)
    assert indicator.targets.count() == 4


def test_plan_figures_and_demo_values_never_mix(demo_db):
    with_plan = Indicator.objects.filter(measurements__source="plan").distinct()
    assert with_plan.exists()
    assert not Measurement.objects.filter(indicator__in=with_plan, source="demo").exists()
    demo = Measurement.objects.filter(source="demo")
    assert demo.exists()
    assert all("Demoarvo" in note for note in demo.values_list("note", flat=True)[:50])


def test_ocr_damage_is_repaired_in_etela_savo(demo_db):
    texts = list(
        Action.objects.filter(project__region__code="10").values_list("title_fi", flat=True)
    ) + list(
        ProcessGoal.objects.filter(project__region__code="10").values_list("title_fi", flat=True)
    )
    for bad in ("|", "ﬁ", "kayttdon", "sahkdinen", "[OCR"):
        assert not [t for t in texts if bad in t], bad


def test_every_imported_object_keeps_its_source(demo_db):
    for model in (Action, ProcessGoal, Indicator, BudgetLine):
        assert not model.objects.filter(source_document="").exists(), model


def test_demo_users_cover_every_role_in_every_region(demo_db):
    assert set(ProgrammeRole.objects.values_list("role", flat=True)) == {"admin", "viewer"}
    per_region = Membership.objects.values_list("project__region__code", "role")
    for code in EXPECTED:
        assert {role for c, role in per_region if c == code} == {"steering", "manager", "worker"}
