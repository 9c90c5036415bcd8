"""Asking for the authenticator code again before the actions that matter most.

``fresh_code_required`` wraps a staff view (inside ``staff_member_required``). When the
session's last code is older than ``STAFF_REAUTH_SECONDS`` it answers, instead of the
view, a page asking for a code. Without any JavaScript, the pending action is kept:

- for a POST, the page is a form posting the same fields to the same URL, plus the code;
  the decorator checks the code and, if right, runs the view on that request, so the
  action happens in one step and lands where it always does;
- for a GET (a CSV export), the page posts the code to ``/staff/reauth/``, which sends
  the browser back to the URL it asked for.

Nothing about the target object is read before the code is checked, so the prompt looks
the same for a report one may see and for one that does not exist. Wrong codes count for
the account's lockout; when the account locks, the session is ended.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from focal_points.auth import (
    Lock,
    client_address,
    code_check,
    code_is_fresh,
    login_failed,
    login_locked,
    login_succeeded,
    session_code_verified,
)

REAUTH_FIELD = "reauth_code"
REAUTH_URL = "/staff/reauth/"
# Never echoed back into the prompt's hidden fields.
_NOT_KEPT = {"csrfmiddlewaretoken", REAUTH_FIELD}

Reason = str | Promise | Callable[..., "str | Promise | None"]


def lock_message(lock: Lock) -> str:
    if lock.scope == "address":
        text = ngettext(
            "Trop d'essais depuis cette adresse. Réessayez dans %(minutes)d minute.",
            "Trop d'essais depuis cette adresse. Réessayez dans %(minutes)d minutes.",
            lock.minutes,
        )
    else:
        text = ngettext(
            "Trop d'essais pour ce compte. Réessayez dans %(minutes)d minute.",
            "Trop d'essais pour ce compte. Réessayez dans %(minutes)d minutes.",
            lock.minutes,
        )
    return text % {"minutes": lock.minutes}


def wait_message(seconds: int) -> str:
    return ngettext(
        "Code non vérifié : un code faux vient d'être essayé. Attendez %(seconds)d seconde, "
        "puis entrez le code affiché.",
        "Code non vérifié : un code faux vient d'être essayé. Attendez %(seconds)d secondes, "
        "puis entrez le code affiché.",
        seconds,
    ) % {"seconds": seconds}


@dataclass(frozen=True)
class Reauth:
    ok: bool = False
    message: str = ""
    ended: bool = False  # the account locked: the session was ended


def reauth_verify(request: HttpRequest, code: str) -> Reauth:
    """Check a code typed by the logged-in user; renew the session's code time if right."""
    username = request.user.get_username()
    address = client_address(request)
    lock = login_locked(username=username, address=address)
    if lock is not None and lock.scope == "account":
        logout(request)
        return Reauth(ended=True)
    check = code_check(request.user, code)
    if check.device is not None:
        session_code_verified(request)
        login_succeeded(username=username, address=address)
        return Reauth(ok=True)
    if check.wait_seconds:
        return Reauth(message=wait_message(check.wait_seconds))
    login_failed(username=username, address=address)
    lock = login_locked(username=username, address=address)
    if lock is not None and lock.scope == "account":
        # Someone holding a stolen session guessing codes keeps nothing.
        logout(request)
        return Reauth(ended=True)
    return Reauth(message=gettext("Code incorrect. Vérifiez l'heure du téléphone et réessayez."))


def reauth_prompt(
    request: HttpRequest, *, label: str | Promise, error: str = "", next_url: str | None = None
) -> HttpResponse:
    if request.method == "POST" and next_url is None:
        action = request.get_full_path()
        hidden = [(name, value) for name, values in request.POST.lists() if name not in _NOT_KEPT for value in values]
    else:
        action = REAUTH_URL
        hidden = [("next", next_url or request.get_full_path())]
    return render(
        request,
        "staff/reauth.html",
        {
            "label": label,
            "error": error,
            "action": action,
            "hidden": hidden,
            "field": REAUTH_FIELD,
            "minutes": max(1, settings.STAFF_REAUTH_SECONDS // 60),
        },
    )


def fresh_code_required(reason: Reason) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """``reason``: what the action is, shown on the prompt (always asked), or a function
    of the view's arguments returning it, or None when this request needs no code."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            label = reason if isinstance(reason, str | Promise) else reason(request, *args, **kwargs)
            if not label or code_is_fresh(request):
                return view(request, *args, **kwargs)
            error = ""
            if request.method == "POST" and REAUTH_FIELD in request.POST:
                result = reauth_verify(request, request.POST[REAUTH_FIELD])
                if result.ended:
                    return redirect_to_login("/staff/")
                if result.ok:
                    return view(request, *args, **kwargs)
                error = result.message
            return reauth_prompt(request, label=label, error=error)

        return wrapper

    return decorator
