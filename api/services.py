"""Issuing, checking and revoking API tokens (writes)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from api.models import ApiToken, Scope
from focal_points.models import Member

TOKEN_PREFIX = "vt_"


class TokenError(Exception):
    pass


def token_digest(token: str) -> str:
    # Tokens are 256 random bits: a plain SHA-256 is enough (no password to stretch).
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Issued:
    token: str  # shown once
    record: ApiToken


def token_issue(*, member: Member, name: str, scopes: list[str]) -> Issued:
    chosen = {s for s in scopes if s in Scope.values}
    if not chosen:
        raise TokenError("Choisissez au moins une portée.")
    chosen.add(Scope.READ)  # every other scope reads what it acts on
    now = timezone.now()
    if Scope.FORWARD_CLOSE in chosen:
        life = timedelta(hours=settings.API_TOKEN_FORWARD_CLOSE_HOURS)
    else:
        life = timedelta(days=settings.API_TOKEN_DAYS)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        member=member,
        name=name.strip()[:60] or "API",
        digest=token_digest(token),
        prefix=token[:10],
        scopes=" ".join(sorted(chosen)),
        created_at=now,
        expires_at=now + life,
    )
    return Issued(token=token, record=record)


def token_authenticate(token: str) -> ApiToken | None:
    """The live token of an active member of an active organisation, or None."""
    record = (
        ApiToken.objects.select_related("member__organisation", "member__user")
        .filter(digest=token_digest(token))
        .first()
    )
    if record is None or not record.is_live():
        return None
    member = record.member
    if not member.is_active or not member.organisation.is_active or member.user is None or not member.user.is_active:
        return None
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=timezone.now())
    return record


def token_revoke(*, member: Member, token_id: int) -> bool:
    """Revoke one of the member's own tokens; False if it is not theirs or already off."""
    return bool(
        ApiToken.objects.filter(pk=token_id, member=member, revoked_at__isnull=True).update(revoked_at=timezone.now())
    )
