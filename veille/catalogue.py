"""Every text of every channel in one system: gettext.

Pages use Django's gettext as usual. Texts sent by SMS, shown on USSD screens or spoken
by voice are written in French in the code, each with a key that is its gettext context
(msgctxt): ``pgettext_lazy("sms.receipt", "Veille: message reçu...")``. ``makemessages``
extracts them like any page string; their translations live in
``locale/<code>/LC_MESSAGES/django.po``; a language whose catalogue lacks one says it in
French. The key stays addressable: a voice prompt is the file ``<code>/<key>.wav``.

A ``Text`` is read like the dictionaries it replaced: ``text["bm"]``, ``text.get(code,
text["fr"])``, ``for code in text`` run over the declared languages
(``veille.languages``); a ``TextTable`` maps a module's own keys (``"receipt"``) to
its texts, so callers and the per-language checks (one GSM-7 segment, USSD screens) did
not change. Adding a text: ``docs/architecture.md`` ("Texts and languages").
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.utils import translation
from django.utils.translation import trans_real

from veille.languages import LANGUAGES, SOURCE_LANGUAGE

_CONTEXT_SEPARATOR = "\x04"


class Text(Mapping[str, str]):
    """One French text and its key; its other languages come from the catalogues."""

    __slots__ = ("_cache", "key", "source")

    def __init__(self, key: str, source: str) -> None:
        self.key = key
        self.source = source
        # {code: (the catalogue read, its text)}: a catalogue reloaded (LOCALE_PATHS or
        # LANGUAGES changed) is another object, so the text is looked up again.
        self._cache: dict[str, tuple[object, str]] = {}

    def in_language(self, code: str) -> str:
        if code == SOURCE_LANGUAGE:
            return self.source
        # Django's own per-language catalogue (what ``translation.override`` activates),
        # read directly: a text is looked up for every SMS and every alert frame.
        catalogue = trans_real.translation(code)
        cached = self._cache.get(code)
        if cached is not None and cached[0] is catalogue:
            return cached[1]
        found = catalogue.pgettext(self.key, self.source)
        found = self.source if _CONTEXT_SEPARATOR in found else found
        self._cache[code] = (catalogue, found)
        return found

    def __getitem__(self, code: str) -> str:
        if code not in LANGUAGES:
            raise KeyError(code)
        return self.in_language(code)

    def __iter__(self) -> Iterator[str]:
        return iter(LANGUAGES)

    def __len__(self) -> int:
        return len(LANGUAGES)

    def __str__(self) -> str:
        return self.in_language(translation.get_language() or SOURCE_LANGUAGE)

    def __repr__(self) -> str:
        return f"Text({self.key!r}, {self.source!r})"


def pgettext_lazy(context: str, message: str) -> Text:
    """Django's name, so that ``makemessages`` (xgettext ``pgettext_lazy:1c,2``) extracts
    ``context`` as msgctxt and ``message`` as msgid; returns a ``Text`` any language can
    render, not the current language's string."""
    return Text(context, message)


class TextTable(Mapping[str, Text]):
    """A module's texts by its own key (``"receipt"``), each ``Text`` keyed
    ``<namespace>.<key>`` in the catalogues (``pgettext_lazy("sms.receipt", ...)``)."""

    def __init__(self, namespace: str, texts: Mapping[str, Text]) -> None:
        for key, text in texts.items():
            if text.key != f"{namespace}.{key}":
                raise ValueError(f"text {key!r} of {namespace!r} must have the context {namespace}.{key}")
        self.namespace = namespace
        self._texts = dict(texts)
        REGISTRY[namespace] = self

    def __getitem__(self, key: str) -> Text:
        return self._texts[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


# Every table and lone text, by namespace or key, so that the catalogue checks see them.
REGISTRY: dict[str, TextTable | Text] = {}


def register(text: Text) -> Text:
    """A lone text (no table), e.g. the alert SMS template."""
    REGISTRY[text.key] = text
    return text


def all_texts() -> list[Text]:
    """Every registered text (of the modules imported so far: tests import them all)."""
    found: list[Text] = []
    for table in REGISTRY.values():
        found.extend([table] if isinstance(table, Text) else table.values())
    return found
