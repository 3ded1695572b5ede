"""Dashboard figures of the registry: residents by age band, households, residents by tag (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Case, CharField, Count, Value, When

from minzheng.core.figures import Figure

# Bands as the 民政 yearbooks count them: children, working age, and the elderly by decade (60+).
AGE_BANDS = (("0-17", 18), ("18-59", 60), ("60-69", 70), ("70-79", 80), ("80+", None))


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _band(as_of: dt.date) -> Case:
    """A person's age band on `as_of`, computed by the database: born after as_of − N years is younger than N."""
    whens = [When(birth_date__gt=_years_before(as_of, upper), then=Value(b)) for b, upper in AGE_BANDS if upper]
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def persons_by_age(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.registry.models import Person

    rows = Person.objects.annotate(band=_band(as_of)).values_list("division_code", "band").annotate(n=Count("id"))
    yield from rows.order_by()


def households(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.registry.models import Household

    for code, n in Household.objects.values_list("division_id").annotate(n=Count("id")).order_by():
        yield code, "", n


def persons_by_tag(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.registry.models import PersonTag

    yield from PersonTag.objects.values_list("person__division_code", "kind").annotate(n=Count("id")).order_by()


def _tag_labels() -> dict[str, str]:
    from minzheng.registry.models import PersonTag

    return {k.value: str(k.label) for k in PersonTag.Kind}


FIGURES = [
    Figure("registry.persons", "居民（按年龄段）", "人口与家庭", "人", persons_by_age, link="/registry/?list=all",
           chart="bar", order=10),
    Figure("registry.households", "户", "人口与家庭", "户", households, link="/registry/?list=heads", order=20),
    Figure(
        "registry.tags",
        "重点人群（按标签）",
        "人口与家庭",
        "人",
        persons_by_tag,
        link="/registry/?list={bucket}",
        chart="bar",
        order=30,
        bucket_labels=_tag_labels,
    ),
]  # fmt: skip
