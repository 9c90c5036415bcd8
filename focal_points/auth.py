"""Staff authentication: password plus a TOTP code, brute-force lockout that cannot be
turned against everyone, enrolment that cannot be taken over, sessions with an absolute
lifetime, and disabling or resetting a seized account in one step (scenario 6).

Lockout counts failures per username and per client address in the cache. Past
``LOGIN_MAX_FAILURES`` for a username, that account is refused for
``LOGIN_LOCKOUT_SECONDS`` without even checking the credentials, so a locked account
cannot be probed; past ``LOGIN_MAX_FAILURES_PER_ADDRESS`` for an address, that address is
refused, and no account is locked by it. The client address is the peer's, or, only when
the peer is one of ``TRUSTED_PROXIES``, the last hop of ``X-Forwarded-For`` not added by
a trusted proxy: behind the TLS proxy everyone has the proxy's address, so counting that
would let anyone lock every login.

Enrolment: a correct password for an account without a device starts an enrolment
session holding a fresh secret, valid ``ENROLL_SECRET_SECONDS`` and bound to the
password's hash. Nothing is stored until a code for that secret is confirmed, and a
confirmation is refused once the account has a device (a second device is added from a
session verified with the first, or after a coordinator's reset).
"""

from __future__ import annotations

import base64
import hashlib
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import SESSION_KEY, authenticate, logout
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.admin import OTPAdminSite
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from focal_points import directory
from focal_points.models import AccountEvent, AccountEventKind, Member

# One place decides which address a request came from (lockout, USSD allow-list, receipt
# buckets): re-exported here for reauth and the tests.
from veille.netaddr import client_address

# Session keys. Times are whole seconds since the epoch (sessions are JSON).
LOGIN_AT_KEY = "veille_login_at"  # when the password and code were checked
CODE_AT_KEY = "veille_code_at"  # when an authenticator code was last checked
ENROLL_KEY = "veille_enroll"  # a pending first enrolment: user, password binding, secret
NEW_DEVICE_KEY = "veille_new_device"  # a second device being added by a verified user


def now_seconds() -> int:
    return int(time.time())


# --- Lockout --------------------------------------------------------------------------


@dataclass(frozen=True)
class Lock:
    scope: str  # "account" or "address"
    until: float  # epoch seconds

    @property
    def minutes(self) -> int:
        return max(1, math.ceil((self.until - time.time()) / 60))


_SCOPES = {"account": "user", "address": "addr"}


def _key(kind: str, value: str, what: str = "fail") -> str:
    # Hashed so that usernames and addresses do not sit in the cache in clear.
    return f"login-{what}:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()[:32]}"


def login_locked(*, username: str, address: str) -> Lock | None:
    for scope, value in (("account", username), ("address", address)):
        until = cache.get(_key(_SCOPES[scope], value, "lock"))
        if until and until > time.time():
            return Lock(scope, until)
    return None


def login_failed(*, username: str, address: str) -> None:
    limits = {"user": settings.LOGIN_MAX_FAILURES, "addr": settings.LOGIN_MAX_FAILURES_PER_ADDRESS}
    for kind, value in (("user", username), ("addr", address)):
        key = _key(kind, value)
        if cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, settings.LOGIN_LOCKOUT_SECONDS)
                count = 1
        if count >= limits[kind]:
            # add, not set: the lock runs from the failure that crossed the limit.
            cache.add(
                _key(kind, value, "lock"), time.time() + settings.LOGIN_LOCKOUT_SECONDS, settings.LOGIN_LOCKOUT_SECONDS
            )


def login_succeeded(*, username: str, address: str) -> None:
    """A success clears both counters: an address shared by many (a NAT, a proxy not yet
    listed as trusted) is not locked by the slow accumulation of honest typos."""
    for kind, value in (("user", username), ("addr", address)):
        cache.delete_many([_key(kind, value), _key(kind, value, "lock")])


# --- Codes ----------------------------------------------------------------------------


def digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


@dataclass(frozen=True)
class CodeCheck:
    device: TOTPDevice | None = None
    wait_seconds: int = 0  # > 0: every device is throttled after recent wrong codes


def code_check(user: AbstractBaseUser, code: str) -> CodeCheck:
    """Check a code against the user's confirmed devices, honouring django-otp's
    throttling (1, 2, 4… seconds after successive wrong codes). A throttled device is
    not tried, so a correct code typed too soon is reported as "wait", not "wrong"."""
    code = digits(code)
    tried = False
    waits: list[float] = []
    for device in TOTPDevice.objects.devices_for_user(user, confirmed=True):
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            waits.append((locked_until - timezone.now()).total_seconds() if locked_until else 1)
            continue
        tried = True
        if code and device.verify_token(code):
            return CodeCheck(device=device)
    if tried or not waits:
        return CodeCheck()  # wrong (or no device)
    return CodeCheck(wait_seconds=max(1, math.ceil(min(waits))))


