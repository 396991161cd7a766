"""Read-only JSON shapes of the open data API. Names come in all three languages."""

from __future__ import annotations

from rest_framework import serializers

from measures.models import Indicator
from measures.models import IndicatorProgress
from measures.models import Measurement
from measures.services import INDICATOR_DESCRIPTION
from objectives.models import Action
from objectives.models import ProcessGoal
from portal.lights import Light
from portal.models_common import in_all_languages
from projects.models import Project
from projects.models import Region


class LightSerializer(serializers.Serializer):
    """A stored light (objectives.status.Assessment): colour, its label and symbol, the reason."""

    light = serializers.ChoiceField(choices=[light.value for light in Light], source="light.value")
    label = serializers.CharField(source="light.label")
    symbol = serializers.CharField(source="light.symbol")
    reason_code = serializers.CharField(source="reason.code")
    reason = serializers.CharField(source="reason.text")
    reason_params = serializers.DictField(source="reason.params")


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name_fi", "name_sv", "name_en", "population", "sotkanet_id"]


class ProjectSerializer(serializers.ModelSerializer):
    region_code = serializers.CharField(source="region.code")

    class Meta:
        model = Project
        fields = [
            "id",
            "region",
            "region_code",
            *in_all_languages("name"),
            "short_name",
            "start_date",
            "end_date",
            "funding_total",
        ]


# The leading fields of a goal or an action: which row, in which hanke and work package.
PLAN_ROW_HEAD = ("id", "project", "work_package", "work_package_code", "number")


class GoalSerializer(serializers.ModelSerializer):
    work_package_code = serializers.CharField(source="work_package.code")
    benefit_targets = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = ProcessGoal
        fields = [
            *PLAN_ROW_HEAD,
            "kind",
            *in_all_languages("title"),
            "benefit_targets",
            "target_date",
        ]


class ActionSerializer(serializers.ModelSerializer):
    work_package_code = serializers.CharField(source="work_package.code")
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    benefit_targets = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    light = LightSerializer(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Action
        fields = [
            *PLAN_ROW_HEAD,
            *in_all_languages("title"),
            "goals",
            "benefit_targets",
            "responsible_text",
            "planned_start",
            "planned_end",
            "status",
            "light",
        ]


class IndicatorProgressSerializer(serializers.ModelSerializer):
    label = serializers.SerializerMethodField()
    symbol = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()
    latest_source = serializers.SerializerMethodField(
        help_text="Source of the latest value (the one the light rests on), as in "
        "measurements[].source; null without a value."
    )
    latest_generated = serializers.SerializerMethodField(
        help_text="True when the latest value, and so the light, rests on a value generated "
        'for the demo (source "demo"), not on a measurement.'
    )

    class Meta:
        model = IndicatorProgress
        fields = [
            "light",
            "label",
            "symbol",
            "reason_code",
            "reason",
            "reason_params",
            "latest_value",
            "latest_period",
            "latest_source",
            "latest_generated",
            "progress",
            "expected_progress",
            "trend",
            "as_of",
        ]

    def get_label(self, obj: IndicatorProgress) -> str:
        return obj.assessment.light.label

    def get_symbol(self, obj: IndicatorProgress) -> str:
        return obj.assessment.light.symbol

    def get_reason(self, obj: IndicatorProgress) -> str:
        return obj.assessment.reason.text

    # The source comes with the indicator's own query (measures.selectors.with_latest_source,
    # annotated on the indicator that select_related("progress") links back to).
    def get_latest_source(self, obj: IndicatorProgress) -> str | None:
        return getattr(obj.indicator, "latest_source", None)

    def get_latest_generated(self, obj: IndicatorProgress) -> bool:
        return obj.indicator.latest_generated


class IndicatorSerializer(serializers.ModelSerializer):
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    actions = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    benefit_targets = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    progress = IndicatorProgressSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "project",
            *INDICATOR_DESCRIPTION,
            "goals",
            "actions",
            "benefit_targets",
            "baseline_value",
            "baseline_date",
            "progress",
        ]


class MeasurementSerializer(serializers.ModelSerializer):
    source_label = serializers.CharField(
        source="get_source_display",
        read_only=True,
        help_text="The source in words, in the request's language.",
    )
    generated = serializers.BooleanField(
        source="is_demo",
        read_only=True,
        help_text='True for a value generated for the demo (source "demo"): not a measurement.',
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "indicator",
            "period",
            "value",
            "numerator",
            "denominator",
            "source",
            "source_label",
            "generated",
            "note",
        ]


class PlaceFilterSerializer(serializers.Serializer):
    """The query parameters that narrow a list; checked, so a bad value is a 400, not a 500."""

    project = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Only this hanke (id)."
    )
    region = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Only this region (id)."
    )


class RegionFilterSerializer(serializers.Serializer):
    region = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Only this region (id)."
    )


class MeasurementFilterSerializer(PlaceFilterSerializer):
    indicator = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1, help_text="Only this indicator (id)."
    )
