"""/healthz, /readyz and /metrics: what a probe, a scraper and an anonymous caller see."""

from __future__ import annotations

import json
import socket
from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from alerts.models import Alert
from messaging.services import inbound_store, outbound_enqueue, outbound_send

pytestmark = pytest.mark.django_db

TOKEN = "metrics-token-0123456789abcdef"
NUMBER = "+22376123456"


@pytest.fixture
def token(settings) -> str:
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def bearer(value: str = TOKEN) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {value}"}


def scrape(client: Client) -> dict[str, list[tuple[dict[str, str], float]]]:
    response = client.get("/metrics", **bearer())
    assert response.status_code == 200, response.content
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples, name: str, **labels: str) -> float:
    for sample_labels, sample_value in samples[name]:
        if all(sample_labels.get(k) == v for k, v in labels.items()):
            return sample_value
    raise AssertionError(f"{name}{labels} not in {samples.get(name)}")


def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_tells_an_anonymous_caller_only_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_fails_and_names_nothing_to_anonymous_callers_when_a_check_fails(client, token, settings):
    settings.READINESS_CHECKS = [*settings.READINESS_CHECKS, "tests.ops.test_health_metrics.failing_check"]
    anonymous = client.get("/readyz")
    assert anonymous.status_code == 503
    assert anonymous.content == b"not ok"

    detailed = client.get("/readyz", **bearer())
    assert detailed.status_code == 503
    body = json.loads(detailed.content)
    assert body["ok"] is False
    assert body["checks"]["failing_check"] == {"ok": False, "detail": "error: RuntimeError"}
    assert body["checks"]["database"]["ok"] is True
    assert set(body["checks"]) >= {"database", "broker", "cache", "inbound_backlog", "broker_persistence"}


def failing_check() -> tuple[bool, str]:
    raise RuntimeError("secret detail that must not leak")


def test_a_wrong_token_gets_no_detail(client, token):
    response = client.get("/readyz", **bearer("not-the-token-0123456789abc"))
    assert response.content == b"ok"


def test_verified_staff_see_the_detail(staff_client):
    client = staff_client("Aminata Guindo")
    body = json.loads(client.get("/readyz").content)
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["database"]["detail"] in {"sqlite", "postgresql"}


def test_a_stale_inbound_message_makes_the_platform_not_ready(client, settings, token):
    inbound_store(provider="twilio", provider_message_id="SM" + "1" * 32, sender=NUMBER, body="attaque")
    assert client.get("/readyz").status_code == 200  # just arrived
    later = timezone.now() + timedelta(seconds=settings.READINESS_INBOUND_MAX_AGE_SECONDS + 120)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get("/readyz", **bearer())
    assert response.status_code == 503
    check = json.loads(response.content)["checks"]["inbound_backlog"]
    assert check["ok"] is False
    assert check["detail"].startswith("pending=1 oldest=")


def test_a_broker_that_refuses_work_makes_the_platform_not_ready(client, settings, tmp_path, token):
    if str(settings.CELERY_BROKER_URL).startswith("filesystem://"):
        # The embedded broker's folder cannot take a file (here: a file in its place).
        not_a_folder = tmp_path / "queue"
        not_a_folder.write_text("")
        settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
            **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            "data_folder_in": str(not_a_folder),
        }
    else:
        with socket.socket() as sock:  # a port nobody listens on
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/7"
    response = client.get("/readyz", **bearer())
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["broker"]["ok"] is False


