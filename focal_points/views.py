"""Staff login (password + TOTP), first-time TOTP enrollment, POST-only logout."""

from __future__ import annotations

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib.auth import get_user_model, login, logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.auth import staff_authenticate

ENROLL_SESSION_KEY = "veille_enroll_user"
DEFAULT_NEXT = "/staff/"
ERRORS = {
    "locked": _("Trop d'essais. Le compte est bloqué pendant 15 minutes."),
    "invalid": _("Identifiant, mot de passe ou code incorrect."),
}


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Identifiant"), max_length=150)
    password = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput)
    code = forms.CharField(
        label=_("Code à 6 chiffres (application d'authentification)"),
        required=False,
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code à 6 chiffres"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or DEFAULT_NEXT
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return DEFAULT_NEXT


@never_cache
@require_http_methods(["GET", "POST"])
def staff_login(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        attempt = staff_authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
            code=form.cleaned_data["code"],
        )
        if attempt.needs_enrollment:
            request.session.cycle_key()
            request.session[ENROLL_SESSION_KEY] = attempt.user.pk
            return redirect(f"/staff/enroll/?next={_safe_next(request)}")
        if attempt.user is not None:
            login(request, attempt.user)
            otp_login(request, attempt.device)
            return HttpResponseRedirect(_safe_next(request))
        error = ERRORS[attempt.error]
    return render(
        request,
        "staff/login.html",
        {"form": form, "error": error, "next": _safe_next(request)},
        status=403 if error == ERRORS["locked"] else 200,
    )


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


@never_cache
@require_http_methods(["GET", "POST"])
def staff_enroll(request: HttpRequest) -> HttpResponse:
    """After a correct password, a user without a second factor must register one."""
    user_id = request.session.get(ENROLL_SESSION_KEY)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("/staff/login/")
    device, _created = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "téléphone"})
    form = CodeForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(ch for ch in form.cleaned_data["code"] if ch.isdigit())):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            del request.session[ENROLL_SESSION_KEY]
            login(request, user)
            otp_login(request, device)
            return HttpResponseRedirect(_safe_next(request))
        error = _("Code incorrect. Vérifiez l'heure du téléphone et réessayez.")
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "staff/enroll.html",
        {
            "form": form,
            "error": error,
            "qr_svg": _qr_svg(device.config_url),
            "secret": secret,
            "next": _safe_next(request),
        },
    )


@require_POST
def staff_logout(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("/staff/login/")
