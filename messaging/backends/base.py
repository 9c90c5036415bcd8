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
    """Retrying will not help: invalid number, recipient opted out (Twilio 21610)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(message or code)
        self.code = code


class BaseSmsBackend:
    name = "base"

    def send(self, *, to: str, body: str) -> SendResult:
        raise NotImplementedError

    def delete_inbound(self, provider_message_id: str) -> bool:
        """Remove an inbound message from the provider's logs; False when not supported."""
        return False
