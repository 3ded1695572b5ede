"""政策目录与资格判定: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from minzheng.rules.models import Parameter, ParameterChange
from minzheng.rules.params_db import DbParamSource, OverlayParamSource, ParamValue, region_chain, resolve


def param_resolve(key: str, region_code: str, as_of: dt.date) -> ParamValue | None:
    """The value of `key` in force on `as_of` for `region_code` (village → … → national), or None.

    Parameters are public law, not personal data: no jurisdiction applies to reading them.
    """
    return resolve(key, region_code, as_of)


def param_source() -> DbParamSource:
    """A fresh ParamSource over the database for one evaluation (caches each key it reads)."""
    return DbParamSource()


def param_overlay(*, key: str, region_code: str, from_date: dt.date, scale: Any) -> OverlayParamSource:
    return OverlayParamSource(DbParamSource(), key=key, region_code=region_code, from_date=from_date, scale=scale)


def param_rows(*, key: str = "", region_code: str = "") -> list[Parameter]:
    """The admin page's table: every dated value, optionally of one key and of one region's chain."""
    rows = Parameter.objects.select_related("recorded_by", "approved_by").order_by(
        "key", "region_code", "-effective_from"
    )
    if key:
        rows = rows.filter(key=key)
    if region_code:
        rows = rows.filter(region_code__in=region_chain(region_code))
    return list(rows)


def param_keys() -> list[tuple[str, str, str]]:
    """(key, description, unit) of every key with a value, for pickers and the help table."""
    seen: dict[str, tuple[str, str, str]] = {}
    for key, description, unit in Parameter.objects.order_by("key", "-effective_from").values_list(
        "key", "description", "unit"
    ):
        seen.setdefault(key, (key, description, unit))
    return list(seen.values())


def param_changes(*, status: str = "") -> list[ParameterChange]:
    rows = ParameterChange.objects.select_related("proposed_by", "decided_by")
    if status:
        rows = rows.filter(status=status)
    return list(rows[:200])


def param_records(*, key: str = "") -> list[Any]:
    """Every value as ParamRecord, for export."""
    from minzheng.rules.paramfile import ParamRecord

    return [
        ParamRecord(
            key=r.key,
            region_code=r.region_code,
            effective_from=r.effective_from,
            value=r.value,
            value_type=r.value_type,
            unit=r.unit,
            description=r.description,
            reference=r.reference,
        )
        for r in param_rows(key=key)
    ]


# ---------------------------------------------------------------- eligibility runs and worklists


def runs_visible_to(user: Any) -> Any:
    """Finished or running batch runs over the user's area or part of it (newest first)."""
    from django.db.models import Q

    from minzheng.rules.models import EligibilityRun

    within = Q(region_code__startswith=user.jurisdiction) if user.jurisdiction else Q()
    return EligibilityRun.objects.filter(Q(region_code__in=region_chain(user.jurisdiction)) | within)


def latest_run(*, user: Any) -> Any:
    """The newest finished run whose decisions cover the user's area (or, failing that, part of it)."""
    from minzheng.rules.models import EligibilityRun

    done = runs_visible_to(user).filter(status=EligibilityRun.Status.DONE).order_by("-finished_at", "-id")
    covering = done.filter(region_code__in=region_chain(user.jurisdiction)).first()
    return covering or done.first()


def worklist_items(*, user: Any, kind: str = "", policy_id: str = "", status: str = "", division: str = "") -> Any:
    """The worklist: the findings' 待办 inside the user's jurisdiction (open ones are the latest run's)."""
    from minzheng.rules.items import SOURCE
    from minzheng.workitems.selectors import of_source

    items = of_source(user, SOURCE, kind=kind, status=status, division=division)
    if policy_id:
        items = items.filter(data__policy_id=policy_id)
    # The index's own order (source, status, division_code, kind, then the row id): the first page of a
    # county's 100,000 open findings is read off the index, not sorted (1,000 → 15 ms on SQLite).
    return items.select_related("resolved_by").order_by("division_code", "kind", "id")


def open_counts(*, user: Any) -> dict[str, int]:
    """Open findings per kind in the user's jurisdiction, in one index-only pass."""
    from django.db.models import Count

    from minzheng.workitems.models import WorkItem

    items = worklist_items(user=user, status=WorkItem.Status.OPEN).order_by()
    return dict(items.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))


