"""P6: the longest SMS template and USSD screen per language, with their GSM-7 lengths.

Placeholders are filled with their longest values (reporting.texts.PLACEHOLDER_MAX). The
test suite is what enforces the limits (tests/reporting/test_texts.py); this script shows
the margin left in each language, which is what a translator needs to know.
"""

from __future__ import annotations

import argparse
import importlib
import os
import string
import sys
from collections.abc import Mapping
from typing import Any

from benchmarks.harness import ROOT

SMS_LIMIT = 160
USSD_LIMIT = 182


def _setup_django() -> None:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    # Test settings: fixed throw-away keys, so the script needs no configured environment.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veille.test_settings")
    import django

    django.setup()


def _fill(template: str, placeholders: dict[str, str]) -> str:
    """The text as a phone gets it: templates are plain French, made GSM-7 when sent."""
    from veille.gsm7 import to_gsm7

    names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return to_gsm7(template.format(**{name: placeholders.get(name, "W" * 20) for name in names}))


def _collect(texts: dict[str, dict[str, str]], placeholders: dict[str, str]) -> list[tuple[str, str, str]]:
    """(key, language, filled text) for every entry of a {key: {language: text}} table."""
    out = []
    for key, by_language in texts.items():
        if not isinstance(by_language, Mapping):
            continue
        for language, template in by_language.items():
            if isinstance(template, str):
                out.append((key, language, _fill(template, placeholders)))
    return out


def _ussd_tables() -> tuple[dict[str, dict[str, str]] | None, str]:
    """reporting.ussd.texts when it exists: a {key: {language: text}} table (or the first one found)."""
    try:
        module = importlib.import_module("reporting.ussd.texts")
    except ImportError:
        return None, "reporting.ussd.texts not present yet"
    for name in ("USSD_TEXTS", "SCREENS", "TEXTS"):
        table = getattr(module, name, None)
        if isinstance(table, Mapping):
            return table, f"reporting.ussd.texts.{name}"
    for name, value in vars(module).items():
        if (
            name.isupper()
            and isinstance(value, Mapping)
            and value
            and all(isinstance(v, Mapping) for v in value.values())
        ):
            return value, f"reporting.ussd.texts.{name}"
    return None, "reporting.ussd.texts has no {key: {language: text}} table"


def run(args: argparse.Namespace) -> dict[str, Any]:
    _setup_django()
    from reporting import texts as reporting_texts
    from reporting.texts import LANGUAGES, PLACEHOLDER_MAX, SMS_TEXTS
    from veille.gsm7 import gsm7_length, is_gsm7, segment_count

    placeholders = dict(PLACEHOLDER_MAX)
    checks: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    sources = [("SMS", SMS_TEXTS, SMS_LIMIT, "reporting.texts.SMS_TEXTS")]
    staff = getattr(reporting_texts, "STAFF_TEXTS", None)
    if isinstance(staff, Mapping):
        sources.append(("SMS staff", staff, SMS_LIMIT, "reporting.texts.STAFF_TEXTS"))
    try:
        from commands import texts as member_texts

        placeholders = {**member_texts.PLACEHOLDER_MAX, **placeholders}
        sources.append(("SMS member", member_texts.T, SMS_LIMIT, "commands.texts.T"))
    except ImportError:
        pass
    ussd, ussd_source = _ussd_tables()
    if ussd is not None:
        # Static screen texts only; menus built from lists (categories, places) and the
        # confirmation summary are checked screen by screen in the USSD tests.
        sources.append(("USSD", ussd, USSD_LIMIT, ussd_source + " (static texts, placeholders 20 chars)"))
    else:
        checks.append({"check": "USSD screens", "value": ussd_source, "goal": "present", "pass": False})

    for kind, table, limit, source in sources:
        entries = _collect(table, placeholders)
        languages = sorted({language for _, language, _ in entries}, key=lambda x: (*LANGUAGES, x).index(x))
        for language in languages:
            mine = [(key, text) for key, lang, text in entries if lang == language]
            key, text = max(mine, key=lambda item: gsm7_length(item[1]) if is_gsm7(item[1]) else 10_000)
            gsm = is_gsm7(text)
            length = gsm7_length(text) if gsm else len(text)
            segments = segment_count(text)
            fits = gsm and length <= limit and (not kind.startswith("SMS") or segments == 1)
            over = [k for k, t in mine if not is_gsm7(t) or gsm7_length(t) > limit]
            rows.append(
                {
                    "kind": kind,
                    "language": language,
                    "key": key,
                    "gsm7": gsm,
                    "length": length,
                    "limit": limit,
                    "segments": segments,
                    "texts": len(mine),
                    "over_limit": over,
                    "text": text,
                }
            )
            checks.append(
                {
                    "check": f"{kind} longest [{language}] {key}",
                    "value": f"{length}/{limit} GSM-7" + ("" if gsm else " (NOT GSM-7)") + f", {len(mine)} texts",
                    "goal": f"<= {limit}, GSM-7",
                    "pass": fits and not over,
                }
            )
        missing = [
            key
            for key, by_language in table.items()
            if isinstance(by_language, Mapping) and not set(LANGUAGES) <= set(by_language)
        ]
        checks.append(
            {
                "check": f"{kind} texts in fr, en, bm ({source})",
                "value": f"{len(missing)} missing",
                "goal": "0",
                "pass": not missing,
            }
        )

    for row in rows:
        print(f"  {row['kind']:9s} {row['language']}: {row['length']:3d}/{row['limit']} {row['key']}: {row['text']!r}")
    return {"target": "P6", "checks": checks, "longest": rows}
