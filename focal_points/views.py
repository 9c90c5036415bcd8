"""Staff login (password + TOTP), first-time enrolment, adding a second device, asking the
code again, POST-only logout. The rules are in ``focal_points.auth``; these views parse,
call and answer."""

from __future__ import annotations

from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points import auth
from focal_points.auth import staff_member_required
from focal_points.reauth import (
    REAUTH_FIELD,
    lock_message,
    reauth_prompt,
    reauth_verify,
    wait_message,
)

DEFAULT_NEXT = "/staff/"
INVALID = gettext_lazy("Identifiant, mot de passe ou code incorrect.")
WRONG_CODE = gettext_lazy("Code incorrect. Vérifiez l'heure du téléphone et réessayez.")


class LoginForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Identifiant"), max_length=150)
    password = forms.CharField(label=gettext_lazy("Mot de passe"), widget=forms.PasswordInput)
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres (application d'authentification)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or DEFAULT_NEXT
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return DEFAULT_NEXT


def _log_in(request: HttpRequest, user, device: TOTPDevice) -> None:
    login(request, user)  # new session key; the login time is set by auth.on_user_logged_in
    otp_login(request, device)
    auth.session_code_verified(request)


@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        attempt = auth.staff_authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
        )
        if attempt.needs_enrollment:
            auth.enrolment_start(request, attempt.user)
            return redirect(f"/staff/enroll/?next={_safe_next(request)}")
        if attempt.user is not None:
            _log_in(request, attempt.user, attempt.device)
            return HttpResponseRedirect(_safe_next(request))
        if attempt.lock is not None:
            error, status = lock_message(attempt.lock), 403
        elif attempt.wait_seconds:
            error = wait_message(attempt.wait_seconds)
        else:
            error = str(INVALID)
    return render(
        request,
        "staff/login.html",
        {
            "form": form,
            "error": error,
            "next": _safe_next(request),
            "idle_minutes": settings.SESSION_COOKIE_AGE // 60,
            "max_hours": max(1, round(settings.STAFF_SESSION_MAX_SECONDS / 3600)),
        },
        status=status,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def _enrol_page(request: HttpRequest, *, user, key: str, form: CodeForm, error: str, title: str) -> HttpResponse:
    return render(
        request,
        "staff/enroll.html",
        {
            "form": form,
            "error": error,
            "qr_svg": _qr_svg(auth.secret_config_url(user, key)),
            "secret": auth.secret_base32(key),
            "next": _safe_next(request),
            "title": title,
        },
    )


def _enrolment_over(request: HttpRequest, *, explain: bool) -> HttpResponse:
    if explain:
        messages.info(
            request,
            gettext(
                "Cet enrôlement n'est plus valable (clé expirée, mot de passe changé ou appareil déjà "
                "enregistré). Reconnectez-vous."
            ),
        )
    return redirect("/staff/login/")


@never_cache
@require_http_methods(["GET", "POST"])
def staff_enroll(request: HttpRequest) -> HttpResponse:
    """After a correct password, an account without a device registers one. The secret
    is this session's own; it is never shown again once any device is confirmed."""
    had_pending = auth.ENROLL_KEY in request.session
    pending = auth.enrolment_pending(request)
    if pending is None:
        return _enrolment_over(request, explain=had_pending)
    user, key = pending
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = auth.device_confirm(user=user, key=key, code=form.cleaned_data["code"], first=True)
        if device is not None:
            request.session.pop(auth.ENROLL_KEY, None)
            _log_in(request, user, device)
            return HttpResponseRedirect(_safe_next(request))
        if auth.enrolment_pending(request) is None:  # a device appeared meanwhile
            return _enrolment_over(request, explain=True)
        error = str(WRONG_CODE)
    return _enrol_page(
        request, user=user, key=key, form=form, error=error, title=gettext("Activer le deuxième facteur")
    )


class DeviceForm(forms.Form):
    current_code = forms.CharField(
        label=gettext_lazy("Code de votre appareil actuel"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Code du nouvel appareil"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_member_required
def staff_device_add(request: HttpRequest) -> HttpResponse:
    """A second device (a new phone, a spare): confirmed with a code from the new one and,
    typed on this very form, a code from a device already registered, so that a stolen
    session alone can never add one. Its secret lives in this session for
    ``ENROLL_SECRET_SECONDS``."""
    key = auth.device_add_secret(request)
    form = DeviceForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        # The new code first: checking it consumes nothing, so a typo there does not burn
        # the current device's code.
        if not auth.secret_accepts(key, form.cleaned_data["code"]):
            error = str(WRONG_CODE)
        else:
            result = reauth_verify(request, form.cleaned_data["current_code"])
            if result.ended:
                return redirect("/staff/login/")
            count = TOTPDevice.objects.filter(user=request.user, confirmed=True).count()
            device = result.ok and auth.device_confirm(
                user=request.user, key=key, code=form.cleaned_data["code"], first=False, name=f"téléphone {count + 1}"
            )
            if device:
                request.session.pop(auth.NEW_DEVICE_KEY, None)
                return redirect(DEFAULT_NEXT)
            error = result.message or str(WRONG_CODE)
    return _enrol_page(
        request, user=request.user, key=key, form=form, error=error, title=gettext("Ajouter un appareil")
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_member_required
def staff_reauth(request: HttpRequest) -> HttpResponse:
    """The code asked again before a GET that needs it (an export): back to it after."""
    target = _safe_next(request)
    error = ""
    if request.method == "POST":
        result = reauth_verify(request, request.POST.get(REAUTH_FIELD, ""))
        if result.ended:
            return redirect("/staff/login/")
        if result.ok:
            return HttpResponseRedirect(target)
        error = result.message
    return reauth_prompt(request, label=gettext_lazy("Confirmer votre identité"), error=error, next_url=target)


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/staff/login/")
