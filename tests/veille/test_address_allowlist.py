"""The privacy middleware's address allow-lists: checked before the address is wiped, the
yes/no answer kept on the request and nothing else; generic (paths by prefix, from
settings), so veille/ knows no gateway."""

from __future__ import annotations

import pytest
from django.http import HttpResponse

from veille.netaddr import address_in, client_address
from veille.privacy import ADDRESS_ALLOWED_ATTR, ReporterMetadataMiddleware, address_allowed

LISTS = {"/hooks/": ["192.0.2.0/24", "2001:db8::/32"], "/hooks/strict/": ["198.51.100.7/32"]}


def through_middleware(rf, path: str, addr: str) -> dict[str, object]:
    seen: dict[str, object] = {}

    def view(request):
        seen["allowed"] = address_allowed(request)
        seen["raw"] = getattr(request, ADDRESS_ALLOWED_ATTR, "unset")
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse("ok")

    ReporterMetadataMiddleware(view)(rf.post(path, REMOTE_ADDR=addr, HTTP_X_FORWARDED_FOR="192.0.2.1"))
    return seen


@pytest.mark.parametrize(
    "path, addr, allowed",
    [
        ("/hooks/a/", "192.0.2.45", True),
        ("/hooks/a/", "2001:db8::45", True),
        ("/hooks/a/", "::ffff:192.0.2.45", True),  # a dual-stack socket's IPv4 peer
        ("/hooks/a/", "198.51.100.7", False),
        ("/hooks/a/", "", False),
        ("/hooks/a/", "garbage", False),
        # The longest prefix decides: /hooks/strict/ does not also accept /hooks/'s list.
        ("/hooks/strict/x/", "198.51.100.7", True),
        ("/hooks/strict/x/", "192.0.2.45", False),
    ],
)
def test_it_checks_the_address_before_wiping_it_and_keeps_only_the_answer(rf, settings, path, addr, allowed):
    settings.VEILLE_ADDRESS_ALLOWLISTS = LISTS

    seen = through_middleware(rf, path, addr)

    assert seen["allowed"] is allowed and seen["raw"] is allowed
    assert seen["addr"] == "0.0.0.0"  # the view sees no address, allowed or not


def test_a_path_without_a_list_gets_no_answer_and_is_never_allowed(rf, settings):
    settings.VEILLE_ADDRESS_ALLOWLISTS = LISTS

    seen = through_middleware(rf, "/report/", "192.0.2.45")

    assert seen["raw"] == "unset" and seen["allowed"] is False


def test_forwarding_headers_do_not_count_as_the_address(rf, settings):
    """X-Forwarded-For is anyone's to write: only client_address() decides (REMOTE_ADDR
    until trusted proxies are configured)."""
    settings.VEILLE_ADDRESS_ALLOWLISTS = LISTS
    request = rf.post("/hooks/a/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="192.0.2.1")

    assert client_address(request) == "203.0.113.5"
    assert through_middleware(rf, "/hooks/a/", "203.0.113.5")["allowed"] is False


def test_the_settings_list_the_africastalking_callback(settings):
    assert settings.VEILLE_ADDRESS_ALLOWLISTS == {
        "/channels/ussd/africastalking/": settings.AFRICASTALKING_ALLOWED_NETWORKS
    }
    assert address_in("127.0.0.1", settings.AFRICASTALKING_ALLOWED_NETWORKS)
