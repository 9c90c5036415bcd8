"""Writes to the gazetteer: import (idempotent, re-runnable) and index invalidation."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.core.cache import cache
from django.db import transaction

from places.models import Cercle, Commune, Region, RegionKind, Setting

DEFAULT_GAZETTEER = Path(__file__).resolve().parent / "data" / "gazetteer.json"
INDEX_VERSION_KEY = "places:index-version"

# Names residents also use. A default; coordinators add more in the admin.
DEFAULT_ALIASES: dict[tuple[str, str], list[str]] = {
    ("region", "Tombouctou"): ["Timbuktu", "Tombouctu", "Tumbutu"],
    ("cercle", "Tombouctou"): ["Timbuktu", "Tombouctu"],
    ("commune", "Tombouctou"): ["Timbuktu", "Tombouctu", "Tumbutu"],
    ("region", "Ségou"): ["Segu"],
    ("commune", "Ségou"): ["Segu"],
    ("commune", "Mopti"): ["Sévaré", "Sevare"],
    ("region", "Ménaka"): ["Menaka"],
    ("region", "Taoudénit"): ["Taoudeni", "Taoudenni"],
    ("commune", "Kidal"): ["Kidal ville"],
    # Villages residents name, attached to their commune (the gazetteer stops at communes).
    ("commune", "Dangol-Boré"): ["Boni"],
    ("commune", "Bandiagara Commune"): ["Bandiagara"],
    ("commune", "Koporokendié Nâ (ou Koporo Na)"): ["Koporo Na", "Koporokendie Na"],
}
URBAN_COMMUNES = {"Kayes", "Koulikoro", "Sikasso", "Ségou", "Mopti", "Tombouctou", "Gao", "Kidal", "Ménaka", "Kati"}


@dataclass(frozen=True)
class ImportSummary:
    regions: int
    cercles: int
    communes: int
    created: int


def _aliases(level: str, name: str) -> str:
    return "\n".join(DEFAULT_ALIASES.get((level, name), []))


def _seat(value: list[float] | None) -> tuple[float | None, float | None]:
    if not value:
        return None, None
    return float(value[0]), float(value[1])


@transaction.atomic
def gazetteer_import(*, path: Path = DEFAULT_GAZETTEER) -> ImportSummary:
    """Create or update every place in the file; never deletes (reports refer to places).

    Aliases and the urban/rural setting are set only on creation, so edits made in the
    admin survive a re-import.
    """
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if "regions" not in data or not isinstance(data["regions"], list):
        raise ValueError("gazetteer file has no 'regions' list")
    counts = {"regions": 0, "cercles": 0, "communes": 0, "created": 0}
    for region_data in data["regions"]:
        lat, lon = _seat(region_data.get("seat"))
        region, created = Region.objects.update_or_create(
            name=region_data["name"].strip(),
            defaults={"kind": region_data.get("kind", RegionKind.REGION), "seat_latitude": lat, "seat_longitude": lon},
            create_defaults={
                "kind": region_data.get("kind", RegionKind.REGION),
                "seat_latitude": lat,
                "seat_longitude": lon,
                "aliases": _aliases("region", region_data["name"]),
            },
        )
        counts["regions"] += 1
        counts["created"] += created
        for cercle_data in region_data.get("cercles", []):
            clat, clon = _seat(cercle_data.get("seat"))
            cercle, created = Cercle.objects.update_or_create(
                region=region,
                name=cercle_data["name"].strip(),
                defaults={"seat_latitude": clat, "seat_longitude": clon},
                create_defaults={
                    "seat_latitude": clat,
                    "seat_longitude": clon,
                    "aliases": _aliases("cercle", cercle_data["name"]),
                },
            )
            counts["cercles"] += 1
            counts["created"] += created
            for raw_commune_name in cercle_data.get("communes", []):
                commune_name = raw_commune_name.strip()
                urban = region.kind == RegionKind.DISTRICT or commune_name in URBAN_COMMUNES
                # A commune named like its cercle is the cercle's seat: borrow its position.
                seat = (clat, clon) if commune_name == cercle.name else (None, None)
                _, created = Commune.objects.get_or_create(
                    cercle=cercle,
                    name=commune_name,
                    defaults={
                        "aliases": _aliases("commune", commune_name),
                        "setting": Setting.URBAN if urban else Setting.RURAL,
                        "latitude": seat[0],
                        "longitude": seat[1],
                    },
                )
                counts["communes"] += 1
                counts["created"] += created
    transaction.on_commit(places_index_invalidate)
    return ImportSummary(**counts)


def places_index_invalidate() -> None:
    """Tell every process (web, worker) to rebuild its place-name index.

    The version is a random token, not a counter: after a cache flush a counter would
    start again at a number some process's stale index may already carry.
    """
    cache.set(INDEX_VERSION_KEY, uuid.uuid4().hex, None)


def places_index_version() -> str:
    """The current token; a missing one (cache flushed) is replaced, which makes every
    process rebuild once."""
    version = cache.get(INDEX_VERSION_KEY)
    if version is None:
        cache.add(INDEX_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(INDEX_VERSION_KEY)
    return version
