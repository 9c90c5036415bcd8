from __future__ import annotations

import base64
import io

import pytest
from django.core.management import call_command

from messaging.models import ContactVaultEntry
from reporting.models import Report
from veille.crypto import keyed_digest
from veille.phones import pseudonym_candidates

pytestmark = pytest.mark.django_db

NEW_DATA_KEY = "n9:" + base64.urlsafe_b64encode(b"n" * 32).decode().rstrip("=")
NEW_PSEUDONYM_KEY = "q9:" + base64.urlsafe_b64encode(b"q" * 32).decode().rstrip("=")


def test_it_re_encrypts_everything_under_the_newest_key(gazetteer, phone, outbox, settings):
    phone.send("attaque a Hombori")
    settings.VEILLE_DATA_KEYS = f"{NEW_DATA_KEY},{settings.VEILLE_DATA_KEYS}"
    out = io.StringIO()

    call_command("rotate_data_key", stdout=out, stderr=io.StringIO())

    assert "values per key id: {'n9':" in out.getvalue()
    assert "t2" not in out.getvalue().split("values per key id:")[1]
    # And the data still opens once the old keys are gone.
    settings.VEILLE_DATA_KEYS = NEW_DATA_KEY
    assert Report.objects.get().description == "attaque a Hombori"


def test_check_only_counts(gazetteer, phone, outbox):
    phone.send("attaque a Hombori")
    out = io.StringIO()

    call_command("rotate_data_key", "--check", stdout=out)

    assert "'t2':" in out.getvalue()


def test_it_moves_pseudonyms_to_the_new_key_where_the_number_is_known(gazetteer, phone, outbox, settings):
    phone.send("attaque a Hombori")
    settings.VEILLE_PSEUDONYM_KEYS = f"{NEW_PSEUDONYM_KEY},{settings.VEILLE_PSEUDONYM_KEYS}"

    call_command("rotate_pseudonym_key", stdout=io.StringIO())

    new = keyed_digest("+22376123456")
    assert new.startswith("q9:")
    assert Report.objects.get().sender_pseudonym == new
    assert ContactVaultEntry.objects.get().pseudonym == new
    assert new in pseudonym_candidates("76 12 34 56")


def test_generate_keys_prints_valid_keys():
    from veille.crypto import parse_keyring

    out = io.StringIO()
    call_command("generate_keys", stdout=out)

    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    parse_keyring(lines["VEILLE_DATA_KEYS"], setting="x")
    parse_keyring(lines["VEILLE_PSEUDONYM_KEYS"], setting="x")
