from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from focal_points.models import Member, Organisation
from focal_points.services import CSV_COLUMNS, DirectoryImportError, members_import_csv
from tests.conftest import DEPLOYMENT_FIXTURE as FIXTURE
from veille.phones import pseudonym_for

pytestmark = pytest.mark.django_db
HEADER = ",".join(CSV_COLUMNS)


def test_it_imports_once_and_again_without_duplicates(gazetteer):
    first = members_import_csv(FIXTURE.read_text())
    second = members_import_csv(FIXTURE.read_text())

    assert (first.members_created, second.members_created, second.members_updated) == (14, 0, 14)
    assert Organisation.objects.count() == 11


def test_it_keeps_phones_encrypted_with_their_pseudonym(gazetteer):
    members_import_csv(FIXTURE.read_text())

    aminata = Member.objects.get(name="Aminata Guindo")
    assert aminata.phone == "+22376100001"
    assert aminata.phone_pseudonym == pseudonym_for("76 10 00 01")


@pytest.mark.parametrize(
    "line, message",
    [
        ("Org,relay_network,,youth,A,relay,+22376000001,fr,no,1,commune:Nowhere", "unknown commune"),
        ("Org,relay_network,,youth,A,chief,+22376000001,fr,no,1,", "role 'chief'"),
        ("Unit,security_unit,,,A,focal_point,+22376000001,fr,no,1,", "force is required"),
        ("Org,relay_network,,youth,A,relay,not-a-phone,fr,no,1,", "not a phone number"),
        ("Org,relay_network,,youth,A,relay,,fr,no,1,village:Boni", "write commune:Nom"),
        ("Org,relay_network,,youth,A,relay,,fr,no,1,commune:Pondori", "ambiguous commune"),
    ],
)
def test_it_names_each_bad_line_and_writes_nothing(gazetteer, line, message):
    good = "Good org,relay_network,,youth,B,relay,+22376000002,fr,no,1,commune:Hombori"

    with pytest.raises(DirectoryImportError) as caught:
        members_import_csv(f"{HEADER}\n{good}\n{line}\n")

    assert "line 3" in str(caught.value)
    assert message in str(caught.value)
    assert not Member.objects.exists()


def test_the_command_reports_errors_clearly(gazetteer, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,role\nA,relay\n")

    with pytest.raises(CommandError, match="missing columns"):
        call_command("import_members", str(bad))


def test_the_command_imports_the_fixture(gazetteer):
    out = io.StringIO()
    call_command("import_members", str(FIXTURE), stdout=out)
    assert "14 new members" in out.getvalue()
