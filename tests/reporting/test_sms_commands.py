"""The words residents send, as a recorded table: what each one means."""

from __future__ import annotations

import pytest

from commands.router import parse_resident as parse_command

TABLE = [
    ("STOP", "opt_out", ""),
    ("stop", "opt_out", ""),
    (" Arrêt ", "opt_out", ""),
    ("stop aux attaques a Boni", "report", ""),
    ("START", "opt_in", ""),
    ("STATUT K7M2QX", "status", "K7M2QX"),
    ("statut k7m-2qx", "status", "K7M2QX"),
    ("Status K7M2QX", "status", "K7M2QX"),
    ("STATUT", "status", ""),
    ("ladon K7M2QX", "status", "K7M2QX"),
    ("statut: des hommes armes sont venus au village hier soir", "report", ""),
    ("attaque au marche", "report", ""),
    ("", "report", ""),
]


@pytest.mark.parametrize("body, kind, argument", TABLE)
def test_it_reads_the_command(body, kind, argument):
    command = parse_command(body)

    assert command.kind == kind
    assert command.argument == argument
