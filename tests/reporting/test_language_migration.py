"""Migration reporting/0019: ``Report.language`` widened from two characters with
hard-coded choices to any ISO 639 code; the languages already stored are kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reporting", "0018_report_reporter_displaced")]
AFTER = [("reporting", "0019_report_language_iso639")]


def test_the_stored_languages_are_kept_and_a_three_letter_code_fits():
    at = {"received_at": timezone.now(), "last_message_at": timezone.now()}
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("reporting", "Report")
    assert old._meta.get_field("language").max_length == 2
    kept = {
        old.objects.create(reference=f"M{n}", receipt_digest=f"m-{n}", channel="sms", language=code, **at).pk: code
        for n, code in enumerate(["fr", "en", "bm"])
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("reporting", "Report")
    assert dict(new.objects.filter(pk__in=kept).values_list("pk", "language")) == kept
    songhay = new.objects.create(reference="M9", receipt_digest="m-9", channel="sms", language="ses", **at)
    assert new.objects.get(pk=songhay.pk).language == "ses"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())  # back to the latest, for the other tests
