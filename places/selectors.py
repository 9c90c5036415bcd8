"""Reads of the gazetteer, above all: which place does a resident's text name?

Residents type "Tombouctou", "Timbuktu" or "tombouctu"; the matcher folds accents and
case, knows aliases, and accepts a close misspelling of a long name. It prefers the most
precise level (commune, then cercle, then region) and the longest name found.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass, field

from places.models import Cercle, Commune, Region
from places.normalize import fold
from places.services import places_index_version

LEVEL_RANK = {"commune": 0, "cercle": 1, "region": 2}
MAX_NGRAM = 4
FUZZY_MIN_LENGTH = 5
FUZZY_CUTOFF = 0.84

# Words that happen to be, or look like, place names but are everyday words in the
# languages residents write in. They never match a place on their own.
STOPWORDS = {
    "a",
    "au",
    "aux",
    "de",
    "des",
    "du",
    "la",
    "le",
    "les",
    "et",
    "en",
    "il",
    "ils",
    "on",
    "un",
    "une",
    "the",
    "in",
    "at",
    "of",
    "and",
    "to",
    "is",
    "are",
    "near",
    "ville",
    "village",
    "commune",
    "cercle",
    "region",
    "marche",
    "route",
    "attaque",
    "hommes",
    "armes",
    "blesses",
    "morts",
    "statut",
    "status",
    "bonjour",
    "aide",
    "vite",
    "nuit",
    "matin",
    "soir",
    "ce",
    "cette",
    "ici",
    "pres",
    "ka",
    "ni",
    "ye",
    "be",
    "ko",
    "na",
    "kan",
}


@dataclass(frozen=True)
class PlaceRef:
    level: str  # "commune", "cercle" or "region"
    pk: int
    name: str
    cercle_id: int | None = None
    region_id: int | None = None


@dataclass(frozen=True)
class PlaceMatch:
    commune_id: int | None
    cercle_id: int | None
    region_id: int | None
    matched_text: str
    exact: bool

    @property
    def level(self) -> str:
        if self.commune_id:
            return "commune"
        if self.cercle_id:
            return "cercle"
        return "region"


@dataclass
class _Index:
    version: object
    names: dict[str, list[PlaceRef]] = field(default_factory=dict)
    # Long names by first letter: a fuzzy match compares a word only with names that
    # start like it (profiling showed the full scan was three quarters of SMS processing).
    by_initial: dict[str, list[str]] = field(default_factory=dict)
    fuzzy_cache: dict[str, str | None] = field(default_factory=dict)


_lock = threading.Lock()
_index: _Index | None = None


def places_seats() -> list[dict]:
    """Region and cercle seats (chefs-lieux) with a known position, for the staff map."""
    seats = [
        {"name": r.name, "kind": "region", "lat": r.seat_latitude, "lon": r.seat_longitude}
        for r in Region.objects.filter(seat_latitude__isnull=False).order_by("name")
    ]
    seats += [
        {"name": c.name, "kind": "cercle", "lat": c.seat_latitude, "lon": c.seat_longitude}
        for c in Cercle.objects.filter(seat_latitude__isnull=False).order_by("name")
    ]
    return seats


def _build_index(version: object) -> _Index:
    index = _Index(version=version)

    def add(name: str, ref: PlaceRef) -> None:
        key = fold(name)
        if key and key not in STOPWORDS:
            refs = index.names.setdefault(key, [])
            if ref not in refs:
                refs.append(ref)

    for region in Region.objects.all():
        ref = PlaceRef("region", region.pk, region.name, region_id=region.pk)
        for name in [region.name, *region.aliases.splitlines()]:
            add(name, ref)
    for cercle in Cercle.objects.all():
        ref = PlaceRef("cercle", cercle.pk, cercle.name, cercle_id=cercle.pk, region_id=cercle.region_id)
        for name in [cercle.name, *cercle.aliases.splitlines()]:
            add(name, ref)
    for commune in Commune.objects.select_related("cercle"):
        ref = PlaceRef(
            "commune", commune.pk, commune.name, cercle_id=commune.cercle_id, region_id=commune.cercle.region_id
        )
        for name in [commune.name, *commune.aliases.splitlines()]:
            add(name, ref)
    for key in index.names:
        if len(key) >= FUZZY_MIN_LENGTH:
            index.by_initial.setdefault(key[0], []).append(key)
    return index


def _closest(index: _Index, gram: str) -> str | None:
    """The known name a misspelt word most likely means (same first letter, similar
    length), remembered per index version."""
    if gram in index.fuzzy_cache:
        return index.fuzzy_cache[gram]
    keys = [k for k in index.by_initial.get(gram[0], ()) if abs(len(k) - len(gram)) <= 3]
    close = difflib.get_close_matches(gram, keys, n=1, cutoff=FUZZY_CUTOFF)
    found = close[0] if close else None
    if len(index.fuzzy_cache) < 50_000:
        index.fuzzy_cache[gram] = found
    return found


def _current_index() -> _Index:
    global _index
    version = places_index_version()
    with _lock:
        if _index is None or _index.version != version:
            _index = _build_index(version)
        return _index


def _candidates(text: str) -> list[tuple[str, list[PlaceRef], bool]]:
    """Every n-gram of the text that names a place, exactly or fuzzily."""
    index = _current_index()
    tokens = fold(text).split()
    found: list[tuple[str, list[PlaceRef], bool]] = []
    for n in range(min(MAX_NGRAM, len(tokens)), 0, -1):
        for start in range(len(tokens) - n + 1):
            gram = " ".join(tokens[start : start + n])
            if n == 1 and (gram in STOPWORDS or len(gram) < 3 or gram.isdigit()):
                continue
            refs = index.names.get(gram)
            if refs:
                found.append((gram, refs, True))
            elif len(gram) >= FUZZY_MIN_LENGTH and n <= 2:
                close = _closest(index, gram)
                if close:
                    found.append((gram, index.names[close], False))
    return found


def place_match(text: str) -> PlaceMatch | None:
    """The most precise place the text names, or None.

    A commune name shared by several cercles is settled by a cercle or region named in the
    same text; if nothing settles it, the match stays at the level they have in common.
    """
    candidates = _candidates(text)
    if not candidates:
        return None
    named_cercles = {ref.pk for _, refs, _ in candidates for ref in refs if ref.level == "cercle"}
    named_regions = {ref.pk for _, refs, _ in candidates for ref in refs if ref.level == "region"}

    def settle(refs: list[PlaceRef]) -> list[PlaceRef]:
        if len(refs) <= 1:
            return refs
        narrowed = [r for r in refs if r.cercle_id in named_cercles] or [
            r for r in refs if r.region_id in named_regions
        ]
        return narrowed or refs

    best: tuple[tuple[int, int, int], PlaceMatch] | None = None
    for gram, refs, exact in candidates:
        refs = settle(refs)
        # Prefer the finest level each candidate offers (a name that is both a cercle and
        # its seat commune means the commune).
        finest_rank = min(LEVEL_RANK[r.level] for r in refs)
        finest = [r for r in refs if LEVEL_RANK[r.level] == finest_rank]
        if len(finest) == 1:
            ref = finest[0]
            match = PlaceMatch(
                commune_id=ref.pk if ref.level == "commune" else None,
                cercle_id=ref.cercle_id,
                region_id=ref.region_id,
                matched_text=gram,
                exact=exact,
            )
        else:
            cercles = {r.cercle_id for r in finest}
            regions = {r.region_id for r in finest}
            match = PlaceMatch(
                commune_id=None,
                cercle_id=cercles.pop() if len(cercles) == 1 else None,
                region_id=regions.pop() if len(regions) == 1 else None,
                matched_text=gram,
                exact=exact,
            )
            if match.region_id is None:
                continue
        score = (LEVEL_RANK[match.level], 0 if exact else 1, -len(gram))
        if best is None or score < best[0]:
            best = (score, match)
    return best[1] if best else None
