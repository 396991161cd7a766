"""Regions, organisations, the programme, hankkeet and what hangs directly on them."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history
from simple_history.models import HistoricalRecords

from portal.lights import IndicatorThresholds
from portal.lights import RollupThresholds
from portal.lights import validate_bands
from portal.models_common import Localized
from portal.models_common import Retirable
from portal.models_common import SourceRef
from portal.models_common import Timestamped
from portal.models_common import dates_in_order
from portal.models_common import readable_reference

from .choices import BodyKind
from .choices import BudgetCategory
from .choices import MembershipRole
from .choices import MilestoneKind
from .choices import OrganisationKind
from .choices import ParticipantRole
from .choices import PlanChange
from .choices import ProgrammeRoleKind
from .choices import RiskStatus
from .finance import SpendingThresholds
from .finance import validate_spending_bands


class Region(Localized, SourceRef):
    code = models.CharField(_("code"), max_length=10, unique=True)
    name_fi = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    sotkanet_id = models.PositiveIntegerField(_("Sotkanet region id"), null=True, blank=True)

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name_fi


class Organisation(Localized, SourceRef):
    name_fi = models.CharField(_("name (Finnish)"), max_length=300, unique=True)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organisations",
    )

    class Meta:
        ordering = ["name_fi"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name_fi


def _share(label, default: str) -> models.DecimalField:
    """A threshold between 0 and 1 with two decimals (a share of progress, items or budget)."""
    return models.DecimalField(label, max_digits=4, decimal_places=2, default=Decimal(default))


def _bands_in_order(light: str, low: str, high: str) -> models.CheckConstraint:
    """The two thresholds of a programme's `light` are in order: 0 < `low` < `high` ≤ 1."""
    return models.CheckConstraint(
        condition=Q(**{f"{low}__gt": 0}) & Q(**{f"{high}__gt": F(low)}) & Q(**{f"{high}__lte": 1}),
        name=f"programme_{light}_bands_in_order",
    )


class Programme(Localized, models.Model):
    """The national programme; it also holds the traffic-light thresholds an admin may tune."""

    name_fi = models.CharField(_("name (Finnish)"), max_length=300)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    indicator_green_ratio = _share(_("indicator green from (share of expected progress)"), "0.90")
    indicator_yellow_ratio = _share(_("indicator yellow from (share of expected progress)"), "0.60")
    # Rollups: the share of the assessed items below that is behind (design README §4).
    rollup_yellow_share = _share(_("rollup yellow from (share of assessed items behind)"), "0.10")
    rollup_red_share = _share(_("rollup red from (share of assessed items behind)"), "0.25")
    # Spending light: the gap between the share of the budget used and the share the
    # straight line expects by now, in either direction (too slow warns as much as too fast).
    spending_yellow_gap = _share(
        _("spending yellow from (gap between used and expected share)"), "0.10"
    )
    spending_red_gap = _share(_("spending red from (gap between used and expected share)"), "0.25")
    reminder_days_before = models.PositiveSmallIntegerField(
        _("reporting reminder, days before the due date"),
        default=7,
        help_text=_(
            "Project managers whose self-assessment is not submitted get an e-mail this many "
            "days before a round's due date."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="programme_dates_in_order"
            ),
            _bands_in_order("indicator", "indicator_yellow_ratio", "indicator_green_ratio"),
            _bands_in_order("rollup", "rollup_yellow_share", "rollup_red_share"),
            _bands_in_order("spending", "spending_yellow_gap", "spending_red_gap"),
        ]

    def __str__(self) -> str:
        return self.name_fi

    def clean(self) -> None:
        errors = validate_bands(
            green_ratio=self.indicator_green_ratio,
            yellow_ratio=self.indicator_yellow_ratio,
            yellow_share=self.rollup_yellow_share,
            red_share=self.rollup_red_share,
        )
        errors |= validate_spending_bands(
            yellow_gap=self.spending_yellow_gap, red_gap=self.spending_red_gap
        )
        if errors:
            raise ValidationError(errors)

    def indicator_thresholds(self):
        return IndicatorThresholds(self.indicator_green_ratio, self.indicator_yellow_ratio)

    def rollup_thresholds(self):
        return RollupThresholds(self.rollup_yellow_share, self.rollup_red_share)

    def spending_thresholds(self):
        return SpendingThresholds(self.spending_yellow_gap, self.spending_red_gap)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProjectQuerySet:
        """Hankkeet the user may see: all for programme roles, else their hankkeet and regions."""
        roles = roles_for(user)
        if roles.programme:
            return self.all()
        if not roles.projects and not roles.regions:
            return self.none()
        return self.filter(Q(pk__in=list(roles.projects)) | Q(region_id__in=list(roles.regions)))


