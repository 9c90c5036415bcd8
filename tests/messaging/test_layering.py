"""messaging/ knows no report and veille/ knows no app: read from the import statements of
every module (the USSD menu is reached through settings.USSD_HANDLER, a dotted path)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "messaging": {"reporting", "alerts", "focal_points", "demo"},
    "veille": {"places", "messaging", "focal_points", "reporting", "alerts", "demo"},
}
# The root URL conf mounts every app (and registers their admin modules): it is the one
# module of veille/ that must know them.
EXEMPT = {"veille/urls.py"}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_none_of_the_apps_built_on_it(app):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and str(path.relative_to(ROOT)) not in EXEMPT
    }

    assert {path: names for path, names in offenders.items() if names} == {}
