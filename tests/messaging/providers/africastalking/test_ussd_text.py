"""Africa's Talking's '*'-joined text, read by its adapter: which input a request adds,
and what a session remembers of the text (its length and a digest, never the text)."""

from __future__ import annotations

import pytest

from messaging.providers.africastalking.ussd import GATEWAY, latest_input, text_cursor
from messaging.ussd import UssdRequest, UssdScreen


@pytest.mark.parametrize(
    "seen, text, new_input",
    [
        (None, "", None),  # the first screen
        ("", "", None),  # the first request again
        ("", "1", "1"),
        ("1", "1", None),  # a retry
        ("1", "1*2", "2"),
        ("1", "1*", ""),  # an empty input
        ("1*2", "1*2*K7M*2QX", "K7M*2QX"),  # a '*' typed inside the input
        ("1*2*K7M*2QX", "1*2*K7M*2QX*1", "1"),
        ("1*2", "1*3*4", "1*3*4"),  # cannot be lined up: taken whole, hence a wrong choice
        ("1*2", "1", "1"),
    ],
)
def test_it_finds_the_latest_input_after_the_text_already_seen(seen, text, new_input):
    cursor = None if seen is None else text_cursor(seen)

    assert latest_input(cursor, text) == new_input


def test_it_remembers_the_text_seen_without_keeping_it():
    cursor = text_cursor("1*2*K7M2QX")

    assert cursor["n"] == 10
    assert "K7M2QX" not in str(cursor)


def test_a_request_reads_its_new_input_through_the_adapter():
    request = UssdRequest(
        gateway=GATEWAY.name,
        session_id="s",
        phone_number="+22376000000",
        service_code="*123#",
        text="1*K7*M",
        adapter=GATEWAY,
    )

    assert request.new_input(text_cursor("1")) == "K7*M"
    assert request.cursor() == text_cursor("1*K7*M")


@pytest.mark.parametrize("end, prefix", [(False, "CON "), (True, "END ")])
def test_it_renders_a_screen_as_plain_text_with_con_or_end(end, prefix):
    response = GATEWAY.render(UssdScreen("Quand ?", end=end))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == prefix + "Quand ?"
