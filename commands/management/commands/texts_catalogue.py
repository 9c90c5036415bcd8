"""Keep the gettext catalogues holding every channel's texts (``veille/catalogue.py``).

    manage.py texts_catalogue            # append the texts a catalogue lacks, then compile
    manage.py texts_catalogue --check    # fail if a text is missing or an entry unmarked

A text added in the code (``"key": pgettext_lazy("<namespace>.<key>", "French")`` in a
module's ``TextTable``) is appended to the ``django.po`` of every declared language
(``VEILLE_LANGUAGES``) with an empty translation, which is said in French until someone
writes it; in a language awaiting native review (``native_review = "pending"``) every
entry gets the translator comment ``veille.languages.REVIEW_COMMENT``. A French text
changed in the code leaves its old entry obsolete: ``--check`` names it, to be
translated again. Appending (not ``makemessages``, which would rewrite every file) keeps
merges small. It lives in ``commands``, the app above every other, to know them all.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from veille import languages
from veille.catalogue import Text, all_texts
from veille.pofile import parse, write_mo

# Every module that holds texts of a channel (SMS, USSD, voice, member SMS).
TEXT_MODULES = [
    "reporting.texts",
    "reporting.ussd.texts",
    "commands.texts",
    "alerts.texts",
    "focal_points.notifications",
]


def registered_texts() -> list[Text]:
    for module in TEXT_MODULES:
        importlib.import_module(module)
    return all_texts()


def catalogue_path(code: str) -> Path | None:
    for folder in settings.LOCALE_PATHS:
        path = Path(folder) / code / "LC_MESSAGES" / "django.po"
        if path.is_file():
            return path
    return None


def _po_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    if "\n" not in escaped:
        return f'"{escaped}"'
    parts = escaped.split("\n")
    lines = [f'"{part}\\n"' for part in parts[:-1]] + ([f'"{parts[-1]}"'] if parts[-1] else [])
    return '""\n' + "\n".join(lines)


def _new_catalogue(code: str) -> Path:
    """An empty ``django.po`` beside the language's ``language.toml``: every text French."""
    folder = next(
        (Path(root) / code for root in settings.LOCALE_PATHS if (Path(root) / code / "language.toml").is_file()),
        Path(settings.LOCALE_PATHS[0]) / code,
    )
    path = folder / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n'
        '"MIME-Version: 1.0\\n"\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Content-Transfer-Encoding: 8bit\\n"\n'
        f'"Language: {code}\\n"\n',
        encoding="utf-8",
    )
    return path


def _entry(text: Text, *, review: bool) -> str:
    lines = [f"# {languages.REVIEW_COMMENT}"] if review else []
    lines += [f"msgctxt {_po_string(text.key)}", f"msgid {_po_string(text.source)}", 'msgstr ""']
    return "\n".join(lines)


def missing(code: str) -> tuple[Path | None, list[Text], list[str]]:
    """(catalogue, texts it lacks, its keys whose French changed since)."""
    path = catalogue_path(code)
    texts = registered_texts()
    if path is None:
        return None, texts, []
    entries = [entry for entry in parse(path) if not entry.obsolete]
    held = {(entry.msgctxt, entry.msgid) for entry in entries}
    keys = {entry.msgctxt for entry in entries if entry.msgctxt}
    lacking = [text for text in texts if (text.key, text.source) not in held]
    return path, lacking, sorted(text.key for text in lacking if text.key in keys)


def _unmarked_entries(code: str) -> list:
    path = catalogue_path(code)
    data = languages.data(code)
    if path is None or data is None or not data.needs_native_review:
        return []
    return [
        entry
        for entry in parse(path)
        if not entry.is_header
        and not entry.obsolete
        and not any(comment.startswith(languages.REVIEW_COMMENT) for comment in entry.comments)
    ]


def unmarked(code: str) -> list[str]:
    """The entries of a language awaiting review that do not say so."""
    return [entry.msgctxt or entry.msgid for entry in _unmarked_entries(code)]


def mark(code: str) -> int:
    """Write the review comment above every entry of ``code`` that lacks it."""
    entries = _unmarked_entries(code)
    path = catalogue_path(code)
    if not entries or path is None:
        return 0
    lines = path.read_text(encoding="utf-8").split("\n")
    for entry in sorted(entries, key=lambda item: item.start_line, reverse=True):
        lines.insert(entry.start_line - 1, f"# {languages.REVIEW_COMMENT}")
    path.write_text("\n".join(lines), encoding="utf-8")
    return len(entries)


def compile_catalogue(path: Path) -> None:
    """``django.mo`` beside ``django.po``, as ``compilemessages`` (msgfmt) makes it, in
    Python (the gettext tools need not be installed), the header kept."""
    entries = parse(path)
    header = next((entry.msgstr for entry in entries if entry.is_header), "")
    write_mo(entries, path.with_suffix(".mo"), header=header)


class Command(BaseCommand):
    help = "Append every channel's texts that the catalogues lack, compile them; --check only checks."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="change nothing; fail if anything is missing")

    def handle(self, *args, check: bool = False, **options) -> None:
        problems = []
        for code in languages.codes():
            if code == languages.SOURCE_LANGUAGE:
                continue
            path, lacking, changed = missing(code)
            review = bool(languages.data(code) and languages.data(code).needs_native_review)
            for key in changed:
                problems.append(f"{code}: the French of {key} changed; translate it again")
            if path is None and not check:
                path = _new_catalogue(code)
                lacking = registered_texts()
                self.stdout.write(f"{code}: new catalogue {path}")
            if path is None:
                problems.append(f"{code}: no catalogue (run texts_catalogue to start one)")
                continue
            if check:
                problems += [f"{code}: {text.key} missing from {path}" for text in lacking]
                problems += [f"{code}: {key} not marked '{languages.REVIEW_COMMENT}'" for key in unmarked(code)]
                continue
            if lacking:
                with path.open("a", encoding="utf-8") as out:
                    out.write("\n" + "\n\n".join(_entry(text, review=review) for text in lacking) + "\n")
                self.stdout.write(f"{code}: {len(lacking)} text(s) appended to {path}")
            marked = mark(code) if review else 0
            if marked:
                self.stdout.write(f"{code}: {marked} entr(y/ies) marked for native review")
            compiled = path.with_suffix(".mo")
            if lacking or marked or not compiled.is_file() or compiled.stat().st_mtime < path.stat().st_mtime:
                compile_catalogue(path)
        if problems:
            raise CommandError("\n".join(problems))
