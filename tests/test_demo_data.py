"""The demo data: the four seed plans as they are, loaded idempotently."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.db.models import Q
from django.db.models import Sum
from django.utils import translation

from measures.models import CurrentLight
from measures.models import Indicator
from measures.models import Measurement
from measures.models import Target
from measures.status_engine import status_recompute_all
from objectives.models import Action
from objectives.models import ProcessGoal
from projects.models import BudgetLine
from projects.models import Expenditure
from projects.models import Membership
from projects.models import PlanMilestone
from projects.models import PlanVersion
from projects.models import ProgrammeRole
from projects.models import Project
from projects.models import Region
from projects.models import Risk
from projects.selectors import budget_summary
from reporting.demo.loader import demo_load

from .helpers import rows

pytestmark = pytest.mark.django_db

# What the plans contain (shared/design/seeds-*.md counts): process goals, benefit goals,
# actions, indicators.
EXPECTED = {
    # 000: 5+26+21 process goals; benefit goals §2.2.1, §2.2.3, §2.2.5 (L263-342, L485-509):
    # 6+8+10 sentences with their tags; 17+26+23 actions; no indicator named
    "13": ("Keski-Suomi", 52, 24, 66, 0),
    # 001: 8 Table 1 goals; section 2.1's 23 paragraphs (2.1.1-2.1.5); Table 1 (54 rows) +
    # chapter 3 (150 items: 147 + MONNI's three sub-items)
    "14": ("Etelä-Pohjanmaa", 8, 23, 204, 72),
    # 002: no benefit goals (organised by RRF investments); 34 actions (2022) + 55 (2023–2025)
    "16": ("Keski-Pohjanmaa", 19, 0, 89, 15),
    # 003: Taulukko 1 has 23 process goals; 2.1.1-2.1.5: 5 goals with 22 sub-goals
    "10": ("Etelä-Savo", 23, 27, 58, 6),
}


def _counts() -> dict[str, tuple]:
    rows = Project.objects.values("region__code").annotate(
        process=Count("goals", filter=Q(goals__kind="process"), distinct=True),
        benefit=Count("goals", filter=Q(goals__kind="benefit"), distinct=True),
        actions=Count("actions", distinct=True),
        indicators=Count("indicators", distinct=True),
    )
    return {
        r["region__code"]: (r["process"], r["benefit"], r["actions"], r["indicators"]) for r in rows
    }


def _table_sizes() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_counts_per_region_match_the_plans(demo_db):
    counts = _counts()
    for code, (name, process, benefit, actions, indicators) in EXPECTED.items():
        assert Region.objects.get(code=code).name_fi == name
        assert counts[code] == (process, benefit, actions, indicators), name


@pytest.mark.parametrize(
    ("region", "package", "number", "title_start"),
    rows(
        "13 | K1 | 1 | Kiireettömän hoidon jonot puretaan",
        "13 | K2-DIAB | 4 | Ylipainon ehkäisyssä otetaan käyttöön Wiitaunionissa",
        "13 | K2-PAL | 4 | Erikoissairaanhoitoon järjestetään vuodeosastopaikkoja",
        "13 | K3-D | 4 | Perustetaan maakunnallinen perheoikeudellisten palveluiden yksikkö",
        "14 | G2 | 5 | Palveluaikojen laajentaminen ilta- ja viikonloppuvastaanottoihin",
        "14 | G5 | 31 | Maksuton ehkäisy otetaan käyttöön koko hyvinvointialueella",
        "14 | 3.2.1 | F4 | Laajennetaan MARAK-toimintamalli koko hyvinvointialueelle",
        "16 | I1b | I1b-22-5 | Suun terveydenhuollossa joustavan ajanvarauksen kokeilu",
        "16 | I4-3 | I4-3-25-4 | Digiohjelman päivittäminen hyvinvointialueelle",
        "10 | TP2 | A1.2.1 | Otetaan käyttöön sähköinen hoidon-/palveluntarpeen arviointi",
        "10 | TP2 | A1.2.5 | Kehitetään palvelutarpeen arviointia ja pilotoidaan",
        # 3.2.1-G4 "MONNI" keeps its three sub-items (001:L1448-1455)
        "14 | 3.2.1 | G4 | Jatketaan ja jalkautetaan MONNI-hankkeessa tehtyä",
        "14 | 3.2.1 | G4a | Jatketaan kokemusasiantuntijarakenteen kehittämistä",
        "14 | 3.2.1 | G4b | Jatketaan osallisuusmittarin käyttöönottoa ja juurruttamista",
        "14 | 3.2.1 | G4c | Valmistellaan vaativan sijaishuollon ja erikoissairaanhoidon",
    ),
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


def test_002s_1_304_000_is_the_2022_application_not_the_hankes_total(demo_db):
    # L2700-2708: the 2022 application; the hanke runs to 2025 and the plan gives no total
    project = Project.objects.get(region__code="16")
    assert project.funding_total is None
    summary = budget_summary(project=project, today=date(2022, 6, 30))
    assert (summary.budget, summary.budget_basis) == (Decimal("1304000"), "lines")
    assert summary.period == (date(2022, 1, 1), date(2022, 12, 31))


def test_002_budget_lines_carry_the_plans_cost_types(demo_db):
    # L2714-2774: euros and person-years per development section, not split by cost type
    # (the split is in the budget form the plan leaves out); coordination is staff work
    # input; the digital tools with 0 person-years are no personnel cost.
    lines = BudgetLine.objects.filter(project__region__code="16")
    category = {line.line: line.category for line in lines}
    assert category["Investointi 4: Henkilöstön digipöytä"] == "ict"
    assert category["Investointi 4: Monialaisen asiakasohjauksen digityövälineet"] == "ict"
    assert category["Investointi 1: Suun terveydenhuolto"] == "not_split"
    assert (
        category["Investointi 2: Hankekoordinaation työpanosta: hankekoordinaattori (50%)"]
        == "personnel"
    )
    assert Counter(category.values()) == {"not_split": 14, "personnel": 2, "ict": 2}
    assert not lines.filter(category="ict", person_years__gt=0).exists()


def test_001_spent_559_320_euros_by_30_6_2021_is_spending_not_a_budget_line(demo_db):
    # 001:L1977-1978 "Viimeisen maksatusjakson jälkeen kirjapidon mukaan 30.6.2021
    # kustannuksista on mennyt 559 320 €"
    project = Project.objects.get(region__code="14")
    spent = Expenditure.objects.get(project=project)
    assert (spent.date, spent.amount, spent.category) == (
        date(2021, 6, 30),
        Decimal("559320"),
        "not_split",
    )
    assert not BudgetLine.objects.filter(project=project, amount=Decimal("559320")).exists()
    summary = budget_summary(project=project, today=date(2021, 6, 30))
    assert summary.spent == Decimal("559320")


def test_001_total_with_the_supplementary_call_runs_with_its_plan_to_2023(demo_db):
    # 8 533 000 € includes the supplementary call (L1976-1977), whose plan runs 2021-2023
    # (L73-74, L1169-1170); the 2,8 M€ of 1.1.2020-31.12.2022 stays a budget line (L1961)
    project = Project.objects.get(region__code="14")
    assert project.funding_total == Decimal("8533000")
    assert (project.start_date, project.end_date) == (date(2020, 1, 1), date(2023, 12, 31))
    assert BudgetLine.objects.filter(project=project, amount=Decimal("2800000")).exists()


def test_004s_2015_risks_belong_to_the_region_not_to_the_2020_hanke(demo_db):
    project = Project.objects.get(region__code="13")
    regional = Risk.objects.filter(region__code="13", project=None)
    assert regional.count() == 7
    assert set(regional.values_list("source_document", flat=True)) == {"004_88a4519a8b70645b.txt"}
    assert project.risks.count() == 8
    assert not project.risks.filter(source_document__startswith="004_").exists()


def test_strict_targets_keep_yli_as_a_bound(demo_db):
    # 002:L689-698 "yli 10 %", "yli 25 %", "yli 30 %", "45 %"
    targets = Target.objects.filter(indicator__project__region__code="16", indicator__code="I1-M8")
    by_year = {t.target_date.year: (t.value, t.strict, t.value_as_written) for t in targets}
    assert by_year[2022] == (Decimal("10"), True, "yli 10 %")
    assert by_year[2025] == (Decimal("45"), False, "45 %")


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


# --- Texts as written ------------------------------------------------------------------------


def test_texts_are_kept_as_written_not_summarised(demo_db):
    def title(model, region, number, **kw):
        return model.objects.get(project__region__code=region, number=number, **kw).title_fi

    # 002: the sentences the transcription had dropped (L610-618, L964-979)
    goal = title(ProcessGoal, "16", "4", work_package__code="I1")
    assert "Myös palvelujen järjestäminen sote-keskuksen ja erikoissairaanhoidon" in goal
    assert goal.endswith("erikoissairaanhoidosta perustason palveluihin.")
    action = title(Action, "16", "I1b-22-7")
    assert "Neuvolatyöhön resursoidaan työntekijä" in action
    assert action.endswith("tämäntyyppisen toiminnan tuloksia ja vaikuttavuutta.")
    # 003 (OCR repaired): L574-580, L663-670, L760-766, L846-848
    assert "Yhteistasiakkuus (tilanne yksinkertainen, pärjääminen vaikeaa)" in title(
        Action, "10", "A1.1.1"
    )
    assert "• Kotipalvelun maksuttomuus kokeilu •" in title(Action, "10", "A1.3.6")
    assert "Duodecimin päätöksenteon tuki tai muu vastaava työväline." in title(
        Action, "10", "A3.3.1"
    )
    assert title(Action, "10", "A4.1.8").endswith(
        "konsultatiivisen työotteen levittämiseksi pedagogisessa toimintaympäristössä."
    )
    # 001 row 40 and chapter 3's K4 that repeats it: the whole cell (L881-893)
    assert title(Action, "14", "40").endswith(
        "(erityisesti kirjaamiskäytännöt) sote-integroiduissa palveluissa"
    )


# --- Benefit goals ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "package", "number", "hts", "as_written", "title_start"),
    [
        ("13", "K1", "H1", [1], "(HT1)", "Keski-Suomen tulevaisuuden sote-keskus -hankkeen"),
        ("13", "K1", "H4", [], "", "Keski-Suomen digitaalisen sote-keskuksen (OmaKS.fi"),
        ("13", "K1", "H5", [1, 2], "(HT1, HT2)", "Puhelinpalvelun ja digitaalisten"),
        ("13", "K2", "H4", [4, 5], "(HT4, HT5)", "Valituissa kokonaisuuksissa"),
        ("13", "K3", "H5", [3, 4], "(HT4, HT3)", "Kaikissa Keski-Suomen kunnissa"),
        (
            "14",
            "2.1",
            "2.1.1-2",
            [1],
            "2.1.1 Saatavuus, oikea-aikaisuus, jatkuvuus",
            "Kiireettömään",
        ),
        ("14", "2.1", "2.1.5-2", [5], "2.1.5 Kustannusten nousun hillintä", "Asiakastietojen"),
        (
            "10",
            "2.1",
            "2.1.1-1",
            [1],
            "2.1.1 Saatavuus, oikea-aikaisuus, jatkuvuus",
            "vastata 7 päivän",
        ),
        (
            "10",
            "2.1",
            "2.1.5",
            [5],
            "2.1.5 Kustannusten nousun hillintä",
            "Tavoitteena on sosiaali-",
        ),
    ],
)
def test_benefit_goals_carry_their_ht_tags_as_in_the_plan(
    demo_db, region, package, number, hts, as_written, title_start
):
    goal = ProcessGoal.objects.get(
        project__region__code=region, work_package__code=package, number=number
    )
    assert goal.kind == "benefit"
    assert sorted(goal.benefit_targets.values_list("number", flat=True)) == hts
    assert goal.ht_as_written == as_written
    assert goal.title_fi.startswith(title_start)


def test_every_benefit_goal_of_001_and_003_serves_its_sections_ht(demo_db):
    goals = ProcessGoal.objects.filter(kind="benefit", project__region__code__in=["14", "10"])
    for goal in goals:
        section = int(goal.number.split("-")[0].split(".")[2])  # "2.1.3-4" -> 3
        assert list(goal.benefit_targets.values_list("number", flat=True)) == [section]


# --- Statuses: what the plans say, and "not reported" where they say nothing -----------------


def _action(region, package, number) -> Action:
    return Action.objects.get(
        project__region__code=region, work_package__code=package, number=number
    )


@pytest.mark.parametrize(
    ("region", "package", "number", "status", "as_written"),
    rows(
        "14 | G1    | 1        | in_progress  | Käynnissä",
        "14 | G2    | 5        | starting     | Käynnistymässä",
        "14 | G2    | 9        | not_started  | Uusi",
        # a pointer to another row, not a status (001:L467-469)
        "14 | G3    | 13       | not_reported | Toteutuu kohdassa kuntoutus (alla)",
        # chapter 3 repeating a Table 1 row takes the row's status, with the row named
        "14 | 3.2.1 | E5       | in_progress  | Käynnissä (Taulukko 1, rivi 15)",
        "14 | 3.2.1 | A1       | in_progress  | Käynnissä (Taulukko 1, rivi 1)",
        "14 | 3.2.4 | M1       | in_progress  | Käynnissä (Taulukko 1, rivi 1)",
        "14 | 3.2.1 | F4       | not_reported |",
        # 000: OmaKS.fi opened in May 2021 (000:L1180-1182)
        "13 | K1    | 3        | in_progress  |",
        "13 | K1    | 1        | not_reported |",
        "16 | I1b   | I1b-22-5 | not_reported |",
        "10 | TP2   | A1.2.1   | not_reported |",
    ),
)
def test_sampled_action_states(demo_db, region, package, number, status, as_written):
    action = _action(region, package, number)
    assert action.status == status
    if as_written:
        assert action.status_as_written == as_written
    elif status == "not_reported":
        assert action.status_as_written == ""


def test_000s_omaks_action_quotes_what_the_plan_says_happened(demo_db):
    action = _action("13", "K1", "3")
    assert action.status_as_written.startswith("Toukokuussa 2021 avautunut OmaKS.fi")


def test_plans_without_a_status_column_are_not_reported(demo_db):
    statuses = dict(
        Project.objects.values_list("region__code")
        .annotate(
            reported=Count("actions", filter=~Q(actions__status="not_reported")),
        )
        .values_list("region__code", "reported")
    )
    assert statuses == {"13": 1, "14": 54 - 1 + 6, "16": 0, "10": 0}


def test_no_region_or_hanke_is_red_because_of_a_status_no_plan_stated(demo_db):
    # given the demo data as loaded, computed today (every 002 schedule has passed)
    status_recompute_all(today=date(2026, 12, 6))
    # then no action without a stated status is late, so nothing above is red for it
    not_reported = Action.objects.filter(status="not_reported").values_list("pk", flat=True)
    rows = CurrentLight.objects.filter(kind="action", object_id__in=list(not_reported))
    assert rows.count() == len(not_reported) > 300
    assert set(rows.values_list("light", "reason_code")) == {("grey", "action_not_reported")}
    assert not CurrentLight.objects.filter(kind="action", light="red").exists()
    kp = Project.objects.get(region__code="16")
    hanke = CurrentLight.objects.get(kind="project", object_id=kp.pk, ht=0)
    region = CurrentLight.objects.get(kind="region", object_id=kp.region_id, ht=0)
    assert hanke.light != "red"
    assert region.light != "red"
    assert not CurrentLight.objects.filter(kind__in=["project", "region"], light="red").exists()
    with translation.override("fi"):
        row = rows.first()
        assert row.assessment.reason.text == "Ei raportoitu: suunnitelma ei kerro tilaa"


# --- People and sources ----------------------------------------------------------------------


def test_demo_owners_are_marked_as_demo_users(demo_db):
    owners = get_user_model().objects.filter(owned_actions__isnull=False).distinct()
    assert owners.count() == 4  # the four regions' demo workers
    for user in owners:
        assert user.get_full_name().endswith("(demo)"), user.username


def test_sources_read_as_the_region_plan_and_its_place(demo_db):
    with translation.override("en"):
        assert _action("14", "G3", "15").source_label == "South Ostrobothnia plan, Table 1, row 15"
        assert _action("13", "K1", "3").source_label == "Central Finland plan, lines 679–685"
    with translation.override("fi"):
        label = _action("14", "G3", "15").source_label
        assert label == "Etelä-Pohjanmaa: hankesuunnitelma, taulukko 1, rivi 15"
    for action in Action.objects.select_related("project__region")[:50]:
        assert ".txt" not in action.source_label


# --- The plans' phases as plan milestones (issue 15, point 3: "phases as plan milestones") --

# 000: four yearly phases (L617-645) and five interim evaluations (L1232-1233); 003: five
# undated phases (Kuva 1); 001 and 002 describe no phases.
MILESTONES = {"13": 9, "14": 0, "16": 0, "10": 5}


def test_plan_phases_are_loaded_as_milestones_per_region(demo_db):
    counts = dict(
        Project.objects.values_list("region__code").annotate(n=Count("milestones")).order_by()
    )
    assert counts == MILESTONES


def test_keski_suomi_phases_keep_their_years_and_text_as_written(demo_db):
    phases = list(
        PlanMilestone.objects.filter(project__region__code="13", kind="phase").order_by("order")
    )
    assert [p.title_fi for p in phases] == [
        "Ensivaihe",
        "Toinen vaihe",
        "Kolmas vaihe",
        "Neljäs vaihe",
    ]
    assert [p.schedule_text for p in phases] == [f"vuonna {y}" for y in range(2020, 2024)]
    assert [(p.planned_start, p.planned_end) for p in phases] == [
        (date(y, 1, 1), date(y, 12, 31)) for y in range(2020, 2024)
    ]
    second = phases[1]
    assert second.description_fi.startswith("Toisessa vaiheessa (vuonna 2021) syvennetään")
    assert "OmaKS.fi aloittaa toiminnan" in second.description_fi
    assert second.plan_version.key == "plan-2021"
    with translation.override("fi"):
        assert second.source_label == "Keski-Suomi: hankesuunnitelma, rivit 622–630"
    assert second.history.count() == 1  # attributable: loaded with a history row


def test_keski_suomi_interim_evaluations_are_dated_milestones(demo_db):
    evaluations = PlanMilestone.objects.filter(
        project__region__code="13", kind="evaluation"
    ).order_by("order")
    assert [(e.schedule_text, e.planned_start, e.planned_end) for e in evaluations] == [
        ("lokakuussa 2020", date(2020, 10, 1), date(2020, 10, 31)),
        ("huhtikuussa 2021", date(2021, 4, 1), date(2021, 4, 30)),
        ("lokakuussa 2021", date(2021, 10, 1), date(2021, 10, 31)),
        ("huhtikuussa 2022", date(2022, 4, 1), date(2022, 4, 30)),
        ("lokakuussa 2022", date(2022, 10, 1), date(2022, 10, 31)),
    ]
    assert {e.title_fi for e in evaluations} == {"Väliarviointi"}


def test_etela_savo_phases_are_undated_as_in_the_plan(demo_db):
    phases = list(PlanMilestone.objects.filter(project__region__code="10").order_by("order"))
    assert phases[1].title_fi == "Toiminnan muutoksen käynnistäminen ketterillä kokeiluilla"
    assert phases[4].title_fi == "Arviointi ja jatkokehityssuunnitelmien laatiminen"
    assert all(p.planned_start is None and p.planned_end is None for p in phases)
    assert all(p.schedule_text == "" for p in phases)  # Kuva 1 dates none of them
    assert phases[0].description_fi.startswith("Hanke käynnistyy lähtötilanteen arvioinnilla")
    assert phases[2].description_fi == ""  # nothing more than the figure's words


@pytest.mark.expected_seconds(10)  # a real second load
def test_second_load_changes_nothing_but_removes_a_phase_no_longer_in_the_file(demo_db):
    # One second load of the whole demo (seconds of Python) proves both: the load is
    # idempotent, and a seed row the file no longer describes is pruned. (That a second load
    # with nothing to prune says "nothing changed": test_demo_without_generated.py.)
    # given a loaded database, and a phase of a seed document that its file no longer has
    before = _table_sizes()
    project = Project.objects.get(region__code="13")
    stray = PlanMilestone.objects.create(
        project=project,
        key="vaihe-9",
        title_fi="Poistettu vaihe",
        source_document=project.source_document,
        source_ref="L1",
    )
    # when loading again
    report = demo_load(data_dir=settings.DEMO_DATA_DIR)
    # then the stray phase is removed
    assert not PlanMilestone.objects.filter(pk=stray.pk).exists()
    assert PlanMilestone.objects.filter(project=project).count() == 9
    # and that is the load's one change: nothing created, nothing else updated
    assert report.created == Counter()
    assert report.updated == Counter({"planmilestone removed": 1})
    assert report.changes == 1
    assert report.summary() == "Demo data loaded (+ created, ~ updated): planmilestone removed: ~1"
    # and the stray's own history (made here, removed by the load) is all that is new
    history = "projects.HistoricalPlanMilestone"
    assert _table_sizes() == {**before, history: before[history] + 2}


def test_monitoring_and_reporting_rules_are_plan_facts_as_written(demo_db):
    follow_up = {
        v.project.region.code: v
        for v in PlanVersion.objects.exclude(follow_up_fi="").select_related("project__region")
    }
    assert set(follow_up) == {"13", "10"}  # 001 and 002 state no such rule
    keski_suomi = follow_up["13"].follow_up_fi
    assert "seurataan yhtenäisillä mittareilla kuukausittain (HT3)" in keski_suomi
    assert "arvioidaan vuosittain sovituilla mittareilla" in keski_suomi
    assert "Väliarvioinnit toteutetaan lokakuussa 2020, huhtikuussa 2021" in keski_suomi
    assert (
        "Hankehallinnoija raportoi hankkeen etenemisestä Hankesalkku-palveluun kuukausittain."
        in (follow_up["10"].follow_up_fi)
    )
    with translation.override("fi"):
        assert follow_up["13"].follow_up_source_label == (
            "Keski-Suomi: hankesuunnitelma, rivit 318–322, 647–648, 1230–1233"
        )
        assert (
            follow_up["10"].follow_up_source_label == "Etelä-Savo: hankesuunnitelma, rivit 203–207"
        )
