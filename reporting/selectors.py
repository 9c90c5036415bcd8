"""Reads for the public web pages: the place list of the form, a web submission by its
form token."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from places.models import Cercle, Commune, Region
from reporting.models import WebSubmission
from reporting.services import PlaceChoice
from veille.crypto import keyed_digest_candidates

# Values of the place <select>: a letter for the level, then the primary key. Short on
# purpose: 708 communes are listed, every byte counts on a 2G link.
REGION_PREFIX = "r"
CERCLE_PREFIX = "k"
COMMUNE_PREFIX = "c"


@dataclass(frozen=True)
class PlaceGroup:
    """One <optgroup> of the place list: a cercle with its communes, or the regions."""

    label: str
    region_id: int | None
    options: list[tuple[str, str]] = field(default_factory=list)


def place_groups() -> list[PlaceGroup]:
    """Every region, cercle and commune of the gazetteer as <optgroup>s, in three queries.

    First a group of regions alone (for someone who knows only the region), then one
    group per cercle, opened by "commune unknown" so a cercle alone is a valid answer.
    """
    regions = list(Region.objects.order_by("name").only("pk", "name"))
    groups = [
        PlaceGroup(
            label=_("Je ne connais que la région"),
            region_id=None,
            options=[(f"{REGION_PREFIX}{r.pk}", r.name) for r in regions],
        )
    ]
    communes_by_cercle: dict[int, list[tuple[str, str]]] = {}
    for pk, name, cercle_id in Commune.objects.order_by("name").values_list("pk", "name", "cercle_id"):
        communes_by_cercle.setdefault(cercle_id, []).append((f"{COMMUNE_PREFIX}{pk}", name))
    cercles = Cercle.objects.order_by("region__name", "name").values_list("pk", "name", "region_id", "region__name")
    for pk, name, region_id, region_name in cercles:
        unknown = (f"{CERCLE_PREFIX}{pk}", _("%(cercle)s : commune inconnue") % {"cercle": name})
        groups.append(
            PlaceGroup(
                label=f"{region_name} — {name}",
                region_id=region_id,
                options=[unknown, *communes_by_cercle.get(pk, [])],
            )
        )
    return groups


def place_choice_from_value(value: str) -> PlaceChoice | None:
    """Read a value of the place list back; None when it names no place of the gazetteer.
    An empty value is a valid "I do not know"."""
    if not value:
        return PlaceChoice()
    prefix, digits = value[:1], value[1:]
    if not digits.isdigit() or len(digits) > 9:
        return None
    pk = int(digits)
    if prefix == REGION_PREFIX and Region.objects.filter(pk=pk).exists():
        return PlaceChoice(region_id=pk)
    if prefix == CERCLE_PREFIX and Cercle.objects.filter(pk=pk).exists():
        return PlaceChoice(cercle_id=pk)
    if prefix == COMMUNE_PREFIX and Commune.objects.filter(pk=pk).exists():
        return PlaceChoice(commune_id=pk)
    return None


def web_submission_by_token(*, nonce: str) -> WebSubmission | None:
    """The submission already made with this form token, under any pseudonym key."""
    return (
        WebSubmission.objects.filter(token_digest__in=keyed_digest_candidates(web_token_subject(nonce)))
        .select_related("report")
        .first()
    )


def web_token_subject(nonce: str) -> str:
    """What the keyed digest of a form token is taken over (namespaced against receipts)."""
    return f"web-form:{nonce}"
