"""The routing directory (active members, their areas and duty slots, the active rules),
read once per process and kept under a version token in the shared cache.

Routing a report read the directory afresh each time: five to seven queries and a few
dozen model objects per report, the same answer every time between two edits of the
directory. Each process now keeps one copy, valid while the cache's version token is the
one it was read under. Never stale:

- every save or delete of a member, organisation, area, duty slot or routing rule (the
  signals in ``apps.py``), and every bulk ``update()`` of them (``directory_changed`` called
  by hand), bumps the token at once and again once the transaction commits: the first
  bump makes this process read its own change, the second makes every other process read
  the committed one (a copy read in between, of the data before the commit, is dropped);
- while this process has such a change in an open transaction, it reads the directory
  afresh (and drops its copy after), so a rolled-back change is never kept;
- the token is read on every use (one cache round trip), so a change made by any process
  is seen by the next report every process routes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

from focal_points.models import Member, RoutingRule

VERSION_KEY = "focal_points:directory-version"


@dataclass(frozen=True)
class Directory:
    # Active members of active organisations, in the members' own order, with their
    # organisation, areas and duty slots loaded.
    members: tuple[Member, ...]
    # category -> active rules
    rules: dict[str, tuple[RoutingRule, ...]]
    by_pk: dict[int, Member] = field(default_factory=dict)
    # The registered phones' pseudonyms of those members: an SMS from any other phone is
    # a resident's, known without a query.
    phone_pseudonyms: frozenset[str] = frozenset()


_copy: tuple[str, Directory] | None = None
_dirty = False  # this process changed the directory in a transaction still open


def _load() -> Directory:
    members = tuple(
        Member.objects.filter(is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .prefetch_related("areas", "duty_slots")
    )
    rules: dict[str, list[RoutingRule]] = {}
    for rule in RoutingRule.objects.filter(is_active=True):
        rules.setdefault(rule.category, []).append(rule)
    return Directory(
        members=members,
        rules={category: tuple(found) for category, found in rules.items()},
        by_pk={member.pk: member for member in members},
        phone_pseudonyms=frozenset(member.phone_pseudonym for member in members if member.phone_pseudonym),
    )


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, timeout=None)
        version = cache.get(VERSION_KEY)
    return str(version)


def directory() -> Directory:
    """The directory as committed (or as this process's open transaction changed it).
    Read-only: its model objects are shared by every caller in the process."""
    global _copy, _dirty
    if _dirty:
        if connection.in_atomic_block:
            return _load()
        _dirty, _copy = False, None
    version = _version()
    if _copy is not None and _copy[0] == version:
        return _copy[1]
    loaded = _load()  # read after the token: a change committed meanwhile bumps it again
    _copy = (version, loaded)
    return loaded


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def directory_changed() -> None:
    """Call after any write to the directory that sends no model signal (``update()``)."""
    global _dirty, _copy
    _copy = None
    _bump()
    if connection.in_atomic_block:
        _dirty = True
        transaction.on_commit(_bump)


def on_directory_change(**_kwargs: Any) -> None:
    """post_save / post_delete receiver for the directory's models."""
    directory_changed()


def forget() -> None:
    """Drop this process's copy (tests: the cache they clear holds the token)."""
    global _copy, _dirty
    _copy, _dirty = None, False
