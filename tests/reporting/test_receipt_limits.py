"""Receipt look-ups that no one can block: wrong codes are counted per client (the web
address as an HMAC taken before the privacy middleware wipes it, the phone pseudonym for
SMS and USSD, the USSD session), in buckets that expire with their window; a global cap
sits far above normal use. Replays the attack of issue 11: 130 wrong codes in seconds
from one client, then a valid code on the web and STATUT by SMS from others."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache

from messaging.models import Channel
from reporting import codes, services
from tests.conftest import TwilioPhone
from tests.messaging.providers.africastalking.test_recorded_payloads import replay
from veille import ratelimit

pytestmark = pytest.mark.django_db

STATUS_URL = "/report/status/"
GUESSER, RESIDENT = "203.0.113.7", "198.51.100.23"


def wrong_codes(n: int) -> list[str]:
    return [codes.random_code(codes.RECEIPT_LENGTH) for _ in range(n)]


def status_page(client, code: str, address: str, **headers: str) -> str:
    return client.post(STATUS_URL, {"code": code}, REMOTE_ADDR=address, **headers).content.decode()


def found(page: str) -> bool:
    return "État de votre signalement" in page


@pytest.fixture
def receipt(gazetteer) -> str:
    return services.report_submit(channel=Channel.WEB, description="attaque").receipt


def test_one_client_guessing_blocks_nobody_else(client, receipt, phone, outbox):
    phone.send("attaque a Boni")
    sms_code = outbox[0].body.split("STATUT ")[1]
    for guess in wrong_codes(130):
        status_page(client, guess, GUESSER)

    assert found(status_page(client, receipt, RESIDENT))  # the web, from another address
    phone.send(f"STATUT {sms_code}")
    assert outbox[-1].body == f"Veille: signalement {sms_code}: recu."  # SMS, same window
    assert replay(client, ["1", "2", receipt])[-1].startswith(f"CON Signalement {receipt} : recu.\n")  # USSD
    assert not found(status_page(client, receipt, GUESSER))  # the guesser is the one held


def test_a_clients_bucket_ends_with_its_window(client, receipt, settings):
    settings.RECEIPT_FAILURES_PER_CLIENT = 3
    start = 1_800_000_000.0  # the start of a window of 600 s
    with mock.patch("veille.ratelimit.time.time", return_value=start):
        for guess in wrong_codes(3):
            status_page(client, guess, GUESSER)
        assert not found(status_page(client, receipt, GUESSER))
    with mock.patch("veille.ratelimit.time.time", return_value=start + settings.RECEIPT_BUCKET_SECONDS):
        assert found(status_page(client, receipt, GUESSER))


def _bucket_entries() -> dict[str, float]:
    """The rate-limit entries in the cache and their seconds to live, on either backend."""
    if settings.REDIS_URL:
        redis = cache._cache.get_client(write=True)
        return {key.decode(): redis.ttl(key) for key in redis.scan_iter(match="*:rl:*")}
    now = time.time()
    return {key: cache._expire_info[key] - now for key in cache._cache if ":rl:" in key}  # LocMemCache


def test_the_cache_holds_no_address_and_nothing_past_the_window(client, receipt, settings):
    status_page(client, "WWWWWWWWWW", GUESSER)

    entries = _bucket_entries()
    assert len(entries) == 2  # the client's bucket and the global one
    # The address, or its first part as a token: "203" inside a key's hex digest is chance
    # (about one run in thirty), not the address.
    assert not any(GUESSER in key or re.search(r"(?<![0-9a-f])203(?![0-9a-f])", key) for key in entries)
    assert all(0 < ttl <= settings.RECEIPT_BUCKET_SECONDS for ttl in entries.values())


def test_the_address_never_reaches_the_view(client, receipt, monkeypatch):
    seen = {}
    real = services.report_by_receipt

    def spy(**kwargs):
        seen.update(kwargs)
        return real(**kwargs)

    monkeypatch.setattr("reporting.views.report_by_receipt", spy)
    status_page(client, receipt, GUESSER)

    assert seen["buckets"] == [f"addr:{GUESSER}"]  # a bucket name, held by the request only
    # ...and the request the view got has its address wiped (tests/veille/test_privacy.py).


def test_ipv6_counts_per_slash_64(client, receipt, settings):
    settings.RECEIPT_FAILURES_PER_CLIENT = 3
    for n, guess in enumerate(wrong_codes(3)):
        status_page(client, guess, f"2001:db8:5:7::{n + 1}")

    assert not found(status_page(client, receipt, "2001:db8:5:7:ffff::9"))  # the same subscriber
    assert found(status_page(client, receipt, "2001:db8:5:8::1"))  # another one


def test_behind_the_trusted_proxy_forwarded_for_names_the_client(client, receipt, settings):
    settings.RECEIPT_FAILURES_PER_CLIENT = 3
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    for guess in wrong_codes(3):
        status_page(client, guess, "127.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER)

    assert not found(status_page(client, receipt, "127.0.0.1", HTTP_X_FORWARDED_FOR=GUESSER))
    assert found(status_page(client, receipt, "127.0.0.1", HTTP_X_FORWARDED_FOR=RESIDENT))


def test_forwarded_for_from_an_untrusted_peer_names_nobody(client, receipt, settings):
    settings.RECEIPT_FAILURES_PER_CLIENT = 3
    settings.TRUSTED_PROXIES = []
    for n, guess in enumerate(wrong_codes(3)):
        # A guesser rotating forged X-Forwarded-For values is still one client.
        status_page(client, guess, GUESSER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")

    assert not found(status_page(client, receipt, GUESSER, HTTP_X_FORWARDED_FOR="198.51.100.77"))


def test_sms_and_ussd_share_the_phones_bucket(client, receipt, settings, django_capture_on_commit_callbacks, outbox):
    settings.RECEIPT_FAILURES_PER_CLIENT = 4
    guesser = TwilioPhone(client, "+22365000001", django_capture_on_commit_callbacks)
    for guess in wrong_codes(3):
        guesser.send(f"STATUT {guess}")
    screens = replay(client, ["1", "2", "WWWWWWWWWW", "1", receipt], phone="+22365000001", session_id="ATUid_g1")

    assert screens[-1].startswith("CON Code inconnu")  # the fifth wrong-or-held try, by USSD
    other = replay(client, ["1", "2", receipt], phone="+22365000002", session_id="ATUid_g2")
    assert other[-1].startswith(f"CON Signalement {receipt} : recu.\n")


def test_a_ussd_session_has_its_own_bucket(receipt):
    buckets = ["phone:p-a", "ussd:africastalking:S1"]
    for guess in wrong_codes(10):
        services.report_by_receipt(receipt=guess, buckets=buckets)

    assert services.report_by_receipt(receipt=receipt, buckets=["phone:p-b", "ussd:africastalking:S1"]) is None
    assert services.report_by_receipt(receipt=receipt, buckets=["phone:p-b", "ussd:africastalking:S2"]) is not None


def test_the_global_cap_bounds_many_clients_together(receipt, settings):
    settings.RECEIPT_FAILURES_PER_MINUTE = 20
    for n, guess in enumerate(wrong_codes(20)):
        services.report_by_receipt(receipt=guess, buckets=[f"addr:10.0.0.{n}"])

    assert services.report_by_receipt(receipt=receipt, buckets=["addr:10.9.9.9"]) is None


def test_the_global_cap_is_far_above_normal_use(settings):
    # A hundred wrong codes a minute, platform-wide, would already be far above what
    # residents mistype; the cap needs many distinct clients to reach.
    clients_needed = settings.RECEIPT_FAILURES_PER_MINUTE / settings.RECEIPT_FAILURES_PER_CLIENT
    assert settings.RECEIPT_FAILURES_PER_MINUTE >= 500 and clients_needed >= 50


def expected_codes_found_per_day(*, guesses_per_day: float, live_codes: int) -> float:
    return guesses_per_day * live_codes / len(codes.ALPHABET) ** codes.RECEIPT_LENGTH


# Live receipts the estimate assumes: a year of reports kept after closure, at a generous
# 100,000 reports a year across the deployment (docs/security.md).
LIVE_CODES = 100_000


def test_an_attacker_at_the_limits_finds_a_negligible_number_of_codes(settings):
    minutes_per_day = 24 * 60
    per_client = settings.RECEIPT_FAILURES_PER_CLIENT * (86_400 / settings.RECEIPT_BUCKET_SECONDS)
    at_global_cap = settings.RECEIPT_FAILURES_PER_MINUTE * minutes_per_day

    one_client = expected_codes_found_per_day(guesses_per_day=per_client, live_codes=LIVE_CODES)
    everyone = expected_codes_found_per_day(guesses_per_day=at_global_cap, live_codes=LIVE_CODES)

    assert one_client < 1e-5  # one phone, one address or one session: never in a lifetime
    assert everyone < 1e-3  # the whole platform held at its cap all day: about one in 3 years
    # With the former six characters the same cap gave hundreds a day.
    assert at_global_cap * LIVE_CODES / len(codes.ALPHABET) ** 6 > 100


def test_receipts_are_long_enough_and_shown_in_groups(client, gazetteer):
    from tests.reporting.test_web_form import answers, form_token, receipt_of

    response = client.post("/report/", answers(form_token(client)))

    code = receipt_of(response)
    assert len(code) == codes.RECEIPT_LENGTH == 10
    assert re.search(r'id="receipt-code">[A-Z0-9]{5} [A-Z0-9]{5}</p>', response.content.decode())


class _FakeRedis:
    def __init__(self, config: dict[str, str] | Exception) -> None:
        self.config = config

    def config_get(self, name: str) -> dict[str, str]:
        if isinstance(self.config, Exception):
            raise self.config
        return {name: self.config[name]}


@pytest.mark.parametrize(
    "config, problems",
    [
        ({"save": "", "appendonly": "no"}, []),
        ({"save": "3600 1 300 100", "appendonly": "no"}, ['save "3600 1 300 100"']),
        ({"save": "", "appendonly": "yes"}, ["append-only"]),
        (ConnectionError("refused"), ["could not be checked"]),
    ],
)
def test_the_persistence_check_reads_redis_config(settings, monkeypatch, config, problems):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://x"}}
    fake = mock.Mock()
    fake._cache.get_client.return_value = _FakeRedis(config)
    monkeypatch.setattr("veille.ratelimit.cache", fake)

    found_problems = ratelimit.cache_persistence_problems()

    assert len(found_problems) == len(problems)
    assert all(expected in got for expected, got in zip(problems, found_problems, strict=True))


def test_the_persistence_check_against_the_real_redis(settings):
    """On the PostgreSQL + Redis run: the check tells what Redis itself says."""
    if not settings.REDIS_URL:
        pytest.skip("embedded run: the local cache is not Redis")
    client = cache._cache.get_client(write=True)
    persistent = (
        bool(client.config_get("save")["save"].strip()) or client.config_get("appendonly")["appendonly"] == "yes"
    )

    assert bool(ratelimit.cache_persistence_problems()) == persistent


def test_the_deploy_check_and_gunicorn_refuse_a_persistent_cache(monkeypatch):
    import runpy
    from pathlib import Path

    from veille.checks import cache_keeps_nothing_on_disk

    monkeypatch.setattr("veille.ratelimit.cache_persistence_problems", lambda: ['save "3600 1"'])
    assert [error.id for error in cache_keeps_nothing_on_disk()] == ["veille.E001"]

    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "veille" / "gunicorn.conf.py"))
    server = mock.Mock()
    with pytest.raises(SystemExit):
        conf["on_starting"](server)
    server.log.error.assert_called_once()

    monkeypatch.setattr("veille.ratelimit.cache_persistence_problems", lambda: ["could not be checked (x)"])
    conf["on_starting"](server)  # logged, and the server starts
