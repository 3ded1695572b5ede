"""罗马字母拼写 of a place name, as a suggestion a person confirms (条例第十五条; GB/T 16159-2012).

pypinyin gives the syllables; it does not split 专名 from 通名, capitalise or put the apostrophe, and it
misreads some place names (丽水 → líshuǐ; the local reading is Lìshuǐ). So: a table of 通名 suffixes
splits the name, a small table of place readings overrides pypinyin where it is known to be wrong,
each part is written as one word with a capital letter and an apostrophe before a syllable that begins
with a, o or e (Xī'ān), and 专名 and 通名 are written apart (Dòngtíng Hú). The register keeps the toned
form; signs (GB 17733) the same letters without tone marks, ü kept.
"""

from __future__ import annotations

import unicodedata

from pypinyin import Style, pinyin

# Longest first: 大道 before 道, 社区 before 区.
_GENERIC_WORDS = [
    *("社区", "街道", "大道", "大街", "大桥", "公园", "广场", "小区", "花园", "水库", "新村"),
    *("村", "镇", "乡", "区", "县", "市", "路", "街", "巷", "弄", "桥", "山", "河", "湖", "江"),
    *("溪", "港", "岛", "湾", "苑", "里", "园", "坊", "庄"),
]
GENERICS = sorted(_GENERIC_WORDS, key=len, reverse=True)
# Readings pypinyin gets wrong in place names (research note: reference-governance-maps §2).
READINGS = {
    "丽水": ["lì", "shuǐ"],
    "长治": ["cháng", "zhì"],
    "鄞州": ["yín", "zhōu"],
    "瞻岐": ["zhān", "qí"],
    "蚌埠": ["bèng", "bù"],
    "六安": ["lù", "ān"],
}
_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}


def split(name: str) -> tuple[str, str]:
    """(专名, 通名): the longest known 通名 at the end; a name that is only a 通名 keeps it as 专名."""
    name = name.strip()
    for generic in GENERICS:
        if name.endswith(generic) and len(name) > len(generic):
            return name[: -len(generic)], generic
    return name, ""


def _syllables(text: str) -> list[str]:
    """pypinyin over each run between known readings, so its own phrase table still reads 长安 as cháng'ān."""
    out: list[str] = []
    run_start = i = 0
    while i < len(text):
        phrase = next((p for p in READINGS if text.startswith(p, i)), None)
        if phrase is None:
            i += 1
            continue
        out += _pinyin(text[run_start:i]) + READINGS[phrase]
        i += len(phrase)
        run_start = i
    return out + _pinyin(text[run_start:])


def _pinyin(run: str) -> list[str]:
    return [s[0] for s in pinyin(run, style=Style.TONE, heteronym=False)] if run else []


def _word(text: str) -> str:
    syllables = _syllables(text)
    joined = syllables[0] if syllables else ""
    for s in syllables[1:]:
        bare = strip_tones(s)
        joined += ("'" if bare[:1] in ("a", "o", "e") else "") + s
    return joined[:1].upper() + joined[1:]


def romanise(name: str, generic: str | None = None) -> str:
    """The toned spelling: 专名 and 通名 apart, each capitalised (瞻岐路 → Zhānqí Lù)."""
    specific, found = split(name) if generic is None else (name[: len(name) - len(generic)], generic)
    return " ".join(_word(part) for part in (specific, found) if part)


def strip_tones(text: str) -> str:
    """Tone marks off, ü kept (signs use the toneless form)."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONE_MARKS))


def sound_key(name: str) -> str:
    """Toneless syllables without spaces: two names with the same key sound alike (条例第九条 同音)."""
    return strip_tones("".join(_syllables(name.strip()))).replace("ü", "u").lower()