@dataclass
class WorklistRow:
    """What the worklist shows of one 待办: masked identity number, never the whole."""

    item: Any
    kind_label: str
    policy_name: str
    household_id: int
    household_no: str
    division_code: str
    person_name: str
    id_number_masked: str
    amount_fen: int
    reason: str
    status_label: str
    handled: str
    actions: list[Any] = field(default_factory=list)  # the one-click ways to settle it open to this user

    @classmethod
    def page(cls, items: list[Any], user: Any = None) -> list[WorklistRow]:
        """Rows for one page of items, the persons read in one query."""
        from minzheng.registry.models import Person
        from minzheng.workitems.services import actions_for

        ids = [i.data.get("person_id") for i in items if i.data.get("person_id")]
        persons = Person.objects.in_bulk(ids)
        rows = [cls.of(i, persons.get(i.data.get("person_id"))) for i in items]
        for row in rows:
            row.actions = actions_for(row.item, user) if user is not None else []
        return rows

    @classmethod
    def of(cls, item: Any, person: Any) -> WorklistRow:
        from minzheng.core.masking import mask_id_number
        from minzheng.rules.models import WorklistItem

        data = item.data
        head = "（户主）" if data.get("entity") == "household" else ""
        settled = item.status != "open"
        return cls(
            item=item,
            kind_label=dict(WorklistItem.Kind.choices).get(item.kind, item.kind),
            policy_name=data.get("policy_name", ""),
            household_id=int(item.subject_id),
            household_no=data.get("household_no", ""),
            division_code=item.division_code,
            person_name=(person.name + head) if person else "（全户）",
            id_number_masked=mask_id_number(person.id_number) if person else "",
            amount_fen=int(data.get("amount_fen") or 0),
            reason=data.get("reason", ""),
            status_label=item.get_status_display(),
            handled=f"{item.resolved_by or ''} {item.resolution}".strip() if settled else "",
        )

    @property
    def amount_text(self) -> str:
        from minzheng.rules.eligibility import fen_text

        return fen_text(self.amount_fen)


def run_summary(*, user: Any, run: Any) -> list[Any]:
    """Per-county, per-policy summary rows of the run for county-level users and above.

    The summary is a county aggregate: town and village staff see their own worklist counts instead.
    """
    from minzheng.rules.models import EligibilitySummary

    if run is None or len(user.jurisdiction) > 6:
        return []
    rows = EligibilitySummary.objects.filter(run=run)
    if len(user.jurisdiction) == 6:
        rows = rows.filter(county_code=user.jurisdiction)
    return list(rows.order_by("county_code", "policy_id"))


def key_choices() -> list[tuple[str, str]]:
    """Every parameter key with a Chinese label, for pickers: "最低生活保障标准（dibao.standard）".

    The label is the canonical description, else the policy catalogue's name for the key, else the
    description stored with its values; keys no policy reads but that have values are listed too.
    """
    from minzheng.rules.eligibility import catalogue
    from minzheng.rules.keys import CANONICAL_KEYS

    labels: dict[str, str] = {key: description for key, description, _ in CANONICAL_KEYS}
    for node in catalogue().nodes.values():
        if node.kind == "param":
            labels.setdefault(node.key, node.label)
    for key, description, _ in param_keys():
        labels.setdefault(key, description or key)
    return sorted(((k, f"{v}（{k}）") for k, v in labels.items()), key=lambda kv: kv[1])


def policy_choices() -> list[tuple[str, str]]:
    """(policy id, Chinese name) of the policies a worklist can hold (those whose enrolment is recorded)."""
    from minzheng.rules.eligibility import catalogue
    from minzheng.rules.inputs_db import TAG_POLICIES

    policies = catalogue().policies
    return [(pid, policies[pid].name) for pid in sorted(set(TAG_POLICIES.values())) if pid in policies]


def run_figures(*, user: Any, run: Any) -> dict[str, Any]:
    """A run's figures as this user may see them: the whole run when it lies inside the user's area,
    else only the part inside the user's jurisdiction (households and persons now registered there,
    worklist items there). Never where the run's files are on the server.
    """
    from minzheng.core.jurisdiction import prefix_q
    from minzheng.registry.models import Household, Person
    from minzheng.rules.models import WorklistItem

    whole = run.region_code.startswith(user.jurisdiction or "")
    items = WorklistItem.objects.filter(run=run)
    if whole:
        households, persons, decisions = run.households, run.persons, run.decisions
    else:
        scope = prefix_q("division_id", user.jurisdiction) & prefix_q("division_id", run.region_code)
        households = Household.objects.filter(scope).count()
        persons = Person.objects.filter(
            prefix_q("division_code", user.jurisdiction) & prefix_q("division_code", run.region_code)
        ).count()
        decisions = None  # the decision tables are per county; their count is not split by town
        items = items.filter(prefix_q("division_code", user.jurisdiction))
    return {
        "whole": whole,
        "scope": run.region_code if whole else user.jurisdiction,
        "households": households,
        "persons": persons,
        "decisions": decisions,
        "missing": items.filter(kind=WorklistItem.Kind.MISSING).count(),
        "undue": items.filter(kind=WorklistItem.Kind.UNDUE).count(),
    }
