"""A small reader of gettext ``.po`` files: enough for the catalogue checks
(``tests/veille/test_languages.py``) and ``scripts/texts_catalogue.py``, without a new
dependency. Entries keep their translator comments (``# ...``), flags (``#, fuzzy``),
context, msgid and msgstr; plural forms keep their first msgstr."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgstr: str = ""
    msgctxt: str | None = None
    comments: list[str] = field(default_factory=list)  # translator comments, without "# "
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    start_line: int = 0  # where the entry's first line is (1-based), to add comments

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None


def _unquote(line: str) -> str:
    return ast.literal_eval(line)  # a .po string is a Python-compatible "..." literal


def parse(path: Path | str) -> list[Entry]:
    entries: list[Entry] = []
    current = Entry()
    field_name: str | None = None
    started = False

    def flush() -> None:
        nonlocal current, started, field_name
        if started:
            entries.append(current)
        current, started, field_name = Entry(), False, None

    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            current.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#"):
            if field_name is not None:  # a comment after the strings starts the next entry
                flush()
            if not started:
                current.start_line, started = number, True
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("# ") or line == "#":
                current.comments.append(line[2:])
            continue
        if not started:
            current.start_line, started = number, True
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
        elif keyword in {"msgctxt", "msgid", "msgstr", "msgid_plural", "msgstr[0]"}:
            if keyword == "msgctxt" and field_name is not None:
                flush()
                current.start_line, started = number, True
            field_name, value = keyword, _unquote(rest)
            if keyword == "msgctxt":
                current.msgctxt = ""
        else:
            continue  # msgstr[1]... of plurals: not needed here
        if field_name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif field_name == "msgid":
            current.msgid += value
        elif field_name in {"msgstr", "msgstr[0]"}:
            current.msgstr += value
    flush()
    return entries
