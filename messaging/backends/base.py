from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SendResult:
    provider_message_id: str
    # Some backends know at once that the message reached the phone (demo backends).
    delivered: bool = False


class TransientSendError(Exception):
    """Worth retrying later: provider down, rate limited, network error."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class PermanentSendError(Exception):
    """Retrying will not help: invalid number, recipient opted out.

    ``opted_out`` says the provider refused because the recipient told it to stop (Twilio
    21610): the platform records that opt-out as if the recipient had sent STOP to it.
    """

    def __init__(self, code: str, message: str = "", *, opted_out: bool = False) -> None:
        super().__init__(message or code)
        self.code = code
        self.opted_out = opted_out


class BackendUnavailable(Exception):
    """The backend cannot be built from the settings (missing credential, bad value).

    Raised by a backend's constructor; every message it would have sent fails with the
    reason, and the relays learn of it, rather than waiting forever in the queue.
    """


class BaseSmsBackend:
    name = "base"

    def send(self, *, to: str, body: str) -> SendResult:
        raise NotImplementedError

    def delete_copy(self, provider_message_id: str) -> bool:
        """Remove a message (inbound or outbound) from the provider's logs.

        True when it is gone (or was already), False when this backend keeps no copy or
        deleting is turned off.
        """
        return False
