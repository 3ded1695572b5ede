"""Toneless pinyin of Chinese person names, for matching (homophones agree, 张伟 = 章伟 = "zhang wei").

Readings are looked up per character, not per phrase: a name is not a word, and the same
character must read the same way on both sides of a comparison whatever stands next to it.
The surname is read with its surname reading (百家姓): pypinyin's default reading of many
polyphonic surnames is the common-word one (单 dan, 曾 ceng, 解 jie, 仇 chou, 区 qu, 朴 pu),
which would be wrong against romanised names (passports, 港澳台居民居住证) even though it is
harmless between two hanzi spellings.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from the character's most common reading (《百家姓》, 现代汉语词典 姓 义项).
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "查": "zha",
    "朴": "piao",
    "尉迟": "yuchi",
    "万俟": "moqi",
    "长孙": "zhangsun",
    "澹台": "tantai",
    "乐": "yue",
    "盖": "ge",
    "缪": "miao",
    "繁": "po",
    "覃": "qin",
    "翟": "zhai",
    "种": "chong",
    "秘": "bi",
    "折": "she",
    "员": "yun",
    "召": "shao",
    "任": "ren",
    "华": "hua",
    "过": "guo",
    "句": "gou",
    "宁": "ning",
    "沈": "shen",
    "洗": "xian",
    "冼": "xian",
    "隗": "wei",
    "能": "nai",
    "那": "na",
    "蕃": "pi",
    "黑": "he",
    "纪": "ji",
    "祭": "zhai",
    "谌": "chen",
    "卜": "bu",
    "薄": "bo",
    "重": "chong",
    "传": "chuan",
    "贲": "ben",
}
# Two-character surnames recognised before a name is split (the common ones of 百家姓).
COMPOUND_SURNAMES = frozenset(
    [
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "轩辕",
        "令狐",
        "钟离",
        "澹台",
        "万俟",
        "闻人",
        "赫连",
        "独孤",
        "南宫",
        "西门",
        "呼延",
        "端木",
        "申屠",
        "公羊",
        "拓跋",
        "百里",
        "东郭",
        "太史",
        "司空",
        "濮阳",
        "淳于",
        "单于",
        "左丘",
    ]
)


def clean_name(raw: object) -> str:
    """Full-width to half-width, spaces and the middle dot of minority names removed."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(ch for ch in text if not ch.isspace() and ch not in "·•・.")


def split_name(name: str) -> tuple[str, str]:
    """(surname, given name); a known two-character surname is kept whole."""
    cut = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:cut], name[cut:]


@lru_cache(maxsize=65536)
def char_reading(ch: str) -> str:
    """Toneless pinyin of one character (ü written v); non-hanzi kept lower-cased."""
    return lazy_pinyin(ch, style=Style.NORMAL, v_to_u=False, errors=lambda s: s.lower())[0]


def surname_reading(surname: str) -> str:
    if surname in SURNAME_READINGS:
        return SURNAME_READINGS[surname]
    return "".join(SURNAME_READINGS.get(ch) or char_reading(ch) for ch in surname)


@lru_cache(maxsize=1 << 20)
def name_pinyin(name: str) -> tuple[str, str]:
    """(surname pinyin, full-name pinyin with one space between syllables) of a cleaned name."""
    if not name:
        return "", ""
    surname, given = split_name(name)
    first = surname_reading(surname)
    syllables = [first, *(char_reading(ch) for ch in given)]
    return first, " ".join(s for s in syllables if s)
