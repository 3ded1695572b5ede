"""Parsing the words people type: 与户主关系 and 人员标签.

Each parser raises ValueError with a Chinese reason that names the bad value.
"""

from __future__ import annotations

from dataclasses import dataclass

from minzheng.registry.models import PersonTag, Relation

_RELATION_BY_LABEL = {r.label: r.value for r in Relation}
_RELATION_ALIASES = {
    "本人": "02",
    "夫": "10",
    "妻": "10",
    "儿子": "20",
    "女儿": "30",
    "孙子": "40",
    "孙女": "40",
    "外孙子": "40",
    "外孙女": "40",
    "父": "51",
    "母": "52",
    "兄": "70",
    "弟": "70",
    "姐": "70",
    "妹": "70",
}


def relation_parse(raw: str) -> str:
    """Label, alias or GB/T 4761-2008 two-digit code → stored code."""
    text = raw.strip()
    if text in _RELATION_BY_LABEL:
        return _RELATION_BY_LABEL[text]
    if text in _RELATION_ALIASES:
        return _RELATION_ALIASES[text]
    if len(text) == 2 and text.isdigit():
        return _relation_from_code(text)
    raise ValueError(f"“{raw}”无法识别，应为 {'、'.join(_RELATION_BY_LABEL)} 或 GB/T 4761 两位代码")


def _relation_from_code(code: str) -> str:
    # GB/T 4761-2008 groups: 1x spouse, 2x son (28 son-in-law), 3x daughter
    # (38 daughter-in-law), 4x grandchildren, 5x parents, 7x siblings.
    if code in {"01", "02", "03"}:
        return Relation.HEAD
    special = {
        "28": Relation.SON_IN_LAW,
        "38": Relation.DAUGHTER_IN_LAW,
        "51": Relation.FATHER,
        "57": Relation.FATHER,
        "52": Relation.MOTHER,
        "58": Relation.MOTHER,
    }
    if code in special:
        return special[code]
    groups = {
        "1": Relation.SPOUSE,
        "2": Relation.SON,
        "3": Relation.DAUGHTER,
        "4": Relation.GRANDCHILD,
        "7": Relation.SIBLING,
    }
    return groups.get(code[0], Relation.OTHER)


DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_GRADES = ("一级", "二级", "三级", "四级")
INCAPACITY_LEVELS = ("轻度", "中度", "重度", "完全")
_PLAIN_TAGS = {
    k.label: k.value for k in PersonTag.Kind if k not in (PersonTag.Kind.DISABILITY, PersonTag.Kind.INCAPACITY)
}
_PLAIN_TAGS.update(
    {
        "低保": PersonTag.Kind.DIBAO,
        "特困": PersonTag.Kind.TEKUN,
        "低保边缘家庭": PersonTag.Kind.DIBAO_EDGE,
        "刚性支出困难家庭": PersonTag.Kind.RIGID_EXPENSE,
    }
)


@dataclass(frozen=True, slots=True)
class Tag:
    kind: str
    category: str = ""
    grade: str = ""

    def text(self) -> str:
        label = PersonTag.Kind(self.kind).label
        return f"{label}:{self.category}{self.grade}" if (self.category or self.grade) else label


def _disability(detail: str) -> Tag:
    for cat in DISABILITY_CATEGORIES:
        if detail.startswith(cat):
            grade = detail[len(cat) :].replace("残疾", "")
            if grade in DISABILITY_GRADES:
                return Tag(PersonTag.Kind.DISABILITY, cat, grade)
            raise ValueError(f"残疾等级“{grade}”应为 一级至四级")
    raise ValueError(f"残疾类别“{detail}”应为 {'、'.join(DISABILITY_CATEGORIES)} 之一加等级，如 肢体二级")


def _incapacity(detail: str) -> Tag:
    level = detail.removesuffix("失能")
    if level not in INCAPACITY_LEVELS:
        raise ValueError(f"失能等级“{detail}”应为 {'、'.join(INCAPACITY_LEVELS)} 之一")
    return Tag(PersonTag.Kind.INCAPACITY, "", level)


def tags_parse(raw: str) -> list[Tag]:
    """`残疾:肢体二级;失能:中度;留守儿童` → typed tags, sorted, one per kind."""
    tags: dict[str, Tag] = {}
    for part in raw.replace("；", ";").replace("，", ";").split(";"):
        item = part.strip().replace("：", ":")
        if not item:
            continue
        name, _, detail = item.partition(":")
        if name == "残疾":
            tag = _disability(detail.strip())
        elif name == "失能":
            tag = _incapacity(detail.strip())
        elif name in _PLAIN_TAGS and not detail:
            tag = Tag(_PLAIN_TAGS[name])
        else:
            raise ValueError(f"“{item}”无法识别")
        tags[tag.kind] = tag
    return sorted(tags.values(), key=lambda t: t.kind)


def tags_text(tags: list[Tag]) -> str:
    return ";".join(t.text() for t in tags)
