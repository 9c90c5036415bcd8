from veille.gsm7 import gsm7_length, is_gsm7, segment_count, to_gsm7


def test_it_counts_french_accents_that_gsm7_has():
    assert is_gsm7("é è à ù É")
    assert segment_count("é" * 160) == 1


def test_it_knows_one_cedilla_makes_three_segments():
    text = "a" * 159 + "ç"
    assert not is_gsm7(text)
    assert segment_count(text) == 3


def test_it_counts_extended_characters_twice():
    assert gsm7_length("€[]") == 6


def test_it_folds_to_gsm7():
    folded = to_gsm7("Fête à Ségou – «ç» ɛ")
    assert is_gsm7(folded)
    assert folded == 'Fete à Ségou - "c" e'
