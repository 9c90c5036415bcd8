"""A report's history in plain French, for the report page.

Events keep a short technical ``detail`` ("verification: verified", "reason: duplicate"):
stable, greppable, exported as is in trails. Relays read sentences instead, so this module
turns each event into one line with no raw code. It reads events only; it writes nothing.
"""

from __future__ import annotations

import re

from focal_points.models import Category, Force
from reporting.models import CloseReason, Consent, ReportEvent, ReportEventKind, ReportStatus, Severity, Verification

# Kinds whose label already says the status they lead to ("Reçu", "Clôturé"): no arrow.
_STATUS_IMPLIED = {ReportEventKind.RECEIVED, ReportEventKind.CLOSED}


def _label(choices, value: str) -> str:
    """The French label of a code, or "—" for an empty one; an unknown code is kept."""
    if not value or value == "-":
        return "—"
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _classified(detail: str) -> str:
    parts = []
    for change in detail.split(";"):
        key, _, value = change.strip().partition(":")
        value = value.strip()
        if key == "category":
            parts.append(f"catégorie « {_label(Category, value)} »")
        elif key == "severity":
            parts.append(f"gravité {_label(Severity, value).lower()}")
        elif key == "accused force":
            parts.append("force mise en cause : " + (_label(Force, value) if value != "-" else "aucune"))
    return ", ".join(parts)


def _clearance_asked(detail: str) -> str:
    match = re.fullmatch(r"category -> (\S+)", detail)
    if match:
        return f"vers la catégorie « {_label(Category, match.group(1))} »"
    match = re.fullmatch(r"force (\S+) -> (\S+)", detail)
    if match:
        new = match.group(2)
        return f"{_label(Force, match.group(1))}, remplacée par : {_label(Force, new) if new != '-' else 'aucune'}"
    return ""


def _detail(event: ReportEvent) -> str:
    """The event's detail as French words, or "" when it says nothing a relay needs."""
    kind, detail = event.kind, event.detail or ""
    if not detail:
        return ""
    if kind == ReportEventKind.VERIFIED:
        return _label(Verification, detail.removeprefix("verification:").strip()).lower()
    if kind == ReportEventKind.CLOSED:
        return "motif : " + _label(CloseReason, detail.removeprefix("reason:").strip()).lower()
    if kind == ReportEventKind.CLASSIFIED:
        approved = "(approved clearance)" in detail
        text = _classified(detail.replace("(approved clearance)", ""))
        return text + (", après accord d'un second coordinateur" if approved else "")
    if kind == ReportEventKind.LINKED:
        return detail.replace("linked to", "avec").strip()
    if kind == ReportEventKind.REDACTED:
        match = re.match(r"(\d+) characters", detail)
        return _plural(int(match.group(1)), "signe masqué", "signes masqués") if match else ""
    if kind == ReportEventKind.REFERRED:
        match = re.match(r"(\d+) support", detail)
        return _plural(int(match.group(1)), "personne d'appui", "personnes d'appui") if match else ""
    if kind == ReportEventKind.QUESTION_ASKED and detail.startswith("waiting"):
        text = "attend la prochaine demande de statut de l'auteur"
        return text + (" (remplace la question en attente)" if "replaces" in detail else "")
    if kind == ReportEventKind.QUESTION_ANSWERED:
        match = re.fullmatch(r"choice (\d+)", detail)
        return f"choix {match.group(1)}" if match else ""
    if kind == ReportEventKind.CONSENT_ANSWERED:
        return _label(Consent, detail).lower()
    if kind == ReportEventKind.ACCUSED:
        force = detail.removeprefix("accused:").strip()
        return "abus par des forces" if force == "force abuse" else _label(Force, force)
    if kind == ReportEventKind.CLEARANCE_ASKED:
        return _clearance_asked(detail)
    if kind in (ReportEventKind.CLEARANCE_APPROVED, ReportEventKind.CLEARANCE_REFUSED) and detail.startswith(
        "asked by "
    ):
        return "demandé par " + detail.removeprefix("asked by ")
    # Anything else is technical (delivery codes, internal notes): not shown to relays.
    return ""


def event_sentence(event: ReportEvent) -> str:
    """ "Vérification : vérifié", "Statut changé : en vérification", "Clôturé (motif : doublon)"."""
    text = str(event.get_kind_display())
    if event.to_status and event.kind not in _STATUS_IMPLIED:
        text += " : " + _label(ReportStatus, event.to_status).lower()
    detail = _detail(event)
    if detail:
        text += (" (" + detail + ")") if event.to_status or event.kind == ReportEventKind.CLOSED else " : " + detail
    return text
