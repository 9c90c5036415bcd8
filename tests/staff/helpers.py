"""Helpers shared by the staff tests: accounts, live codes, secrets read off a page."""

from __future__ import annotations

import base64
import re

from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from focal_points.models import Member

PASSWORD = "correct horse battery staple"


def give_account(name: str, username: str) -> object:
    member = Member.objects.get(name=name)
    member.user = get_user_model().objects.create_user(username=username, password=PASSWORD)
    member.save(update_fields=["user"])
    return member.user


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def code_for_secret(secret: str) -> str:
    """The code an authenticator app shows for a base32 secret read off the page."""
    return f"{totp(base64.b32decode(secret)):06d}"


def secret_on(page) -> str | None:
    match = re.search(r'<code class="secret">([A-Z2-7=]+)</code>', page.content.decode())
    return match.group(1) if match else None
