"""The staff page where a member issues, sees and revokes their own API tokens. Issuing
needs the web session's second factor and a fresh code (``fresh_code_required``): a
token outlives the session, so it is issued like an export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from api import services
from api.models import ApiToken, Scope
from focal_points.auth import staff_member_required
from focal_points.reauth import fresh_code_required


def _issue_reason(request: HttpRequest, *args: object, **kwargs: object) -> str | None:
    return gettext_lazy("Créer un jeton d'API") if request.method == "POST" else None


@require_http_methods(["GET", "POST"])
@staff_member_required
@fresh_code_required(_issue_reason)
def tokens(request: HttpRequest) -> HttpResponse:
    issued = None
    error = ""
    if request.method == "POST":
        try:
            issued = services.token_issue(
                member=request.member, name=request.POST.get("name", ""), scopes=request.POST.getlist("scope")
            )
        except services.TokenError as exc:
            error = str(exc)
    listed = ApiToken.objects.filter(member=request.member).order_by("-created_at")[:50]
    response = render(
        request,
        "staff/api_tokens.html",
        {"tokens": listed, "issued": issued, "error": error, "scopes": Scope.choices, "now": timezone.now()},
        status=400 if error else 200,
    )
    response["Cache-Control"] = "no-store"  # the page may show a token once
    return response


@require_POST
@staff_member_required
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.token_revoke(member=request.member, token_id=token_id)
    return redirect("api_tokens:tokens")
