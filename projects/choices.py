from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    JOINT_AUTHORITY = "joint_authority", _("Joint municipal authority")
    HOSPITAL_DISTRICT = "hospital_district", _("Hospital district")
    WELLBEING_COUNTY = "wellbeing_county", _("Wellbeing services county")
    STATE_AGENCY = "state_agency", _("State agency")
    UNIVERSITY = "university", _("University or college")
    NGO = "ngo", _("NGO")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class ParticipantRole(models.TextChoices):
    COORDINATOR = "coordinator", _("Coordinator")
    PARTICIPANT = "participant", _("Participant")
    PARTNER = "partner", _("Partner")


class MembershipRole(models.TextChoices):
    STEERING = "steering", _("Steering group member")
    MANAGER = "manager", _("Project manager")
    WORKER = "worker", _("Project worker")


class ProgrammeRoleKind(models.TextChoices):
    ADMIN = "admin", _("Programme admin")
    VIEWER = "viewer", _("Ministry / THL viewer")


class BudgetCategory(models.TextChoices):
    PERSONNEL = "personnel", _("Personnel")
    PURCHASED_SERVICES = "purchased_services", _("Purchased services")
    ICT = "ict", _("ICT")
    PREPARATION = "preparation", _("Preparation")
    OTHER = "other", _("Other costs")
    # An amount the source gives without its cost types (002's development sections with
    # both person-years and purchases; 001's spending to date): itemised, not a total.
    NOT_SPLIT = "not_split", _("Not split by cost type")
    TOTAL = "total", _("Total (not itemised)")


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MONITORED = "monitored", _("Monitored")
    REALISED = "realised", _("Realised")
    CLOSED = "closed", _("Closed")


class BodyKind(models.TextChoices):
    STEERING_GROUP = "steering_group", _("Steering group")
    WORKING_GROUP = "working_group", _("Working group")
    ADVISORY_BOARD = "advisory_board", _("Advisory board")
    DEVELOPMENT_UNIT = "development_unit", _("Development unit")
    PROJECT_OFFICE = "project_office", _("Project office")
    NETWORK = "network", _("Network")
    DECISION_BODY = "decision_body", _("Decision-making body")
    OTHER = "other", _("Other")


class PlanChange(models.TextChoices):
    NONE = "", _("Unchanged")
    NEW = "new", _("New in this plan version")
    CHANGED = "changed", _("Changed in this plan version")


class MilestoneKind(models.TextChoices):
    """What a point of a plan's timeline is (issue 15)."""

    PHASE = "phase", _("Phase")
    EVALUATION = "evaluation", _("Interim evaluation")