class Project(Localized, SourceRef, Timestamped):
    """A hanke: one region's development project funded by the programme."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="projects"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="projects"
    )
    name_fi = models.CharField(_("name (Finnish)"), max_length=300)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    coordinator = models.ForeignKey(
        Organisation,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="coordinated_projects",
    )
    participants = models.ManyToManyField(
        Organisation,
        verbose_name=_("participants"),
        through="ProjectOrganisation",
        related_name="projects",
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    funding_total = models.DecimalField(
        _("total funding (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    description_fi = models.TextField(_("description (Finnish)"), blank=True)
    description_sv = models.TextField(_("description (Swedish)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status_dirty_at = models.DateTimeField(
        _("status changed, not yet recomputed"), null=True, blank=True, editable=False
    )
    # Set with the dirty mark by every change a light depends on (a status, a value, a
    # target, an import): the overview's "last update" without reading those tables.
    last_change_at = models.DateTimeField(_("last update"), null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["region__name_fi", "name_fi"]
        verbose_name = _("hanke")
        verbose_name_plural = _("hankkeet")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "name_fi"], name="project_unique_name_in_region"
            ),
            dates_in_order("start_date", "end_date", "project_dates_in_order"),
            models.CheckConstraint(
                condition=Q(funding_total__isnull=True) | Q(funding_total__gte=0),
                name="project_funding_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name_fi


class ProjectOrganisation(models.Model):
    """An organisation's role in a hanke over a period (the coordinator may change)."""

    project = models.ForeignKey(Project, verbose_name=_("hanke"), on_delete=models.CASCADE)
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT
    )
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole.choices)
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["project", "role", "valid_from", "organisation__name_fi"]
        verbose_name = _("participating organisation")
        verbose_name_plural = _("participating organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organisation", "role"], name="project_org_role_unique"
            ),
            dates_in_order("valid_from", "valid_to", "project_org_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class PlanVersion(SourceRef, models.Model):
    """A plan as issued; later versions supersede earlier ones."""

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="plan_versions"
    )
    key = models.SlugField(_("key"), max_length=50)
    name = models.CharField(_("name"), max_length=200)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    # What the plan says of how the hanke is followed up and reported (000's monthly
    # monitoring and interim evaluations, 003's monthly reporting), as written, and where.
    follow_up_fi = models.TextField(_("follow-up and reporting as written"), blank=True)
    follow_up_ref = models.CharField(
        _("place of the follow-up text"),
        max_length=100,
        blank=True,
        help_text=_("Page or lines, e.g. L290-295"),
    )
    supersedes = models.ForeignKey(
        "self",
        verbose_name=_("supersedes"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="superseded_by",
    )

    class Meta:
        ordering = ["project", "issued_on", "id"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="plan_version_unique_key"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def follow_up_source_label(self) -> str:
        """Where the follow-up text stands, in words ("Keski-Suomi plan, lines 318–322, …")."""
        if not (self.follow_up_fi and self.source_document):
            return ""
        place = readable_reference(self.follow_up_ref)
        document = self.source_document_label()
        return f"{document}, {place}" if place else document

    def clean(self) -> None:
        if self.supersedes_id and self.supersedes.project_id != self.project_id:
            raise ValidationError(
                {"supersedes": _("A plan can only supersede a plan of the same hanke.")}
            )


class Classification(models.Model):
    """A classification beside the HTs, e.g. the EU recovery fund's investment lines (RRF I1–I4)."""

    scheme = models.CharField(_("scheme"), max_length=30)
    code = models.CharField(_("code"), max_length=30)
    name_fi = models.CharField(_("name (Finnish)"), max_length=300)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)

    class Meta:
        ordering = ["scheme", "code"]
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.code}: {self.name_fi}"


