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


@dataclass(frozen=True)
class Lane:
    """One sender a backend paces on its own: a provider's number or messaging service,
    or one phone of a gateway. ``key`` names its pacing slots; ``device`` is what the
    backend needs to send through that phone ("" for the provider as a whole)."""

    key: str
    rate: float
    device: str = ""


class BaseSmsBackend:
    name = "base"

    def send(self, *, to: str, body: str) -> SendResult:
        raise NotImplementedError

    def lanes(self) -> list[Lane]:
        """The senders this backend paces separately; one by default, at
        ``SMS_SEND_RATE_PER_SECOND`` (a gateway with several phones has one each)."""
        from django.conf import settings

        return [Lane(key=self.name, rate=settings.SMS_SEND_RATE_PER_SECOND)]

    def send_on(self, lane: Lane, *, to: str, body: str) -> SendResult:
        """Send through ``lane``; backends with one sender ignore it."""
        return self.send(to=to, body=body)

    def lane_available(self, lane: Lane) -> bool:
        """False while the lane is known to be down (a gateway phone that stopped
        answering): routing then skips it."""
        return True

    def record_outcome(self, lane: Lane, *, ok: bool, detail: str = "") -> None:
        """Told after each send on ``lane``: a gateway counts failures to notice a dead phone."""

    def can_delete_copies(self) -> bool:
        """Whether ``delete_copy`` does anything here (so that no task is queued for nothing)."""
        return False

    def fetch_media(self, provider_message_id: str, urls: list[str]) -> list[bytes]:
        """The pictures of an inbound MMS, fetched from the provider (raw bytes, kept in
        memory only). A backend that receives no MMS fetches nothing."""
        return []

    def delete_media(self, provider_message_id: str, urls: list[str]) -> None:
        """Remove the fetched pictures from the provider once the platform holds them."""

    def delete_copy(self, provider_message_id: str) -> bool:
        """Remove a message (inbound or outbound) from the provider's logs.

        True when it is gone (or was already), False when this backend keeps no copy or
        deleting is turned off.
        """
        return False
