"""``makemessages`` without msgmerge's fuzzy matching.

Texts of every channel are keyed by their msgctxt (``veille/catalogue.py``): many short
texts look alike ("fin", "reçu"), and a fuzzy guess copied from a neighbour would
ship as a wrong translation the next time someone clears the flag without reading.
A new text gets an empty translation, which says French until translated."""

from __future__ import annotations

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
