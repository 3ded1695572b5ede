"""Household compositions and person tags for the generated county.

Each composition returns its members head first, with ages that fit together:
spouses within a few years, children born to mothers aged 21–37, elder parents
a generation above the head. Tags follow at county-like rates.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from minzheng.demo.generator import Member, People

DISABILITY_CATEGORIES = ("视力", "听力", "言语", "肢体", "肢体", "肢体", "智力", "精神", "多重")
GRADES = ("一级", "二级", "三级", "三级", "四级", "四级")
SEVERE = ("一级", "二级", "重度", "完全")
MAX_MEMBERS = 6


class Composer:
    def __init__(self, rng: random.Random, people: People) -> None:
        self.rng = rng
        self.people = people
        # (composition, weight): tuned so that sizes run 1–6 with a mean near 2.8 and
        # about 8% of those aged 60+ live alone.
        shapes: tuple[tuple[Callable[[str], list[Member]], float], ...] = (
            (self.elder_alone, 5),
            (self.elder_couple, 12),
            (self.single, 10),
            (self.couple, 9),
            (self.nuclear, 30),
            (self.single_parent, 4),
            (self.three_generations, 12),
            (self.elder_headed, 10),
            (self.skipped_generation, 2.5),
            (self.siblings, 1.5),
            (self.with_other, 1.5),
        )
        self.shapes = [s for s, _ in shapes]
        self.weights = [w for _, w in shapes]

    def household(self) -> list[Member]:
        surname = self.people.surname()
        shape = self.rng.choices(self.shapes, self.weights)[0]
        members = shape(surname)[:MAX_MEMBERS]
        self.tag(members, alone=shape == self.elder_alone)
        return members

    # --- building blocks ---------------------------------------------------
    def sex(self, male: float) -> str:
        return "M" if self.rng.random() < male else "F"

    def pair(self, surname: str, age: int, relation: str, partner: str) -> list[Member]:
        """A married couple: the first carries `surname`; wives are on average two years younger."""
        first = self.people.person(surname, "M" if relation != "女" else "F", age, relation)
        gap = self.rng.randint(-2, 6)
        other_age = max(20, age - gap if first.sex == "M" else age + gap)
        other = self.people.person(self.people.surname(), "F" if first.sex == "M" else "M", other_age, partner)
        return [first, other]

    def head_couple(self, surname: str, low: int, high: int) -> list[Member]:
        head, spouse = self.pair(surname, self.people.age(low, high), "户主", "配偶")
        if self.rng.random() < 0.15:  # a woman is 户主 of some couples
            head.relation, spouse.relation = "配偶", "户主"
            return [spouse, head]
        return [head, spouse]

    def children(self, surname: str, mother_age: int, count: int, relation: str | None = None) -> list[Member]:
        """Children of a mother aged `mother_age`, as many as births in their year allow.

        Adult children leave to start their own 户: those over 22 stay less often, over 30 not at all.
        """
        kids = []
        for _ in range(count):
            age = self.child_age(mother_age)
            if age is not None and (age <= 22 or (age <= 30 and self.rng.random() < 0.5)):
                sex = self.sex(0.52)
                kids.append(self.people.person(surname, sex, age, relation or ("子" if sex == "M" else "女")))
        return kids

    def child_age(self, mother_age: int) -> int | None:
        for _ in range(4):  # a child of a year with fewer births is drawn less often
            age = mother_age - round(self.rng.triangular(21, 38, 27))
            if age >= 0 and self.rng.random() < self.people.age_share(age):
                return age
        return None

    @staticmethod
    def mother_age(couple: list[Member]) -> int:
        return next(m.age for m in couple if m.sex == "F")

    def kids_count(self) -> int:
        return self.rng.choices((1, 2, 3), (45, 47, 8))[0]

    # --- compositions -------------------------------------------------------
    def elder_alone(self, surname: str) -> list[Member]:
        return [self.widowed(surname, 62, 104)]

    def widowed(self, surname: str, low: int, high: int) -> Member:
        """A widowed elder 户主; widows outnumber widowers and keep their own surname."""
        sex = self.sex(0.4)
        own = surname if sex == "M" else self.people.surname()
        return self.people.person(own, sex, self.people.age(low, high), "户主")

    def elder_couple(self, surname: str) -> list[Member]:
        return self.head_couple(surname, 60, 95)

    def single(self, surname: str) -> list[Member]:
        return [self.people.person(surname, self.sex(0.6), self.people.age(20, 59), "户主")]

    def couple(self, surname: str) -> list[Member]:
        return self.head_couple(surname, 22, 64)  # young couples and empty nests

    def nuclear(self, surname: str) -> list[Member]:
        parents = self.head_couple(surname, 24, 62)
        return parents + self.children(surname, self.mother_age(parents), self.kids_count())

    def single_parent(self, surname: str) -> list[Member]:
        parent = self.people.person(surname, self.sex(0.35), self.people.age(26, 55), "户主")
        mother_age = parent.age if parent.sex == "F" else parent.age - 2
        return [parent, *self.children(surname, mother_age, self.rng.choice((1, 1, 2)))]

    def three_generations(self, surname: str) -> list[Member]:
        """A middle-aged couple, their children, and one or both of the 户主's parents."""
        couple = self.head_couple(surname, 28, 56)
        head = couple[0]
        elder_age = head.age + self.rng.randint(24, 34)
        if elder_age > 100:
            elders = []
        elif self.rng.random() < 0.45:
            elders = self.pair(head.surname, elder_age, "父亲", "母亲")
        elif self.rng.random() < 0.35:
            elders = [self.people.person(head.surname, "M", elder_age, "父亲")]
        else:  # a widowed mother, with her own surname
            elders = [self.people.person(self.people.surname(), "F", elder_age - 2, "母亲")]
        kids = self.children(surname, self.mother_age(couple), self.rng.choice((1, 1, 2)))
        return couple + elders + kids

    def elder_headed(self, surname: str) -> list[Member]:
        """An elder 户主, a married son (with 儿媳) or daughter (with 女婿), and grandchildren."""
        elders = self.head_couple(surname, 50, 85) if self.rng.random() < 0.7 else [self.widowed(surname, 50, 85)]
        elder_mother = next((m.age for m in elders if m.sex == "F"), elders[0].age)
        child_age = self.rng.randint(max(22, elder_mother - 38), max(22, elder_mother - 21))
        if self.rng.random() < 0.75:
            young = self.pair(surname, child_age, "子", "儿媳")
        else:  # 上门女婿: the daughter stays, her husband joins the 户
            young = self.pair(surname, child_age, "女", "女婿")
        grandkids = self.children(surname, self.mother_age(young), self.rng.choice((0, 1, 1, 2)), "孙子女")
        return elders + young + grandkids

    def skipped_generation(self, surname: str) -> list[Member]:
        """Grandparents raising grandchildren whose parents work away (留守儿童)."""
        grand = self.head_couple(surname, 50, 80) if self.rng.random() < 0.7 else [self.widowed(surname, 50, 80)]
        kids = [
            self.people.person(surname, self.sex(0.52), self.people.age(3, 16), "孙子女")
            for _ in range(self.rng.choice((1, 1, 2)))
        ]
        roll = self.rng.random()
        for kid in kids:
            kid.tags.append("留守儿童")
        if roll < 0.02:
            kids[0].tags = ["孤儿"]  # both parents dead: no longer 留守
        elif roll < 0.06:
            kids[0].tags = ["事实无人抚养儿童"]  # parents in prison, missing or severely disabled
        return grand + kids

    def siblings(self, surname: str) -> list[Member]:
        """Unmarried siblings sharing a 户, often one caring for a disabled brother or sister."""
        head = self.people.person(surname, self.sex(0.55), self.people.age(35, 80), "户主")
        sibling = self.people.person(surname, self.sex(0.5), head.age + self.rng.randint(-8, 8), "兄弟姐妹")
        if self.rng.random() < 0.6:
            sibling.tags.append(f"残疾:{self.rng.choice(('智力', '精神', '肢体'))}{self.rng.choice(GRADES[:3])}")
        return [head, sibling]

    def with_other(self, surname: str) -> list[Member]:
        """A family with a relative outside the listed relations (a nephew, a cousin)."""
        family = self.nuclear(surname)
        other = self.people.person(self.people.surname(), self.sex(0.5), self.people.age(16, 80), "其他")
        return [*family, other]

    # --- tags ---------------------------------------------------------------
    def tag(self, members: list[Member], *, alone: bool) -> None:
        for m in members:
            self.tag_health(m)
        if alone:
            members[0].tags.append("独居老人")
        status = self.assistance(members)
        for m in members if status else []:
            m.tags.append(status)
            if m.age < 18 and not {"孤儿", "事实无人抚养儿童"} & set(m.tags) and self.rng.random() < 0.12:
                m.tags.append("困境儿童")  # a poor family's child the 儿童主任 follows up

    def tag_health(self, m: Member) -> None:
        rate = 0.015 if m.age < 18 else 0.032 if m.age < 45 else 0.06 if m.age < 60 else 0.11 if m.age < 80 else 0.19
        if not any(t.startswith("残疾") for t in m.tags) and self.rng.random() < rate:
            m.tags.append(f"残疾:{self.rng.choice(DISABILITY_CATEGORIES)}{self.rng.choice(GRADES)}")
        if m.age >= 65 and self.rng.random() < (0.06 if m.age < 80 else 0.22):
            m.tags.append("失能:" + self.rng.choices(("轻度", "中度", "重度", "完全"), (6, 3, 2, 1))[0])

    def assistance(self, members: list[Member]) -> str:
        """The 户's assistance status: need (severe disability or 失能) raises the odds."""
        need = any(t.endswith(SEVERE) for m in members for t in m.tags)
        alone = len(members) == 1 and (members[0].age >= 60 or need)
        if alone and self.rng.random() < (0.05 if not need else 0.15):
            return "特困人员"  # no one obliged to support them (分散供养)
        roll = self.rng.random()
        dibao = 0.07 if need else 0.026
        return "低保对象" if roll < dibao else "低保边缘" if roll < dibao + 0.01 else ""