def session_code_verified(request: HttpRequest) -> None:
    request.session[CODE_AT_KEY] = now_seconds()


def code_is_fresh(request: HttpRequest) -> bool:
    verified_at = request.session.get(CODE_AT_KEY)
    return isinstance(verified_at, int) and now_seconds() - verified_at <= settings.STAFF_REAUTH_SECONDS


# --- Login ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    user: AbstractBaseUser | None
    device: TOTPDevice | None
    needs_enrollment: bool = False
    error: str = ""  # "locked", "invalid" or "throttled"
    lock: Lock | None = None
    wait_seconds: int = 0


def staff_authenticate(request: HttpRequest, *, username: str, password: str, code: str) -> Attempt:
    """Check password and TOTP code together, counting failures for the lockout."""
    address = client_address(request)
    lock = login_locked(username=username, address=address)
    if lock is not None:
        return Attempt(None, None, error="locked", lock=lock)
    user = authenticate(request, username=username, password=password)
    if user is None:
        login_failed(username=username, address=address)
        return Attempt(None, None, error="invalid")
    if not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists():
        login_succeeded(username=username, address=address)
        return Attempt(user, None, needs_enrollment=True)
    check = code_check(user, code)
    if check.device is not None:
        login_succeeded(username=username, address=address)
        return Attempt(user, check.device)
    if check.wait_seconds:
        # Not a guess: no code was checked. The device's own throttle is the limit.
        return Attempt(None, None, error="throttled", wait_seconds=check.wait_seconds)
    login_failed(username=username, address=address)
    return Attempt(None, None, error="invalid")


def on_user_logged_in(sender: object, request: HttpRequest | None, user: AbstractBaseUser, **kwargs: object) -> None:
    """Every login starts the absolute lifetime (``STAFF_SESSION_MAX_SECONDS``)."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = now_seconds()


class SessionLifetimeMiddleware:
    """Ends a logged-in session ``STAFF_SESSION_MAX_SECONDS`` after its login, however
    active it was (the idle limit is ``SESSION_COOKIE_AGE``). A session without a login
    time was not made by this code: it is ended too."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            login_at = session.get(LOGIN_AT_KEY)
            if not isinstance(login_at, int) or now_seconds() - login_at > settings.STAFF_SESSION_MAX_SECONDS:
                logout(request)
        return self.get_response(request)


# --- Enrolment ------------------------------------------------------------------------


def new_secret() -> str:
    return random_hex(20)


def secret_base32(key: str) -> str:
    return base64.b32encode(bytes.fromhex(key)).decode()


def secret_config_url(user: AbstractBaseUser, key: str) -> str:
    return TOTPDevice(user=user, key=key, name="").config_url


def enrolment_start(request: HttpRequest, user: AbstractBaseUser) -> None:
    """After a correct password, for an account without a device: a new session (no
    fixation) holding a fresh secret, bound to this password."""
    request.session.cycle_key()
    request.session[ENROLL_KEY] = {
        "user": user.pk,
        "auth_hash": user.get_session_auth_hash(),
        "key": new_secret(),
        "started": now_seconds(),
    }


def enrolment_pending(request: HttpRequest) -> tuple[AbstractBaseUser, str] | None:
    """The user and secret of this session's pending enrolment, if it still holds: not
    expired, the same password, the account active and still without a device.
    Otherwise the pending state is dropped."""
    from django.contrib.auth import get_user_model

    state = request.session.get(ENROLL_KEY)
    if not isinstance(state, dict):
        return None
    user = get_user_model().objects.filter(pk=state.get("user"), is_active=True).first()
    valid = (
        user is not None
        and now_seconds() - int(state.get("started", 0)) <= settings.ENROLL_SECRET_SECONDS
        and constant_time_compare(str(state.get("auth_hash", "")), user.get_session_auth_hash())
        and not TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()
    )
    if not valid:
        request.session.pop(ENROLL_KEY, None)
        return None
    return user, state["key"]


def device_add_secret(request: HttpRequest) -> str:
    """The secret of a second device being added in this (verified) session: kept for
    ``ENROLL_SECRET_SECONDS``, then a new one."""
    state = request.session.get(NEW_DEVICE_KEY)
    if not isinstance(state, dict) or now_seconds() - int(state.get("started", 0)) > settings.ENROLL_SECRET_SECONDS:
        state = {"key": new_secret(), "started": now_seconds()}
        request.session[NEW_DEVICE_KEY] = state
    return state["key"]