class WorkPackage(Localized, SourceRef, Retirable):
    """A kärki, työpaketti or investment line; at most two levels deep."""

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="work_packages"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=30)
    name_fi = models.CharField(_("name (Finnish)"), max_length=400)
    name_sv = models.CharField(_("name (Swedish)"), max_length=400, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=400, blank=True)
    kind_as_written = models.CharField(_("kind as written"), max_length=60, blank=True)
    classification = models.ForeignKey(
        Classification,
        verbose_name=_("classification"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="work_packages",
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="work_packages",
    )
    change = models.CharField(
        _("change in plan version"), max_length=10, choices=PlanChange.choices, blank=True
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        ordering = ["project", "order", "code"]
        verbose_name = _("work package")
        verbose_name_plural = _("work packages")
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="work_package_unique_code"),
            models.CheckConstraint(
                condition=~Q(parent=F("id")), name="work_package_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_fi}"

    def clean(self) -> None:
        if self.parent_id is None:
            return
        if self.parent.project_id != self.project_id:
            raise ValidationError({"parent": _("The parent must belong to the same hanke.")})
        if self.parent.parent_id is not None:
            raise ValidationError({"parent": _("Work packages can be at most two levels deep.")})


class MembershipQuerySet(models.QuerySet):
    def in_force(self, on: date | None = None) -> MembershipQuerySet:
        """Memberships in force on `on` (today by default), whoever holds them."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )

    def active(self, on: date | None = None) -> MembershipQuerySet:
        """Memberships in force on `on` (today by default) of active users."""
        return self.in_force(on).filter(user__is_active=True)


class Membership(Timestamped):
    """A person's role in one hanke, or (steering groups) in one region's hankkeet.

    One membership per user and hanke (and per user and region). Ending a membership sets
    `valid_to`; the row stays, so history shows who had access when.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        help_text=_("For a role over all hankkeet of a region (e.g. a regional steering group)"),
    )
    role = models.CharField(_("role"), max_length=20, choices=MembershipRole.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["project", "region", "role", "user__username"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project"], name="membership_one_per_user_project"
            ),
            models.UniqueConstraint(
                fields=["user", "region"], name="membership_one_per_user_region"
            ),
            models.CheckConstraint(
                condition=(Q(project__isnull=False) & Q(region__isnull=True))
                | (Q(project__isnull=True) & Q(region__isnull=False)),
                name="membership_hanke_or_region",
            ),
            dates_in_order("valid_from", "valid_to", "membership_dates_in_order"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.project or self.region} ({self.get_role_display()})"


class ProgrammeRole(Timestamped):
    """A programme-wide role: THL project office (admin) or ministry/THL viewer."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="programme_role",
    )
    role = models.CharField(_("role"), max_length=20, choices=ProgrammeRoleKind.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["role", "user__username"]
        verbose_name = _("programme role")
        verbose_name_plural = _("programme roles")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# --- The roles a user holds today ------------------------------------------------------------
# Read here, beside the rows they come from, so that `Project.objects.visible_to` and
# projects.access (which imports this module) share them without an import cycle.


@dataclass(frozen=True)
class Roles:
    programme: str | None = None
    projects: dict[int, str] = field(default_factory=dict)
    regions: dict[int, str] = field(default_factory=dict)


def roles_for(user) -> Roles:
    """The user's roles in force today: two queries, once per request (kept on the user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Roles()
    cached = getattr(user, "_portal_roles", None)
    if cached is not None:
        return cached
    roles = _roles_load(user)
    user._portal_roles = roles
    return roles


def _roles_load(user) -> Roles:
    """The roles of an active user (`roles_for` has checked): the user's own rows in force,
    without the joins of `active()` and of the models' default order."""
    # "admin" before "viewer": a user with both is an admin (the order the model's own
    # ordering gave, by role).
    programme = ProgrammeRole.objects.in_force().filter(user=user).order_by("role")
    admin = ProgrammeRoleKind.ADMIN.value
    programme_role = (
        admin if user.is_superuser else next(iter(programme.values_list("role", flat=True)), None)
    )
    projects, regions = {}, {}
    for project_id, region_id, role in (
        Membership.objects.in_force()
        .filter(user=user)
        .order_by("id")
        .values_list("project_id", "region_id", "role")
    ):
        if project_id:
            projects[project_id] = role
        else:
            regions[region_id] = role
    return Roles(programme_role, projects, regions)


def forget_roles(user) -> None:
    """Drop the cached roles (after a membership of this user changed)."""
    if hasattr(user, "_portal_roles"):
        del user._portal_roles


class BudgetLine(SourceRef):
    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="budget_lines"
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        help_text=_("Empty when the figure covers the whole hanke"),
    )
    category = models.CharField(_("category"), max_length=30, choices=BudgetCategory.choices)
    line = models.CharField(_("line"), max_length=300)
    amount = models.DecimalField(
        _("amount (€)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    person_years = models.DecimalField(
        _("person-years"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    funded_elsewhere = models.BooleanField(_("funded from another source"), default=False)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "year", "category", "line"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "year", "category", "line"],
                name="budget_line_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="budget_amount_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(person_years__isnull=True) | Q(person_years__gte=0),
                name="budget_person_years_non_negative",
            ),
        ]

    def __str__(self) -> str:
        year = self.year or "–"
        return f"{year} {self.line}"


class Expenditure(Timestamped):
    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="expenditures"
    )
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expenditures",
    )
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (€)"), max_digits=14, decimal_places=2)
    category = models.CharField(
        _("cost category"), max_length=30, choices=BudgetCategory.choices, default="other"
    )
    description = models.CharField(_("description"), max_length=300)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set on a periodic total imported from the finance system (projects/finance_import.py):
    # the last day of the period it covers. One total per budget line and period, so
    # importing the same file again updates instead of adding.
    imported_period = models.DateField(_("imported period ending"), null=True, blank=True)

    class Meta:
        ordering = ["project", "-date"]
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="expenditure_non_negative"),
            models.UniqueConstraint(
                fields=["budget_line", "imported_period"],
                condition=Q(imported_period__isnull=False),
                name="expenditure_one_import_per_line_period",
            ),
            models.CheckConstraint(
                condition=Q(imported_period__isnull=True) | Q(budget_line__isnull=False),
                name="expenditure_import_has_line",
            ),
        ]

    def clean(self) -> None:
        if self.category == BudgetCategory.TOTAL:
            raise ValidationError({"category": _("Choose the cost category of the expense.")})
        if self.budget_line_id and self.budget_line.project_id != self.project_id:
            raise ValidationError(
                {"budget_line": _("The budget line must belong to the same hanke.")}
            )

    def __str__(self) -> str:
        return f"{self.date} {self.amount} €"


