"""Staff authentication: password plus a TOTP code, brute-force lockout, and disabling a
seized account in one step (scenario 6).

Lockout counts failures per username and per client address in the cache; past
``LOGIN_MAX_FAILURES`` within ``LOGIN_LOCKOUT_SECONDS`` further attempts are refused
without even checking the credentials, so a locked account cannot be probed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django_otp.admin import OTPAdminSite
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.models import Member


def _key(kind: str, value: str) -> str:
    # Hashed so that usernames and addresses do not sit in the cache in clear.
    return f"login-fail:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def login_locked(*, username: str, address: str) -> bool:
    limit = settings.LOGIN_MAX_FAILURES
    return (cache.get(_key("user", username), 0) >= limit) or (cache.get(_key("addr", address), 0) >= limit * 4)


def login_failed(*, username: str, address: str) -> None:
    for key in (_key("user", username), _key("addr", address)):
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def login_succeeded(*, username: str) -> None:
    cache.delete(_key("user", username))


@dataclass(frozen=True)
class Attempt:
    user: AbstractBaseUser | None
    device: TOTPDevice | None
    needs_enrollment: bool = False
    error: str = ""


def staff_authenticate(request: HttpRequest, *, username: str, password: str, code: str) -> Attempt:
    """Check password and TOTP code together, counting failures for the lockout."""
    address = request.META.get("REMOTE_ADDR", "")
    if login_locked(username=username, address=address):
        return Attempt(None, None, error="locked")
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failed(username=username, address=address)
        return Attempt(None, None, error="invalid")
    devices = list(TOTPDevice.objects.devices_for_user(user, confirmed=True))
    if not devices:
        login_succeeded(username=username)
        return Attempt(user, None, needs_enrollment=True)
    code = "".join(ch for ch in code if ch.isdigit())
    for device in devices:
        if code and device.verify_token(code):
            login_succeeded(username=username)
            return Attempt(user, device)
    login_failed(username=username, address=address)
    return Attempt(None, None, error="invalid")


@transaction.atomic
def account_disable(*, user: AbstractBaseUser) -> int:
    """Disable a staff account at once: no login, every open session ended, member
    inactive (so no routing and no alert reaches that phone). Returns sessions ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    Member.objects.filter(user=user).update(is_active=False)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    TOTPDevice.objects.filter(user=user).delete()
    return ended


class VeilleAdminSite(OTPAdminSite):
    """The admin requires a verified second factor; its login is the staff login."""

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        return redirect(f"/staff/login/?{urlencode({'next': request.GET.get('next', '/admin/')})}")


def staff_member_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff pages: logged in, second factor verified, an active member of an active
    organisation. The member is put on ``request.member`` for the view."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not request.user.is_authenticated or not request.user.is_verified():
            return redirect_to_login(request.get_full_path())
        member = (
            Member.objects.select_related("organisation")
            .filter(user=request.user, is_active=True, organisation__is_active=True)
            .first()
        )
        if member is None:
            raise PermissionDenied
        request.member = member  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
