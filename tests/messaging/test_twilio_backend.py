"""The real Twilio backend, its REST client mocked with autospec."""

from __future__ import annotations

from unittest import mock

import pytest
from twilio.base.exceptions import TwilioRestException
from twilio.rest import Client

from messaging.backends import PermanentSendError, TransientSendError
from messaging.backends.twilio import TwilioBackend


@pytest.fixture
def client():
    fake = mock.create_autospec(Client, instance=True)
    fake.messages = mock.MagicMock()
    return fake


def test_it_sends_from_the_configured_number_with_a_status_callback(client, settings):
    client.messages.create.return_value = mock.Mock(sid="SM" + "1" * 32)

    result = TwilioBackend(client=client).send(to="+22376123456", body="Veille: test")

    assert result.provider_message_id == "SM" + "1" * 32
    client.messages.create.assert_called_once_with(
        to="+22376123456",
        body="Veille: test",
        from_=settings.TWILIO_FROM_NUMBER,
        status_callback="https://veille.example.org/channels/twilio/status/",
    )


def test_it_prefers_a_messaging_service(client, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "2" * 32
    client.messages.create.return_value = mock.Mock(sid="SM" + "1" * 32)

    TwilioBackend(client=client).send(to="+22376123456", body="x")

    assert client.messages.create.call_args.kwargs["messaging_service_sid"] == "MG" + "2" * 32
    assert "from_" not in client.messages.create.call_args.kwargs


@pytest.mark.parametrize(
    "status, code, expected",
    [
        (400, 21610, PermanentSendError),  # the recipient sent STOP
        (400, 21211, PermanentSendError),  # invalid number
        (429, 20429, TransientSendError),  # too many requests
        (500, None, TransientSendError),
        (503, None, TransientSendError),
    ],
)
def test_it_tells_permanent_from_transient_errors(client, status, code, expected):
    client.messages.create.side_effect = TwilioRestException(status, "uri", "msg", code)

    with pytest.raises(expected):
        TwilioBackend(client=client).send(to="+22376123456", body="x")


def test_a_network_error_is_transient(client):
    client.messages.create.side_effect = OSError("connection reset")

    with pytest.raises(TransientSendError):
        TwilioBackend(client=client).send(to="+22376123456", body="x")


def test_it_deletes_an_inbound_message_and_treats_404_as_done(client):
    message = mock.Mock()
    client.messages.return_value = message
    message.delete.return_value = True

    assert TwilioBackend(client=client).delete_inbound("SM" + "3" * 32) is True
    client.messages.assert_called_with("SM" + "3" * 32)

    message.delete.side_effect = TwilioRestException(404, "uri", "gone", 20404)
    assert TwilioBackend(client=client).delete_inbound("SM" + "3" * 32) is True
