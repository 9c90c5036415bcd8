"""Writes to the directory: members (with their encrypted phone), areas, CSV import."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.db import transaction

from focal_points.models import (
    Area,
    Force,
    Member,
    NetworkType,
    Organisation,
    OrganisationKind,
    Role,
)
from places.models import Cercle, Commune, Region
from places.normalize import fold
from veille.phones import normalize_msisdn, pseudonym_for

CSV_COLUMNS = [
    "organisation",
    "organisation_kind",
    "force",
    "network_type",
    "name",
    "role",
    "phone",
    "languages",
    "gbv_trained",
    "escalation_order",
    "areas",
]


class DirectoryImportError(ValueError):
    """A CSV that cannot be imported; ``errors`` lists every bad line, nothing is written."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class ImportSummary:
    organisations: int = 0
    members_created: int = 0
    members_updated: int = 0
    warnings: list[str] = field(default_factory=list)


def member_set_phone(*, member: Member, phone: str) -> None:
    """Store a member's phone encrypted, with the pseudonym that recognises their SMS."""
    canonical = normalize_msisdn(phone)
    if canonical is None:
        raise ValueError("not a phone number")
    member.phone = canonical
    member.phone_pseudonym = pseudonym_for(canonical)


def _find_place(spec: str) -> tuple[str, object]:
    """'commune:Boni', 'cercle:Douentza', 'region:Mopti' (names matched forgivingly)."""
    level, _, name = spec.partition(":")
    level, key = level.strip().lower(), fold(name)
    model = {"commune": Commune, "cercle": Cercle, "region": Region}.get(level)
    if model is None or not key:
        raise ValueError(f"zone {spec!r}: write commune:Nom, cercle:Nom or region:Nom")
    matches = [
        obj for obj in model.objects.all() if fold(obj.name) == key or key in map(fold, obj.aliases.splitlines())
    ]
    if len(matches) != 1:
        raise ValueError(f"zone {spec!r}: {'unknown' if not matches else 'ambiguous'} {level}")
    return level, matches[0]


def _choice(value: str, choices: type, column: str, *, blank: bool = False) -> str:
    value = (value or "").strip()
    if blank and not value:
        return ""
    if value not in choices.values:
        raise ValueError(f"{column} {value!r} is not one of {', '.join(choices.values)}")
    return value


@transaction.atomic
def members_import_csv(text: str) -> ImportSummary:
    """Create or update organisations and members from CSV (columns: ``CSV_COLUMNS``).

    All or nothing: every line is checked, and if any is wrong nothing is written and the
    error names each bad line. Re-importing the same file changes nothing.
    """
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in CSV_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DirectoryImportError([f"missing columns: {', '.join(missing)}"])
    summary = ImportSummary()
    errors: list[str] = []
    organisations: dict[str, Organisation] = {}
    for line_number, row in enumerate(reader, start=2):
        try:
            kind = _choice(row["organisation_kind"], OrganisationKind, "organisation_kind")
            force = _choice(row["force"], Force, "force", blank=True)
            if (kind == OrganisationKind.SECURITY_UNIT) != bool(force):
                raise ValueError("force is required for security units and only for them")
            name = row["organisation"].strip()
            if not name or not row["name"].strip():
                raise ValueError("organisation and name are required")
            organisation = organisations.get(name)
            if organisation is None:
                organisation, created = Organisation.objects.update_or_create(
                    name=name,
                    defaults={
                        "kind": kind,
                        "force": force,
                        "network_type": _choice(row["network_type"], NetworkType, "network_type", blank=True),
                    },
                )
                organisations[name] = organisation
                summary.organisations += created
            areas = [_find_place(spec) for spec in row["areas"].split(";") if spec.strip()]
            member, created = Member.objects.update_or_create(
                organisation=organisation,
                name=row["name"].strip(),
                defaults={
                    "role": _choice(row["role"], Role, "role"),
                    "languages": row["languages"].strip() or "fr",
                    "gbv_trained": row["gbv_trained"].strip().lower() in {"1", "yes", "oui", "true"},
                    "escalation_order": int(row["escalation_order"] or 1),
                },
            )
            if row["phone"].strip():
                member_set_phone(member=member, phone=row["phone"])
                member.save(update_fields=["phone", "phone_pseudonym"])
            member.areas.all().delete()
            for level, place in areas:
                Area.objects.create(member=member, **{level: place})
            if created:
                summary.members_created += 1
            else:
                summary.members_updated += 1
        except (ValueError, KeyError) as exc:
            errors.append(f"line {line_number}: {exc}")
    if errors:
        raise DirectoryImportError(errors)
    return summary
