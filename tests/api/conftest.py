"""Shared set-up of the API tests: the two reports of the permission matrix and clients
that carry a token of a named member."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from focal_points.models import Category, Member
from places.models import Commune
from reporting.models import Report
from reporting.services import PlaceChoice, report_submit


@pytest.fixture
def reports(deployment):
    def make(commune: str, category: str, text: str) -> Report:
        place = PlaceChoice(commune_id=Commune.objects.get(name=commune).pk)
        return report_submit(channel="web", category=category, description=text, place=place).report

    boni = make("Dangol-Boré", Category.ARMED_ATTACK, "attaque au marche")
    sevare = make("Socoura", Category.FORCE_ABUSE, "des policiers ont frappe un chauffeur")
    sevare.accused_force = "police"
    sevare.save(update_fields=["accused_force"])
    return boni, sevare


@pytest.fixture
def token_for(deployment):
    """``token_for("Aminata Guindo", ["read"])`` → (token, record) of a live token."""
    from api.services import token_issue

    def issue(name: str, scopes: list[str] | tuple[str, ...] = ("read",)):
        member = Member.objects.get(name=name)
        if member.user is None:
            member.user = get_user_model().objects.create_user(username=f"api{member.pk}", password="x" * 24)
            member.save(update_fields=["user"])
        issued = issue_token(member, list(scopes))
        return issued.token, issued.record

    def issue_token(member, scopes):
        return token_issue(member=member, name="test", scopes=scopes)

    return issue


@pytest.fixture
def api_client(token_for):
    """``api_client("Aminata Guindo", ["read", "triage"])`` → a client sending its token."""

    def make(name: str, scopes: list[str] | tuple[str, ...] = ("read",)) -> Client:
        token, _ = token_for(name, scopes)
        return Client(headers={"Authorization": f"Bearer {token}"})

    return make
