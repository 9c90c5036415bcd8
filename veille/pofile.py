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
    msgid_plural: str | None = None
    plurals: list[str] = field(default_factory=list)  # msgstr[0], msgstr[1]... of a plural entry
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
        elif keyword in {"msgctxt", "msgid", "msgstr", "msgid_plural"} or keyword.startswith("msgstr["):
            if keyword == "msgctxt" and field_name is not None:
                flush()
                current.start_line, started = number, True
            field_name, value = keyword, _unquote(rest)
            if keyword == "msgctxt":
                current.msgctxt = ""
            elif keyword == "msgid_plural":
                current.msgid_plural = ""
            elif keyword.startswith("msgstr["):
                current.plurals.append("")
        else:
            continue
        if field_name == "msgctxt":
            current.msgctxt = (current.msgctxt or "") + value
        elif field_name == "msgid":
            current.msgid += value
        elif field_name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + value
        elif field_name == "msgstr":
            current.msgstr += value
        elif field_name and field_name.startswith("msgstr["):
            current.plurals[-1] += value
            if field_name == "msgstr[0]":
                current.msgstr += value
    flush()
    return entries


def write_mo(entries: list[Entry], path: Path | str, *, header: str = "") -> None:
    """A GNU ``.mo`` catalogue of the translated entries, as ``msgfmt`` writes it (without
    the optional hash table; fuzzy and obsolete entries left out, as msgfmt does): a
    test or a deployment compiles catalogues without the gettext tools."""
    import struct

    messages = {b"": (header or "Content-Type: text/plain; charset=UTF-8\n").encode("utf-8")}
    for entry in entries:
        if entry.is_header or entry.obsolete or "fuzzy" in entry.flags:
            continue
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is not None:
            if not any(entry.plurals):
                continue
            messages[f"{key}\0{entry.msgid_plural}".encode()] = "\0".join(entry.plurals).encode("utf-8")
        elif entry.msgstr:
            messages[key.encode("utf-8")] = entry.msgstr.encode("utf-8")
    keys = sorted(messages)
    originals_at = 7 * 4
    translations_at = originals_at + len(keys) * 8
    data_at = translations_at + len(keys) * 8
    table_o, table_t, blob = [], [], b""
    for raw in keys:
        table_o.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    for raw in (messages[key] for key in keys):
        table_t.append((len(raw), data_at + len(blob)))
        blob += raw + b"\0"
    out = struct.pack("<7I", 0x950412DE, 0, len(keys), originals_at, translations_at, 0, data_at)
    out += b"".join(struct.pack("<2I", *item) for item in table_o)
    out += b"".join(struct.pack("<2I", *item) for item in table_t)
    Path(path).write_bytes(out + blob)
