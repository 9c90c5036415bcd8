"""Who is calling the API: a token (``Authorization: Bearer vt_…``) or a staff web
session that passed the second factor. Either way the caller must be an active member of
an active organisation; ``request.member`` is set for the views."""

from __future__ import annotations

from rest_framework import authentication, exceptions, permissions
from rest_framework.request import Request

from api.models import Scope
from api.services import token_authenticate
from focal_points.models import Member


def _member_of(user) -> Member | None:
    return (
        Member.objects.select_related("organisation")
        .filter(user=user, is_active=True, organisation__is_active=True)
        .first()
    )


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Jeton mal formé.")
        record = token_authenticate(header[1].decode("latin-1"))
        if record is None:
            raise exceptions.AuthenticationFailed("Jeton inconnu, expiré ou révoqué.")
        request._request.member = record.member  # type: ignore[attr-defined]
        return record.member.user, record

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The staff web session, only once its second factor is verified (CSRF enforced)."""

    def authenticate(self, request: Request):
        result = super().authenticate(request)
        if result is None:
            return None
        user, _ = result
        if not getattr(user, "is_verified", lambda: False)():
            return None
        member = _member_of(user)
        if member is None:
            return None
        request._request.member = member  # type: ignore[attr-defined]
        return user, None


class IsStaffMember(permissions.BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return getattr(request._request, "member", None) is not None


class ScopePermission(permissions.BasePermission):
    """A token must carry the view's scope; a verified session holds every scope (its
    fresh-code checks are done by the views, as on the pages)."""

    scope = Scope.READ

    def has_permission(self, request: Request, view) -> bool:
        if getattr(request._request, "member", None) is None:
            return False
        needed = getattr(view, "required_scope", self.scope)
        token = request.auth
        if token is None:
            return True
        return needed in token.scope_set
