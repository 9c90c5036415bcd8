"""No network metadata on the reporter's path: proven by reading every log record."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from veille.privacy import RedactLogRecords, is_reporter_path

pytestmark = pytest.mark.django_db

CLIENT_IP = "10.77.66.55"
USER_AGENT = "Nokia105-SecretAgent/4.2"
NUMBER = "+22376123456"
IDENTIFYING = [CLIENT_IP, USER_AGENT, NUMBER, "76123456", "76 12 34 56", "DOUENTZA"]
META = {
    "REMOTE_ADDR": CLIENT_IP,
    "HTTP_USER_AGENT": USER_AGENT,
    "HTTP_X_FORWARDED_FOR": CLIENT_IP,
    "HTTP_X_REAL_IP": CLIENT_IP,
    "HTTP_REFERER": f"http://{CLIENT_IP}/",
}


def _record_text(record: logging.LogRecord) -> str:
    parts = [record.getMessage(), repr(record.args), repr(record.__dict__)]
    request = getattr(record, "request", None)
    if request is not None:
        parts.append(repr(getattr(request, "META", {})))
    return "\n".join(parts)


def _assert_logs_clean(caplog) -> None:
    assert caplog.records, "the requests should have logged something (task runs, warnings)"
    for record in caplog.records:
        text = _record_text(record)
        for secret in IDENTIFYING:
            assert secret not in text, f"{secret!r} reached the log via {record.name}: {record.getMessage()}"


def test_the_sms_webhook_logs_no_address_agent_or_number(
    client, gazetteer, outbox, caplog, django_capture_on_commit_callbacks
):
    from tests.conftest import twilio_signature

    caplog.set_level(logging.DEBUG)
    path = "/channels/twilio/sms/"
    params = {"MessageSid": "SM" + "d" * 32, "From": NUMBER, "Body": "attaque a Hombori", "FromCity": "DOUENTZA"}
    with django_capture_on_commit_callbacks(execute=True):
        ok = client.post(
            path,
            urlencode(params),
            content_type="application/x-www-form-urlencoded",
            HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, params),
            **META,
        )
    forged = client.post(
        path,
        urlencode(params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE="forged",
        **META,
    )
    malformed_params = {"From": NUMBER}
    malformed = client.post(
        path,
        urlencode(malformed_params),
        content_type="application/x-www-form-urlencoded",
        HTTP_X_TWILIO_SIGNATURE=twilio_signature(path, malformed_params),
        **META,
    )
    wrong_method = client.get(path, **META)

    assert (ok.status_code, forged.status_code, malformed.status_code, wrong_method.status_code) == (200, 403, 400, 405)
    _assert_logs_clean(caplog)


def test_a_missing_page_logs_no_address(client, caplog):
    caplog.set_level(logging.DEBUG)

    response = client.get(f"/nowhere/{NUMBER}/", **META)

    assert response.status_code == 404
    for record in caplog.records:
        assert CLIENT_IP not in _record_text(record)
        assert USER_AGENT not in _record_text(record)


def test_reporter_pages_get_no_store_and_no_referrer(client):
    response = client.get("/channels/twilio/sms/", **META)

    assert response["Cache-Control"] == "no-store, max-age=0"
    assert response["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path, reporter",
    [
        ("/", True),
        ("/report/", True),
        ("/en/report/", True),
        ("/channels/twilio/sms/", True),
        ("/admin/", False),
        ("/staff/inbox/", False),
        ("/static/css/veille.css", True),  # loaded by the reporter pages
    ],
)
def test_it_treats_every_path_as_the_reporters_unless_it_is_staff(path, reporter):
    assert is_reporter_path(path) is reporter


def test_the_log_filter_masks_numbers_and_drops_requests():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "sender %s wrote", (NUMBER,), None)
    record.request = object()

    RedactLogRecords().filter(record)

    assert NUMBER not in record.getMessage()
    assert record.request is None


def test_the_middleware_wipes_network_metadata_before_any_view_sees_it(rf):
    from django.http import HttpResponse

    from veille.privacy import ReporterMetadataMiddleware

    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse("ok")

    request = rf.post("/channels/twilio/sms/", **META)
    ReporterMetadataMiddleware(view)(request)

    assert seen["REMOTE_ADDR"] == "0.0.0.0"
    for key in ("HTTP_USER_AGENT", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_REFERER"):
        assert seen[key] == ""
    assert CLIENT_IP not in repr(seen)


def test_the_middleware_leaves_staff_paths_alone(rf):
    from django.http import HttpResponse

    from veille.privacy import ReporterMetadataMiddleware

    seen = {}

    def view(request):
        seen.update(request.META)
        return HttpResponse("ok")

    ReporterMetadataMiddleware(view)(rf.get("/admin/", **META))

    assert seen["REMOTE_ADDR"] == CLIENT_IP


def test_staff_pages_are_never_cached_and_neither_are_static_files(client, deployment):
    from django.contrib.auth import get_user_model

    login_page = client.get("/staff/login/")
    get_user_model().objects.create_user("someone", password="x" * 20)
    staff_page = client.get("/staff/reports/")  # the redirect to the login

    assert "no-store" in login_page["Cache-Control"]
    assert staff_page["Cache-Control"] == "no-store, private"
    # Reporter pages load /static/: a copy of veille.css in a seized phone's cache would
    # show that its owner visited, so static files are not stored either.
    assert "no-store" in client.get("/static/css/staff.css").get("Cache-Control", "")
