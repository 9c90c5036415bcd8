"""The public figures and the coordinators' dashboard in a real browser, at 390 px and
at desktop width: nothing wider than the screen, empty states that say what will
appear, a spike with its reports and the per-cercle charts. Screenshots go to
screenshots/ for a check by eye."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_community_alerts import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}
_numbers = itertools.count(1)


def make_report(cercle, category, at):
    from reporting.models import Report

    n = next(_numbers)
    return Report.objects.create(
        reference=f"B{n:07d}",
        receipt_digest=f"browser-{n}",
        channel="sms",
        category=category,
        region=cercle.region,
        cercle=cercle,
        received_at=at,
        last_message_at=at,
    )


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_public_figures_and_dashboard(live_server, new_page, deployment):
    from alerts import services, transparency
    from focal_points.models import Member
    from places.models import Cercle

    SCREENSHOTS.mkdir(exist_ok=True)
    # Empty: the public page and the dashboard say what will appear.
    for device, (width, height) in SIZES.items():
        page = new_page(javascript=False, width=width, height=height)
        page.goto(f"{live_server.url}/transparence/")
        assert "apparaîtront ici" in page.content()
        page.screenshot(path=str(SCREENSHOTS / f"transparency-0-empty-{device}.png"), full_page=True)

    # Figures: two months ago, Mopti and Ségou with a small cell each; a spike in Douentza today.
    now = timezone.now()
    douentza, segou = Cercle.objects.get(name="Douentza"), Cercle.objects.get(name="Ségou")
    old = (timezone.localtime(now).date().replace(day=1) - timedelta(days=75)).replace(day=10)
    old_at = timezone.make_aware(timezone.datetime.combine(old, timezone.datetime.min.time())) + timedelta(hours=9)
    for cercle, category, n in [
        (douentza, "armed_attack", 23),
        (douentza, "robbery", 12),
        (douentza, "gbv", 3),
        (segou, "intercommunity", 15),
        (segou, "displacement", 11),
    ]:
        for i in range(n):
            make_report(cercle, category, old_at + timedelta(hours=i))
    assert transparency.transparency_publish(now=now)
    for week in range(1, 5):
        make_report(douentza, "explosive", now - timedelta(days=7 * week + 1))
    for hours in (1, 2, 4, 6):
        make_report(douentza, "explosive", now - timedelta(hours=hours))
    assert services.spikes_detect(now=now)

    for device, (width, height) in SIZES.items():
        page = new_page(javascript=False, width=width, height=height)
        page.goto(f"{live_server.url}/transparence/")
        assert "Mopti" in page.content() and ">38<" in page.content()
        page.screenshot(path=str(SCREENSHOTS / f"transparency-1-figures-{device}.png"), full_page=True)
        measured = new_page(javascript=True, width=width, height=height)
        measured.goto(f"{live_server.url}/transparence/")
        assert no_overflow(measured), device

    mariam = Member.objects.get(name="Mariam Traoré")
    page = new_page(javascript=True, width=390, height=844)
    log_in(page, live_server.url, mariam, "mariam")  # one login (a TOTP code is good once)
    for device, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/staff/alerts/dashboard/")
        content = page.content()
        assert "cercle de Douentza" in content and "bar-spike" in content
        page.screenshot(path=str(SCREENSHOTS / f"dashboard-spikes-{device}.png"), full_page=True)
        assert no_overflow(page), device
