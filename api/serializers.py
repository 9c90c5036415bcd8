"""What the staff API takes and gives. Input serializers validate before any service
runs, so bad input is a 400 that names the field; output serializers never carry a
reporter's phone, pseudonym or exact time (received at the hour, as on the pages)."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from focal_points.models import Category, Force
from reporting.models import CloseReason, Report, ReportStatus, Severity, Verification
from veille.timeutil import coarsen_to_hour

AGE_CHOICES = ["24h", "7d", "30d"]
STATUS_FILTERS = ["open", "all", *ReportStatus.values]


class ReportQuerySerializer(serializers.Serializer):
    """The inbox's filters (reporting.staff_views.inbox), as query parameters."""

    status = serializers.ChoiceField(choices=STATUS_FILTERS, required=False, default="open")
    category = serializers.ChoiceField(choices=Category.values, required=False)
    place = serializers.RegexField(r"^(commune|cercle|region):[0-9]{1,9}$", required=False)
    age = serializers.ChoiceField(choices=AGE_CHOICES, required=False)
    page = serializers.IntegerField(min_value=1, max_value=100000, required=False, default=1)


class ReportSerializer(serializers.ModelSerializer):
    place = serializers.CharField(source="place_label", read_only=True)
    received_hour = serializers.SerializerMethodField()
    claimed_by = serializers.CharField(source="claimed_by.name", default=None, read_only=True, allow_null=True)
    # Empty until a relay classifies it: a plain string, not the enum (the schema says so).
    severity = serializers.CharField(read_only=True, help_text="low, medium, high, critical, or empty")

    class Meta:
        model = Report
        fields = [
            "id",
            "reference",
            "status",
            "category",
            "severity",
            "verification",
            "channel",
            "place",
            "region_id",
            "cercle_id",
            "commune_id",
            "occurred",
            "people_affected",
            "reporter_displaced",
            "received_hour",
            "claimed_by",
        ]
        read_only_fields = fields

    def get_received_hour(self, report: Report) -> str:
        return coarsen_to_hour(timezone.localtime(report.received_at)).isoformat()


class ReportDetailSerializer(ReportSerializer):
    """The report page's content for the staff who may see it: the text (redactions
    applied), the neutral summary and the accused force."""

    description = serializers.CharField(read_only=True, allow_null=True)
    summary = serializers.CharField(read_only=True, allow_null=True)
    accused_force = serializers.CharField(read_only=True)
    close_reason = serializers.CharField(read_only=True)

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "description", "summary", "accused_force", "close_reason"]
        read_only_fields = fields


class ReportPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = ReportSerializer(many=True)


class EmptySerializer(serializers.Serializer):
    """Actions that take no input (claim, release, consent, refer)."""


class VerifySerializer(serializers.Serializer):
    verification = serializers.ChoiceField(choices=Verification.values)


class ClassifySerializer(serializers.Serializer):
    category = serializers.ChoiceField(
        choices=[c for c in Category.values if c != Category.UNCLASSIFIED], required=False
    )
    severity = serializers.ChoiceField(choices=Severity.values, required=False)
    accused_force = serializers.ChoiceField(choices=["", *Force.values], required=False)


class RedactSerializer(serializers.Serializer):
    passage = serializers.CharField(max_length=2000)


class SummariseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=1000)


class AskSerializer(serializers.Serializer):
    question = serializers.CharField(max_length=300)
    choices = serializers.ListField(child=serializers.CharField(max_length=60), max_length=9, required=False)


class LinkSerializer(serializers.Serializer):
    other = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class CloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=CloseReason.values)


class ForwardSerializer(serializers.Serializer):
    focal_points = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**31 - 1), min_length=1, max_length=20
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class AlertEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    channel = serializers.CharField()


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    category = serializers.CharField()
    severity = serializers.CharField()
    place = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()
    escalation_level = serializers.IntegerField()
    events = AlertEventSerializer(many=True)


class AlertStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=["acknowledged", "en_route", "on_site", "done"])


class ResponseTimesQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=["region", "cercle", "category", "force", "setting", "displaced"], required=False, default="region"
    )
    days = serializers.IntegerField(min_value=1, max_value=366, required=False, default=30)


class StageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)
    p90_seconds = serializers.FloatField(allow_null=True)


class ResponseTimesRowSerializer(serializers.Serializer):
    label = serializers.CharField()
    reports = serializers.IntegerField()
    stages = serializers.DictField(child=StageSerializer())


class CommuneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    cercle_id = serializers.IntegerField()
    cercle = serializers.CharField()
    region_id = serializers.IntegerField()
    region = serializers.CharField()
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
