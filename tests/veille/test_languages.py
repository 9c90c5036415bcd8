"""Languages as data (issue 19): a deployment declares its languages (``VEILLE_LANGUAGES``)
and each has files (``<code>/language.toml``, its gettext catalogue); every text of every
channel is in the catalogues, keyed by msgctxt; a text a catalogue lacks is said in
French; every text not reviewed by a native speaker is marked so. Adding a language is
adding files: done here from a temporary folder, seen on the web form, in SMS texts and
on the USSD language menu."""

from __future__ import annotations

import gettext
import re

import pytest
from django.conf import settings as django_settings
from django.conf.locale import LANG_INFO
from django.core.management import CommandError, call_command

from commands.management.commands import texts_catalogue
from focal_points.models import Member
from reporting import texts as sms
from reporting.models import Report
from reporting.ussd import texts as ussd
from reporting.ussd.engine import Engine
from tests.reporting.test_web_form import answers, form_token, receipt_of
from veille import languages
from veille.catalogue import REGISTRY, Text, TextTable, pgettext_lazy
from veille.languages import LanguageFileError, read_languages
from veille.pofile import parse, write_mo

# Test data, not Fulfulde: a visible marker, never presented as a translation.
FF_MARK = "[ff test]"


def _declare(settings, codes: list[str], folders: list) -> None:
    settings.LOCALE_PATHS = folders
    settings.VEILLE_LANGUAGES = codes
    settings.LANGUAGES = languages.django_settings(codes, folders)["LANGUAGES"]


@pytest.fixture
def fulfulde(tmp_path, settings):
    """Fulfulde added the way a deployment adds it: files in a folder of LOCALE_PATHS
    and its code in VEILLE_LANGUAGES; two texts "translated" (marked test data), the
    rest left to French."""
    folder = tmp_path / "ff"
    (folder / "LC_MESSAGES").mkdir(parents=True)
    (folder / "language.toml").write_text(
        'name = "Fulfulde"\nname_fr = "peul"\nbidi = false\nnative_review = "pending"\n', encoding="utf-8"
    )
    receipt, menu, report = sms.SMS_TEXTS["receipt"], ussd.T["menu"], ussd.T["menu.report"]
    catalogue = folder / "LC_MESSAGES" / "django.po"
    catalogue.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        f"# {languages.REVIEW_COMMENT}\n"
        f'msgctxt "{receipt.key}"\nmsgid "{receipt.source}"\nmsgstr "{FF_MARK} Veille {{code}}"\n\n'
        f"# {languages.REVIEW_COMMENT}\n"
        f'msgctxt "{menu.key}"\nmsgid {_po(menu.source)}\nmsgstr "{FF_MARK} Veille"\n\n'
        f"# {languages.REVIEW_COMMENT}\n"
        f'msgctxt "{report.key}"\nmsgid {_po(report.source)}\nmsgstr "Signaler"\n\n'
        f"# {languages.REVIEW_COMMENT}\n"
        f'msgid "Signaler un incident"\nmsgstr "{FF_MARK} Signaler un incident"\n',
        encoding="utf-8",
    )
    texts_catalogue.compile_catalogue(catalogue)
    _declare(settings, [*settings.VEILLE_LANGUAGES, "ff"], [tmp_path, *settings.LOCALE_PATHS])
    return folder


def _po(value: str) -> str:
    return '"' + value.replace('"', '\\"').replace("\n", "\\n") + '"'


# --- the declared languages -----------------------------------------------------------


def test_the_default_deployment_speaks_french_english_and_bambara_from_its_files():
    assert languages.codes() == ["fr", "en", "bm"]
    assert django_settings.LANGUAGES == [("fr", "Français"), ("en", "English"), ("bm", "Bamanankan")]
    assert LANG_INFO["bm"]["name_local"] == "Bamanankan"  # Django lacks Bambara: extended from the data


def test_bambara_stays_marked_for_native_review_and_french_is_the_source():
    assert {d.code: d.native_review for d in languages.declared()} == {
        "fr": "source",
        "en": "reviewed",
        "bm": "pending",
    }
    assert "bm" in sms.NEEDS_NATIVE_REVIEW and "en" not in sms.NEEDS_NATIVE_REVIEW


def test_french_always_comes_first_and_a_bad_declaration_is_refused_clearly(tmp_path):
    assert [d.code for d in read_languages(["en", "fr"], [django_settings.LOCALE_PATHS[0]])] == ["fr", "en"]
    with pytest.raises(LanguageFileError, match=r"no taq/language\.toml"):
        read_languages(["fr", "taq"], [django_settings.LOCALE_PATHS[0]])
    with pytest.raises(LanguageFileError, match="no ISO 639"):
        read_languages(["fr", "Bambara"], [django_settings.LOCALE_PATHS[0]])
    (tmp_path / "fr").mkdir()
    (tmp_path / "fr" / "language.toml").write_text('name = "Français"\nnative_review = "maybe"\n', encoding="utf-8")
    with pytest.raises(LanguageFileError, match="native_review"):
        read_languages(["fr"], [tmp_path])


def test_a_report_keeps_a_three_letter_code():
    assert Report._meta.get_field("language").max_length >= 3
    assert not Report._meta.get_field("language").choices


# --- one system for every text --------------------------------------------------------


