"""Africa's Talking's USSD convention: form-encoded sessionId, serviceCode, phoneNumber,
networkCode, text; answered in text/plain with "CON " (wait for input) or "END " (close).
``networkCode`` (which carrier, roughly where) is never read.

``text`` holds every input of the session so far, joined by '*': which input a request
adds is this gateway's business, not the menu's (``new_input``)."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse

from messaging.ussd import Cursor, MalformedRequest, UssdGateway, UssdRequest, UssdScreen

# UssdSession.session_id holds 100 characters; a longer id is not a gateway's.
MAX_SESSION_ID = 100


def text_cursor(raw: str) -> Cursor:
    """What the session remembers of the text seen so far: its length and a digest, so the
    next request can be lined up with it without keeping what the resident typed."""
    return {"n": len(raw), "h": hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()}


def latest_input(seen: Cursor | None, raw: str) -> str | None:
    """The input this request adds. Every input so far comes joined by '*'; a resident's
    own text may contain '*', so the new input is what follows the text already seen, not
    the last '*'-separated piece. None: nothing new (a retry)."""
    if seen is None:
        return None if raw == "" else raw  # a first request that already carries input
    length = seen.get("n", 0)
    if text_cursor(raw) == seen:
        return None
    if length == 0:
        return raw
    if len(raw) > length and raw[length] == "*" and text_cursor(raw[:length]) == seen:
        return raw[length + 1 :]
    # A text we cannot line up (a gateway resending only the latest input): take it whole.
    return raw


class AfricasTalkingGateway(UssdGateway):
    name = "africastalking"

    def parse(self, request: HttpRequest) -> UssdRequest:
        session_id = request.POST.get("sessionId", "").strip()
        phone = request.POST.get("phoneNumber", "").strip()
        if not session_id or not phone or len(session_id) > MAX_SESSION_ID or len(phone) > 40:
            raise MalformedRequest("sessionId and phoneNumber are required")
        return UssdRequest(
            gateway=self.name,
            session_id=session_id,
            phone_number=phone,
            text=request.POST.get("text", ""),
            service_code=request.POST.get("serviceCode", "")[:40],
            adapter=self,
        )

    def render(self, screen: UssdScreen) -> HttpResponse:
        return HttpResponse(("END " if screen.end else "CON ") + screen.text, content_type="text/plain; charset=utf-8")

    def cursor(self, raw: str) -> Cursor:
        return text_cursor(raw)

    def new_input(self, seen: Cursor | None, raw: str) -> str | None:
        return latest_input(seen, raw)


GATEWAY = AfricasTalkingGateway()
