from __future__ import annotations

import pytest

from veille.phones import MASK, mask_phone_numbers, normalize_msisdn, number_variants, pseudonym_for

FORMS = ["76 12 34 56", "76.12.34.56", "0022376123456", "+223 76123456", "+22376123456", "76123456"]


@pytest.mark.parametrize("written", FORMS)
def test_it_gives_every_written_form_the_same_canonical_number(written):
    assert normalize_msisdn(written) == "+22376123456"


def test_it_gives_every_written_form_the_same_pseudonym():
    assert len({pseudonym_for(form) for form in FORMS}) == 1


@pytest.mark.parametrize("written", FORMS)
def test_it_masks_numbers_inside_free_text(written):
    masked = mask_phone_numbers(f"appelez mon frere au {written} vite")

    assert MASK in masked
    for digits in ("76123456", "12 34 56", "12.34.56"):
        assert digits not in masked


@pytest.mark.parametrize(
    "text",
    ["3 blesses en 2024", "attaque au km 12, 45 hommes", "Task [c04e8812-b813-442f] took 0.029521316000000297s"],
)
def test_it_leaves_ordinary_numbers_alone(text):
    assert mask_phone_numbers(text) == text


def test_it_lists_the_forms_a_number_is_written_in():
    assert "76 12 34 56" in number_variants("+22376123456")


def test_it_rejects_what_is_not_a_number():
    assert normalize_msisdn("bonjour") is None
    assert normalize_msisdn("") is None
