"""罗马字母拼写 by GB/T 16159: split, capitals, apostrophe, local readings, toneless signs, sound keys."""

from __future__ import annotations

import pytest

from minzheng.placenames.romanise import romanise, sound_key, split, strip_tones


@pytest.mark.parametrize(
    ("name", "parts", "roman"),
    [
        ("瞻岐路", ("瞻岐", "路"), "Zhānqí Lù"),  # local reading of 岐 kept by the table
        ("西安路", ("西安", "路"), "Xī'ān Lù"),  # apostrophe before a syllable starting with a
        ("长安大街", ("长安", "大街"), "Cháng'ān Dàjiē"),  # pypinyin's phrase reading, two-character 通名
        ("丽水街", ("丽水", "街"), "Lìshuǐ Jiē"),  # pypinyin alone reads líshuǐ
        ("合一社区", ("合一", "社区"), "Héyī Shèqū"),
        ("街", ("街", ""), "Jiē"),  # a bare 通名 stays the name
    ],
)
def test_romanise(name: str, parts: tuple[str, str], roman: str) -> None:
    assert split(name) == parts
    assert romanise(name) == roman


def test_signs_drop_tones_but_keep_umlaut() -> None:
    assert strip_tones(romanise("女儿桥")) == "Nü'er Qiao"
    assert strip_tones("Lǜ Dǎo") == "Lü Dao"


def test_sound_key_finds_homophones() -> None:
    assert sound_key("合一路") == sound_key("和一路") == "heyilu"
    assert sound_key("合一路") != sound_key("合二路")