class Risk(SourceRef, Timestamped):
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risks",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="risks",
        help_text=_("For risks of a regional structure outside a hanke"),
    )
    title = models.CharField(_("risk"), max_length=400)
    description = models.TextField(_("description"), blank=True)
    cause = models.TextField(_("cause"), blank=True)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    impact = models.PositiveSmallIntegerField(
        _("impact (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    likelihood_as_written = models.CharField(_("likelihood as written"), max_length=100, blank=True)
    impact_as_written = models.CharField(_("impact as written"), max_length=100, blank=True)
    mitigation = models.TextField(_("mitigation"), blank=True)
    owner_text = models.CharField(_("owner"), max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RiskStatus.choices, default=RiskStatus.OPEN
    )
    next_review = models.DateField(_("next review"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "project", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5),
                name="risk_impact_1_5",
            ),
            models.CheckConstraint(
                condition=Q(project__isnull=False) | Q(region__isnull=False),
                name="risk_has_project_or_region",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SteeringMeeting(Timestamped):
    """A meeting of the hanke's steering group (ohjausryhmä): when, who, what was discussed."""

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"))
    attendees = models.TextField(_("attendees"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-date"]
        verbose_name = _("steering group meeting")
        verbose_name_plural = _("steering group meetings")
        constraints = [
            models.UniqueConstraint(fields=["project", "date"], name="meeting_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.date}"


class MeetingDecision(Timestamped):
    """A decision or follow-up item of a meeting; it may point at an action of the plan."""

    meeting = models.ForeignKey(
        SteeringMeeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    text = models.TextField(_("decision"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decisions",
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    action = models.ForeignKey(
        "objectives.Action",
        verbose_name=_("action of the plan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_decisions",
    )
    done = models.BooleanField(_("done"), default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")

    def clean(self) -> None:
        if self.action_id and self.action.project_id != self.meeting.project_id:
            raise ValidationError({"action": _("The action must belong to the same hanke.")})

    def __str__(self) -> str:
        return self.text[:80]


class Body(Localized, SourceRef):
    """A governance body: steering group, working group, advisory board…"""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="bodies"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("hanke"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bodies",
    )
    key = models.SlugField(_("key"), max_length=60)
    kind = models.CharField(_("kind"), max_length=30, choices=BodyKind.choices)
    name_fi = models.CharField(_("name (Finnish)"), max_length=300)
    name_sv = models.CharField(_("name (Swedish)"), max_length=300, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    tasks_fi = models.TextField(_("tasks"), blank=True)
    member_organisations = models.ManyToManyField(
        Organisation, verbose_name=_("member organisations"), blank=True, related_name="bodies"
    )
    members_as_written = models.TextField(_("members as written"), blank=True)

    class Meta:
        ordering = ["region", "kind", "name_fi"]
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        constraints = [
            models.UniqueConstraint(fields=["region", "key"], name="body_unique_key_in_region"),
        ]

    def __str__(self) -> str:
        return self.name_fi


class PlanMilestone(Localized, SourceRef):
    """A phase or milestone of a hanke's timeline as its plan describes it (issue 15): 000's
    four yearly phases and five interim evaluations, 003's five phases. Title and text as
    written; the period as written ("vuonna 2021"), with dates only where the plan states
    them (003's phases have none)."""

    localized_field = "title"

    project = models.ForeignKey(
        Project, verbose_name=_("hanke"), on_delete=models.CASCADE, related_name="milestones"
    )
    plan_version = models.ForeignKey(
        PlanVersion,
        verbose_name=_("plan version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
    )
    key = models.SlugField(_("key"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MilestoneKind.choices, default=MilestoneKind.PHASE
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title_fi = models.CharField(_("title (Finnish)"), max_length=300)
    title_sv = models.CharField(_("title (Swedish)"), max_length=300, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_fi = models.TextField(_("description as written"), blank=True)
    schedule_text = models.CharField(
        _("period as written"), max_length=200, blank=True, help_text=_("e.g. vuonna 2021")
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "order", "key"]
        verbose_name = _("plan milestone")
        verbose_name_plural = _("plan milestones")
        constraints = [
            models.UniqueConstraint(fields=["project", "key"], name="plan_milestone_unique_key"),
            dates_in_order("planned_start", "planned_end", "plan_milestone_dates_in_order"),
        ]

    def __str__(self) -> str:
        return self.title_fi


# Who changed what and when, for the domain models that do not declare `history` above.
for _model in (
    Region,
    Organisation,
    Project,
    ProjectOrganisation,
    PlanVersion,
    Classification,
    WorkPackage,
    Expenditure,
    Body,
):
    register_history(_model)

# Account changes (activation, names, email) are audited too; passwords never enter history.
register_history(
    User,
    app="projects",
    table_name="projects_historicaluser",
    excluded_fields=["password", "last_login"],
)
