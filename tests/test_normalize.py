"""The matching view keeps every offset of the original text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kg.normalize import normalize
from tests.conftest import seed


def test_seeds_keep_length(seed_files):
    for path in seed_files:
        text = path.read_text(encoding="utf-8")
        assert len(normalize(text)) == len(text)


def test_traditional_to_simplified_and_full_width():
    assert normalize("中國共產黨紀律處分條例") == "中国共产党纪律处分条例"
    assert normalize("２０２４年８月２０日（試行）") == "2024年8月20日(试行)"
    assert normalize("a\r\nb") == "a\n\nb"


def test_traditional_seed_reads_as_simplified():
    text = seed("004").read_text(encoding="utf-8")
    norm = normalize(text)
    assert "市妇联党组" in norm and "市婦聯黨組" in text
    assert norm.index("市妇联党组") == text.index("市婦聯黨組")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200))
def test_any_text_keeps_length(text):
    assert len(normalize(text)) == len(text)