def test_metrics_is_404_without_a_token_setting(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", **bearer()).status_code == 404


def test_metrics_refuses_callers_without_the_token(client, token):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", **bearer("wrong-token-0123456789abcdef")).status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


def test_metrics_count_the_backlog_the_sends_and_their_failures(
    client, token, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # nothing processed: the backlog stays
    inbound_store(provider="twilio", provider_message_id="SM" + "2" * 32, sender=NUMBER, body="attaque a Boni")
    sent = outbound_enqueue(to_number=NUMBER, body="Recu", purpose="receipt")
    failing = outbound_enqueue(to_number="+22376000001", body="Recu", purpose="receipt")
    outbound_send(message_id=sent.pk)

    from messaging.backends import TransientSendError
    from messaging.backends.locmem import LocmemBackend

    with mock.patch.object(LocmemBackend, "send", side_effect=TransientSendError("http-503")):
        outbound_send(message_id=failing.pk)

    samples = scrape(client)
    assert value(samples, "veille_inbound_pending") == 1
    assert value(samples, "veille_inbound_oldest_pending_age_seconds") < 120
    assert value(samples, "veille_outbound_messages", status="sent", provider="locmem") == 1
    assert value(samples, "veille_outbound_messages", status="queued", provider="locmem") == 1
    assert value(samples, "veille_outbound_send_failures_last_hour", provider="locmem", kind="retry") == 1
    assert value(samples, "veille_outbound_send_failures_last_hour", provider="locmem", kind="final") == 0
    assert value(samples, "veille_ready_check", check="database") == 1
    assert "veille_queue_depth" in samples
    assert all(v == 0 for _, v in samples["veille_metrics_collector_errors"])


def test_metrics_count_alerts_past_their_deadline_and_escalations(
    client, token, deployment, django_capture_on_commit_callbacks
):
    from alerts import tasks
    from alerts.services import alert_forward
    from focal_points.models import Category, Member
    from places.models import Commune
    from reporting import triage
    from reporting.services import PlaceChoice, report_submit

    place = PlaceChoice(commune_id=Commune.objects.get(name="Dangol-Boré").pk)
    report = report_submit(channel="sms", category=Category.ARMED_ATTACK, description="x", place=place).report
    aminata = Member.objects.get(name="Aminata Guindo")
    triage.report_classify(member=aminata, report_id=report.pk, severity="critical")
    triage.report_summarise(member=aminata, report_id=report.pk, summary="Attaque armee au marche de Boni.")
    coulibaly = Member.objects.get(name="Adjudant Coulibaly")
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_forward(member=aminata, report_id=report.pk, focal_point_ids=[coulibaly.pk])[0]

    samples = scrape(client)
    assert value(samples, "veille_alerts_unacknowledged_past_deadline", severity="critical") == 0

    later = alert.created_at + timedelta(minutes=16)
    with mock.patch("django.utils.timezone.now", return_value=later), django_capture_on_commit_callbacks(execute=True):
        assert tasks.escalate_overdue() == 1
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(minutes=16))
    samples = scrape(client)
    # The first alert is past its deadline; the escalated one is not yet.
    assert value(samples, "veille_alerts_unacknowledged_past_deadline", severity="critical") == 1
    assert value(samples, "veille_alert_escalations_last_hour") == 1


def test_no_label_carries_a_number_a_text_or_a_reference(client, token, deployment):
    from reporting.models import Report

    inbound_store(provider="twilio", provider_message_id="SM" + "3" * 32, sender=NUMBER, body="attaque a Boni")
    outbound_enqueue(to_number=NUMBER, body="Votre code R-ABCD", purpose="receipt")
    text = client.get("/metrics", **bearer()).content.decode()
    assert "76123456" not in text and "Boni" not in text and "ABCD" not in text
    for reference in Report.objects.values_list("reference", flat=True):
        assert reference not in text
    labels = {
        name for family in text_string_to_metric_families(text) for sample in family.samples for name in sample.labels
    }
    assert labels <= {"queue", "priority", "status", "provider", "kind", "severity", "task", "check", "collector", "le"}


def test_task_latency_is_recorded_in_the_shared_cache_and_served(client, token):
    from veille import task_metrics

    task_metrics.record("messaging.tasks.process_inbound", 0.3)
    task_metrics.record("messaging.tasks.process_inbound", 7.0)
    samples = scrape(client)
    bucket = "veille_task_latency_seconds_bucket"
    assert value(samples, bucket, task="messaging.tasks.process_inbound", le="0.5") == 1
    assert value(samples, bucket, task="messaging.tasks.process_inbound", le="10.0") == 2
    assert value(samples, "veille_task_latency_seconds_count", task="messaging.tasks.process_inbound") == 2
    assert value(samples, "veille_task_latency_seconds_sum", task="messaging.tasks.process_inbound") == pytest.approx(
        7.3
    )


def test_probe_paths_are_exempt_from_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/report/").status_code == 301
