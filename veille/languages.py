"""The languages a deployment speaks, as data: ``VEILLE_LANGUAGES`` lists ISO 639 codes
(``fr,en,bm``; ``ff``, ``ses``, ``taq``... once their files exist), and each code has a
data file ``<locale path>/<code>/language.toml`` beside its gettext catalogue
``<code>/LC_MESSAGES/django.po``:

    name = "Bamanankan"        # the language's name in itself (menus, language links)
    name_fr = "bambara"        # its name in French (staff pages, docs)
    bidi = false               # written right to left
    native_review = "pending"  # "source" (French), "reviewed", or "pending"

Adding a language is adding those files and its code to ``VEILLE_LANGUAGES``: the web
form, SMS texts and the USSD language menu then offer it (``tests/veille/test_languages.py``
does it from a temporary folder). A text its catalogue lacks is said in French. A
language whose ``native_review`` is not "reviewed" (nor the French source) has its
every text marked for review by a native speaker; each entry of its catalogue also
carries the translator comment ``REVIEW_COMMENT`` until a native speaker removes it.

Read from the settings at each call (no import-time copy), so a test or a deployment
that changes ``VEILLE_LANGUAGES`` and ``LOCALE_PATHS`` sees the change; the parsed files
are cached per (code, folders).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SOURCE_LANGUAGE = "fr"
REVIEW_STATUSES = {"source", "reviewed", "pending"}
# The translator comment (``# ...`` above an entry of a .po file) of every text not yet
# reviewed by a native speaker; ``scripts/texts_catalogue.py`` writes it on new entries.
REVIEW_COMMENT = "A relire par un locuteur natif"
DEFAULT_LANGUAGES = ["fr", "en", "bm"]
# ISO 639-1 is two letters, ISO 639-3 three (ses, taq); room for a region or script tag.
CODE_MAX_CHARS = 12


@dataclass(frozen=True)
class LanguageData:
    code: str
    name: str
    name_fr: str
    bidi: bool
    native_review: str

    @property
    def needs_native_review(self) -> bool:
        return self.native_review == "pending"


class LanguageFileError(ValueError):
    pass


@lru_cache(maxsize=64)
def _read(code: str, folders: tuple[str, ...]) -> LanguageData:
    for folder in folders:
        path = Path(folder) / code / "language.toml"
        if path.is_file():
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            status = data.get("native_review", "pending")
            if status not in REVIEW_STATUSES or not data.get("name"):
                raise LanguageFileError(f"{path}: needs a name and native_review in {sorted(REVIEW_STATUSES)}")
            return LanguageData(
                code=code,
                name=str(data["name"]),
                name_fr=str(data.get("name_fr", data["name"])),
                bidi=bool(data.get("bidi", False)),
                native_review=status,
            )
    raise LanguageFileError(f"language {code!r} is declared but no {code}/language.toml is in {list(folders)}")


def read_languages(codes: Iterable[str], folders: Iterable[str | Path]) -> list[LanguageData]:
    """The data of each declared code, in the declared order; French first and always."""
    ordered = [SOURCE_LANGUAGE, *(code for code in codes if code != SOURCE_LANGUAGE)]
    paths = tuple(str(folder) for folder in folders)
    seen: list[LanguageData] = []
    for code in ordered:
        if len(code) > CODE_MAX_CHARS or not code.replace("-", "").isalpha() or code != code.lower():
            raise LanguageFileError(f"{code!r} is no ISO 639 language code (lower case, e.g. fr, bm, ses)")
        if code not in {language.code for language in seen}:
            seen.append(_read(code, paths))
    return seen


def django_settings(codes: Iterable[str], folders: Iterable[str | Path]) -> dict[str, object]:
    """``LANGUAGES`` for Django from the data files, with Django's ``LANG_INFO`` extended
    for codes Django lacks (bm, ff, ses, taq): what settings.py and tests set."""
    from django.conf.locale import LANG_INFO

    declared = read_languages(codes, folders)
    for language in declared:
        LANG_INFO.setdefault(
            language.code,
            {"bidi": language.bidi, "code": language.code, "name": language.name_fr, "name_local": language.name},
        )
    return {"LANGUAGES": [(language.code, language.name) for language in declared]}


@lru_cache(maxsize=16)
def _declared(codes: tuple[str, ...], folders: tuple[str, ...]) -> tuple[tuple[LanguageData, ...], tuple[str, ...]]:
    found = tuple(read_languages(codes, folders))
    return found, tuple(language.code for language in found)


def _current() -> tuple[tuple[LanguageData, ...], tuple[str, ...]]:
    # Keyed by the settings' values: every text lookup asks, and a changed setting is a new key.
    from django.conf import settings

    codes = tuple(getattr(settings, "VEILLE_LANGUAGES", DEFAULT_LANGUAGES))
    return _declared(codes, tuple(str(folder) for folder in settings.LOCALE_PATHS))


def declared() -> list[LanguageData]:
    return list(_current()[0])


def codes() -> list[str]:
    return list(_current()[1])


def data(code: str) -> LanguageData | None:
    return next((language for language in declared() if language.code == code), None)


def supported(code: str | None) -> str:
    """``code`` if the deployment speaks it, else French: what a report stores."""
    return code if code and code in codes() else SOURCE_LANGUAGE


class _Declared(Sequence[str]):
    """The declared codes as a sequence read at each use: ``for lang in LANGUAGES``."""

    def __getitem__(self, index):  # type: ignore[override]
        return _current()[1][index]

    def __len__(self) -> int:
        return len(_current()[1])

    def __iter__(self) -> Iterator[str]:
        return iter(_current()[1])

    def __contains__(self, code: object) -> bool:
        return code in _current()[1]

    def __repr__(self) -> str:
        return f"LANGUAGES{tuple(codes())}"


class _NeedingReview:
    """The declared codes whose texts await a native speaker, as a set read at each use."""

    def _codes(self) -> set[str]:
        return {language.code for language in declared() if language.needs_native_review}

    def __contains__(self, code: object) -> bool:
        return code in self._codes()

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._codes()))

    def __len__(self) -> int:
        return len(self._codes())

    def __eq__(self, other: object) -> bool:
        return self._codes() == set(other) if isinstance(other, set | frozenset) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"NEEDS_NATIVE_REVIEW{sorted(self._codes())}"


LANGUAGES: Sequence[str] = _Declared()
NEEDS_NATIVE_REVIEW = _NeedingReview()