def secret_accepts(key: str, code: str) -> TOTP | None:
    code = digits(code)
    if not code:
        return None
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    return totp if totp.verify(int(code), tolerance=1) else None


@transaction.atomic
def device_confirm(
    *, user: AbstractBaseUser, key: str, code: str, first: bool, name: str = "téléphone"
) -> TOTPDevice | None:
    """Store a device for ``key`` if ``code`` matches it. ``first``: refused if the account
    has a device by now (two pending sessions, or an attacker's, racing the owner's); the
    user row is locked so two confirmations cannot both see "no device"."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    confirmed = TOTPDevice.objects.devices_for_user(user, confirmed=True)
    if first and confirmed.exists():
        return None
    totp = secret_accepts(key, code)
    if totp is None:
        return None
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()  # secrets of the old enrolment code
    device = TOTPDevice.objects.create(user=user, name=name, key=key, confirmed=True, last_t=totp.t(), drift=totp.drift)
    AccountEvent.objects.create(user=user, kind=AccountEventKind.DEVICE_ADDED)
    return device


# --- Ending sessions, reset, disable ----------------------------------------------------


def sessions_end(*, user: AbstractBaseUser) -> int:
    """Delete every session of ``user``: logged in, or pending enrolment. Returns how many.
    Sessions are staff-only (the reporter's path sets none), so scanning them is cheap."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        data = session.get_decoded()
        pending = data.get(ENROLL_KEY)
        if str(data.get(SESSION_KEY)) == str(user.pk) or (
            isinstance(pending, dict) and str(pending.get("user")) == str(user.pk)
        ):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def account_disable(*, user: AbstractBaseUser, by: AbstractBaseUser | None = None) -> int:
    """Disable a staff account at once: no login, every open session ended, member
    inactive (so no routing and no alert reaches that phone). Returns sessions ended."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    Member.objects.filter(user=user).update(is_active=False)
    directory.directory_changed()  # an update() sends no signal
    ended = sessions_end(user=user)
    TOTPDevice.objects.filter(user=user).delete()
    AccountEvent.objects.create(user=user, kind=AccountEventKind.DISABLED, by=by, sessions_ended=ended)
    return ended


@transaction.atomic
def second_factor_reset(*, user: AbstractBaseUser, by: AbstractBaseUser | None) -> int:
    """A coordinator's reset of a lost authenticator: every device removed and every
    session ended; the next login with the password enrols a new device. Recorded.
    Returns sessions ended."""
    TOTPDevice.objects.filter(user=user).delete()
    ended = sessions_end(user=user)
    AccountEvent.objects.create(user=user, kind=AccountEventKind.SECOND_FACTOR_RESET, by=by, sessions_ended=ended)
    return ended


def on_user_pre_save(sender: type, instance: AbstractBaseUser, update_fields: object = None, **kwargs: object) -> None:
    """Notice a password change before it is written (``set_password``, the admin's form,
    ``changepassword``, a direct assignment). A hash upgrade at login is not a change:
    Django saves it with ``update_fields=["password"]`` and no new raw password."""
    instance._veille_password_changed = False  # type: ignore[attr-defined]
    if instance.pk is None:
        return
    if update_fields is not None and (
        "password" not in update_fields or (set(update_fields) == {"password"} and instance._password is None)
    ):
        return  # the password is not written (last_login...), or only re-hashed
    stored = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    instance._veille_password_changed = stored is not None and stored != instance.password  # type: ignore[attr-defined]


def on_user_post_save(sender: type, instance: AbstractBaseUser, created: bool, **kwargs: object) -> None:
    """A password change ends every session of that user, pending enrolments included:
    whoever knew the old password keeps nothing."""
    if not getattr(instance, "_veille_password_changed", False):
        return
    instance._veille_password_changed = False  # type: ignore[attr-defined]
    ended = sessions_end(user=instance)
    AccountEvent.objects.create(user=instance, kind=AccountEventKind.PASSWORD_CHANGED, sessions_ended=ended)


# --- Guards for staff views -------------------------------------------------------------


class VeilleAdminSite(OTPAdminSite):
    """The admin requires a verified second factor; its login is the staff login. Its
    titles are French, like every screen (Django's default reads "Django administration")."""

    site_header = "Veille · administration"
    site_title = "Veille · administration"
    index_title = "Configuration de la plateforme"

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
