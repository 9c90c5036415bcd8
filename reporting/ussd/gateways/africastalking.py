"""Africa's Talking: form-encoded sessionId, serviceCode, phoneNumber, networkCode, text;
answered in text/plain with "CON " (wait for input) or "END " (close). ``networkCode``
(which carrier, roughly where) is never read."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from reporting.ussd.gateways.base import Gateway, MalformedRequest, UssdRequest

# UssdSession.session_id holds 100 characters; a longer id is not a gateway's.
MAX_SESSION_ID = 100


class AfricasTalkingGateway(Gateway):
    name = "africastalking"

    def parse(self, request: HttpRequest) -> UssdRequest:
        session_id = request.POST.get("sessionId", "").strip()
        phone = request.POST.get("phoneNumber", "").strip()
        if not session_id or not phone or len(session_id) > MAX_SESSION_ID or len(phone) > 40:
            raise MalformedRequest("sessionId and phoneNumber are required")
        return UssdRequest(
            session_id=session_id,
            phone_number=phone,
            text=request.POST.get("text", ""),
            service_code=request.POST.get("serviceCode", "")[:40],
        )

    def render(self, text: str, *, end: bool) -> HttpResponse:
        return HttpResponse(("END " if end else "CON ") + text, content_type="text/plain; charset=utf-8")
