"""``.env.example`` tells the truth: every variable it lists is read by the code with the
default it states, and every variable the code reads is listed.

The code side is read from the source (``veille/settings.py`` and
``veille/gunicorn.conf.py``), so nothing the test process set can blur it. Defaults are
those of a production run (``VEILLE_DEMO=0``: a ``x if DEMO else y`` default is ``y``).

In ``.env.example`` a line ``NAME=value`` states that ``value`` is the default, unless
the comment just above it says ``(default: …)``: then the line is a production example and
the note states the default, up to a ``;`` that may start an explanation (``none`` for a
required variable or an empty one). A default
the code computes (a path beside the code, say) is stated in such a note, or by leaving
the value empty.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "veille" / "settings.py", ROOT / "veille" / "gunicorn.conf.py"]
ENV_FUNCTIONS = {"envstr", "envbool", "envint", "envfloat", "envlist", "envchoice"}
COMPUTED = object()
REQUIRED = object()
EMPTY_WORDS = {"", "none", "empty", "unset"}
TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


@dataclass(frozen=True)
class CodeVariable:
    name: str
    kind: str  # envstr, envbool... or "environ" for os.environ.get
    default: Any  # a value, COMPUTED or REQUIRED
    where: str


def _production(node: ast.AST) -> ast.AST:
    """``a if DEMO else b`` is ``b`` in production; ``not DEMO`` is True."""
    if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Name) and node.test.id == "DEMO":
        return _production(node.orelse)
    return node


def _literal(node: ast.AST | None) -> Any:
    if node is None:
        return None
    node = _production(node)
    try:
        return ast.literal_eval(node)
    except ValueError:
        pass
    if all(isinstance(n, ast.Constant | ast.BinOp | ast.UnaryOp | ast.operator | ast.unaryop) for n in ast.walk(node)):
        return eval(compile(ast.Expression(node), "<default>", "eval"), {"__builtins__": {}})  # constants only
    return COMPUTED


def _is_required(call: ast.Call) -> bool:
    for keyword in call.keywords:
        if keyword.arg == "required":
            value = keyword.value
            if isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.Not):
                return True  # "required=not DEMO": required in production
            return bool(_literal(value))
    return False


def code_variables() -> dict[str, CodeVariable]:
    found: dict[str, CodeVariable] = {}
    for source in SOURCES:
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            name = node.args[0].value
            function = node.func
            if isinstance(function, ast.Name) and function.id in ENV_FUNCTIONS:
                kind = function.id
            elif (
                isinstance(function, ast.Attribute)
                and function.attr == "get"
                and isinstance(function.value, ast.Attribute)
                and function.value.attr == "environ"
            ):
                kind = "environ"
            else:
                continue
            default_node = node.args[1] if len(node.args) > 1 else None
            for keyword in node.keywords:
                if keyword.arg == "default":
                    default_node = keyword.value
            default = REQUIRED if kind != "environ" and _is_required(node) else _literal(default_node)
            if default is REQUIRED and _literal(default_node) not in (None, COMPUTED):
                default = _literal(default_node)  # a default that applies after all
            found[name] = CodeVariable(name, kind, default, f"{source.name}:{node.lineno}")
    return found


@dataclass(frozen=True)
class Documented:
    name: str
    value: str
    note: str | None  # the "(default: …)" text of the comment above, if any
    line: int


def documented_variables() -> dict[str, Documented]:
    found: dict[str, Documented] = {}
    comment: list[str] = []
    for number, raw in enumerate((ROOT / ".env.example").read_text().splitlines(), start=1):
        line = raw.strip()
        if line.startswith("#"):
            comment.append(line)
            continue
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            notes = re.findall(r"\(default: ([^)]*)\)", " ".join(comment))
            name = match.group(1)
            assert name not in found, f".env.example lists {name} twice (lines {found[name].line} and {number})"
            # The default is what the note says before any "; explanation".
            note = notes[-1].split(";")[0].strip() if notes else None
            found[name] = Documented(name, match.group(2), note, number)
        comment = []
    return found


def _parse(kind: str, text: str) -> Any:
    """What the code's env helper would make of ``text`` (veille/env.py)."""
    if kind == "envbool":
        lowered = text.strip().lower()
        assert lowered in TRUE | FALSE, f"{text!r} is not a boolean"
        return lowered in TRUE
    if kind == "envint":
        return int(text)
    if kind == "envfloat":
        return float(text)
    if kind == "envlist":
        return [item.strip() for item in text.split(",") if item.strip()]
    return text


def _code_value(variable: CodeVariable) -> Any:
    default = variable.default
    if variable.kind == "envlist":
        return list(default or [])
    if variable.kind in {"envstr", "envchoice", "environ"}:
        return "" if default is None else str(default)
    return default


def test_every_variable_the_code_reads_is_documented_and_nothing_else():
    code, documented = code_variables(), documented_variables()
    assert len(code) > 40  # the parser found the settings
    undocumented = sorted(set(code) - set(documented))
    unknown = sorted(set(documented) - set(code))
    assert not undocumented, f"read by the code, missing from .env.example: {undocumented}"
    assert not unknown, f"listed in .env.example, read by no code: {unknown}"


def test_every_documented_default_is_the_codes():
    code, documented = code_variables(), documented_variables()
    wrong = []
    for name, entry in documented.items():
        variable = code.get(name)
        if variable is None:
            continue
        stated = entry.value if entry.note is None else entry.note
        if variable.default is REQUIRED:
            if stated.lower() not in EMPTY_WORDS:
                wrong.append(f"{name} (line {entry.line}): required, no default; the file states {stated!r}")
            continue
        if variable.default is COMPUTED:
            if entry.note is None and entry.value != "":
                wrong.append(
                    f"{name} (line {entry.line}): the default is computed ({variable.where}); "
                    f"state it in a '(default: …)' note or leave the value empty, not {entry.value!r}"
                )
            continue
        expected = _code_value(variable)
        if isinstance(expected, str) and stated.lower() in EMPTY_WORDS and entry.note is not None:
            stated = ""
        try:
            actual = _parse(variable.kind, stated)
        except (AssertionError, ValueError) as exc:
            wrong.append(f"{name} (line {entry.line}): {exc}")
            continue
        if actual != expected:
            wrong.append(f"{name} (line {entry.line}): the file states {stated!r}, the code's default is {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_the_check_reads_defaults_as_the_code_does():
    code = code_variables()
    assert code["SMS_REPLY_MODE"].default == "always"
    assert code["SECRET_KEY"].default is REQUIRED
    assert code["PUBLIC_BASE_URL"].default is REQUIRED  # in production
    assert code["SMS_BACKEND"].default == ""  # routing in production, not the demo's file outbox
    assert code["REPORT_MAX_PHOTO_BYTES"].default == 5 * 1024 * 1024
    assert code["DATABASE_URL"].default is COMPUTED
    assert code["GUNICORN_WORKERS"].kind == "environ"
    assert _parse("envbool", "1") is True and _parse("envfloat", "1") == 1.0