def test_every_text_of_every_channel_is_in_every_catalogue_and_bambara_is_marked():
    call_command("texts_catalogue", check=True)  # raises on a missing text or an unmarked entry
    keys = [text.key for text in texts_catalogue.registered_texts()]
    assert len(keys) == len(set(keys)) > 150
    assert {"sms.receipt", "ussd.welcome", "member.not_understood", "alert.sms", "gateway.down"} <= set(keys)


def test_the_check_fails_on_an_unmarked_bambara_entry_and_a_missing_text(tmp_path, settings):
    folder = tmp_path / "bm" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    source = (django_settings.LOCALE_PATHS[0] / "bm" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    (tmp_path / "bm" / "language.toml").write_text('name = "Bamanankan"\nnative_review = "pending"\n')
    unmarked = source.replace(f"# {languages.REVIEW_COMMENT} (bambara)\n#: reporting/texts.py\n", "", 1)
    missing = re.sub(r'msgctxt "sms\.opted_in"\n', 'msgctxt "sms.opted_in.old"\n', unmarked)
    (folder / "django.po").write_text(missing, encoding="utf-8")
    _declare(settings, ["fr", "en", "bm"], [tmp_path, *django_settings.LOCALE_PATHS])

    with pytest.raises(CommandError) as failed:
        call_command("texts_catalogue", check=True)
    assert "bm: sms.receipt not marked" in str(failed.value)
    assert "bm: sms.opted_in missing" in str(failed.value)


def test_a_text_is_read_as_the_dictionaries_it_replaced():
    receipt = sms.SMS_TEXTS["receipt"]
    assert list(receipt) == ["fr", "en", "bm"]
    assert receipt["fr"].startswith("Veille: message reçu") and receipt["en"].startswith("Veille: message received")
    assert receipt.get("xx", receipt["fr"]) == receipt["fr"]
    with pytest.raises(ValueError, match=r"context sms\.oops"):
        TextTable("sms", {"oops": pgettext_lazy("sms.other", "x")})
    assert isinstance(REGISTRY["sms"], TextTable) and isinstance(REGISTRY["alert.sms"], Text)


def test_the_committed_catalogues_are_compiled_from_their_po_files(tmp_path):
    """The .mo Django reads says what the .po says (compiled by ``texts_catalogue``)."""
    for code in ("en", "bm"):
        po = django_settings.LOCALE_PATHS[0] / code / "LC_MESSAGES" / "django.po"
        committed = gettext.GNUTranslations(po.with_suffix(".mo").open("rb"))._catalog
        write_mo(parse(po), tmp_path / "fresh.mo")
        fresh = gettext.GNUTranslations((tmp_path / "fresh.mo").open("rb"))._catalog
        assert {k: v for k, v in committed.items() if k} == {k: v for k, v in fresh.items() if k}, code


# --- adding a language is adding files -------------------------------------------------


@pytest.mark.django_db
def test_an_added_language_is_on_the_web_form_and_stored_with_the_report(client, gazetteer, fulfulde):
    page = client.get("/ff/report/").content.decode()

    assert '<html lang="ff"' in page
    assert f"{FF_MARK} Signaler un incident" in page  # from its catalogue
    assert "Décrivez ce que vous avez vu ou entendu" in page  # what it lacks, in French
    assert "Fulfulde" in client.get("/report/").content.decode()  # a language link on the French page
    receipt_of(client.post("/ff/report/", answers(form_token(client, "/ff/report/"))))
    assert Report.objects.get().language == "ff"


def test_an_added_language_gets_its_sms_texts_and_french_for_the_others(fulfulde):
    assert sms.sms_text("receipt", "ff", code="K7M2QX") == f"{FF_MARK} Veille K7M2QX"
    assert sms.sms_text("opted_in", "ff") == sms.sms_text("opted_in", "fr")  # not in its catalogue
    assert sms.member_language(Member(languages="ff,fr")) == "ff"
    assert "ff" in sms.NEEDS_NATIVE_REVIEW


def test_an_added_language_is_on_the_ussd_language_menu(fulfulde):
    engine = Engine({}, sender_pseudonym="p1:test")

    welcome = engine.current().text
    assert welcome.split("\n")[1:] == ["1 Francais", "2 English", "3 Bamanankan", "4 Fulfulde"]
    menu = engine.answer("4").text
    # The title and the first option from its catalogue, the second in French.
    assert menu == f"{FF_MARK} Veille\n1 Signaler\n2 Suivre un signalement"
    assert engine.state["lang"] == "ff"


def test_texts_catalogue_starts_the_catalogue_of_a_declared_language(tmp_path, settings):
    (tmp_path / "ses").mkdir()
    (tmp_path / "ses" / "language.toml").write_text('name = "Koyraboro senni"\nnative_review = "pending"\n')
    _declare(settings, ["fr", "en", "bm", "ses"], [*django_settings.LOCALE_PATHS, tmp_path])

    call_command("texts_catalogue")

    entries = [e for e in parse(tmp_path / "ses" / "LC_MESSAGES" / "django.po") if not e.is_header]
    assert {e.msgctxt for e in entries} == {t.key for t in texts_catalogue.registered_texts()}
    assert all(not e.msgstr and e.comments == [languages.REVIEW_COMMENT] for e in entries)
    assert (tmp_path / "ses" / "LC_MESSAGES" / "django.mo").is_file()
    assert sms.sms_text("receipt", "ses", code="K7M2QX") == sms.sms_text("receipt", "fr", code="K7M2QX")
    call_command("texts_catalogue", check=True)
