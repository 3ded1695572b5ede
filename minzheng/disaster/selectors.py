"""Reads for the disaster pages: assessments summed by town and county, claims with masked names,
stock by item with expiry, distributions, and who has not answered a warning. Scoped by the caller."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum

from minzheng.core.jurisdiction import prefix_q
from minzheng.core.masking import mask_name, mask_phone
from minzheng.disaster.models import Assessment, Call, Distribution, Event, Lot, ReliefClaim, StockMovement, Warehouse
from minzheng.disaster.services import INDICATORS
from minzheng.divisions.models import Division

SUMMED = (*INDICATORS, "loss_fen")


def names(codes: set[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=[c.ljust(12, "0") for c in codes]).values_list("code", "name"))


def assessments(event: Event, prefix: str) -> QuerySet[Assessment]:
    return event.assessments.filter(prefix_q("division_code", prefix)).order_by("division_code")


def assessment_totals(event: Event, prefix: str) -> dict[str, Any]:
    """The event's figures summed over the caller's villages, and per town."""
    rows = list(assessments(event, prefix).values("division_code", *SUMMED))
    total = {k: sum(r[k] for r in rows) for k in SUMMED}
    towns: dict[str, dict[str, int]] = {}
    for r in rows:
        town = towns.setdefault(r["division_code"][:9], dict.fromkeys(SUMMED, 0) | {"villages": 0})
        town["villages"] += 1
        for k in SUMMED:
            town[k] += r[k]
    label = names({t.ljust(12, "0") for t in towns} | {r["division_code"] for r in rows})
    by_town = [{"code": t, "name": label.get(t.ljust(12, "0"), t), **v} for t, v in sorted(towns.items())]
    villages = [{**r, "name": label.get(r["division_code"], r["division_code"])} for r in rows]
    return {"total": total, "towns": by_town, "villages": villages, "reported": len(rows)}


def claim_rows(event: Event, prefix: str) -> list[dict[str, Any]]:
    from minzheng.cases.casetypes import case_type

    claims = (
        event.claims.filter(prefix_q("division_code", prefix))
        .select_related("case", "case__applicant", "household", "payment")
        .order_by("division_code", "pk")
    )
    rows = []
    for c in claims:
        payment = getattr(c, "payment", None)
        rows.append(
            {
                "claim": c,
                "case_no": c.case.case_no,
                "who": mask_name(c.case.applicant.name) if c.case.applicant else c.household.household_no,
                "household_no": c.household.household_no,
                "kind": c.get_kind_display(),
                "stage": case_type(c.case.case_type).machine.state_label(c.case.status),
                "decided_fen": c.case.decision_amount_fen,
                "paid_fen": payment.amount_fen if payment else None,
                "persons": c.transition_persons if c.kind == "transition" else c.winter_persons,
            }
        )
    return rows


def relief_totals(event: Event, prefix: str) -> dict[str, Any]:
    paid = event.payments.filter(prefix_q("division_code", prefix))
    agg = paid.aggregate(households=Count("pk"), fen=Sum("amount_fen"), persons=Sum("persons"))
    claims = event.claims.filter(prefix_q("division_code", prefix))
    return {
        "claims": claims.count(),
        "open": claims.exclude(case__status__in=("confirmed", "rejected", "withdrawn")).count(),
        "households": agg["households"] or 0,
        "persons": agg["persons"] or 0,
        "fen": agg["fen"] or 0,
    }


def stock_rows(warehouses: QuerySet[Warehouse], on: dt.date, warn_days: int) -> list[dict[str, Any]]:
    """Per warehouse and item: quantity usable, expired, expiring soon, the nearest expiry."""
    soon = on + dt.timedelta(days=warn_days)
    lots = Lot.objects.filter(warehouse__in=warehouses, quantity__gt=0).select_related("item", "warehouse")
    grouped = lots.values("warehouse__name", "warehouse_id", "item__name", "item__unit", "item_id").annotate(
        total=Sum("quantity"),
        expired=Sum("quantity", filter=Q(expires_on__lte=on)),
        expiring=Sum("quantity", filter=Q(expires_on__gt=on, expires_on__lte=soon)),
        nearest=Min("expires_on", filter=Q(expires_on__gt=on)),
    )
    return list(grouped.order_by("warehouse__name", "item__name"))


def lots_of(warehouse: Warehouse) -> QuerySet[Lot]:
    return warehouse.lots.select_related("item").order_by("item__name", "expires_on", "pk")


def movements(warehouses: QuerySet[Warehouse], limit: int = 50) -> QuerySet[StockMovement]:
    return (
        StockMovement.objects.filter(lot__warehouse__in=warehouses)
        .select_related("lot__item", "lot__warehouse", "actor", "distribution")
        .order_by("-at", "-pk")[:limit]
    )


def distribution_lines(dist: Distribution) -> list[dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for m in dist.movements.select_related("lot__item").order_by("pk"):
        row = out.setdefault(
            m.lot_id,
            {"lot": m.lot, "item": m.lot.item.name, "unit": m.lot.item.unit, "issued": 0, "returned": 0},
        )
        row["issued" if m.kind == "issue" else "returned"] += m.quantity
    return list(out.values())


def call_rows(calls: QuerySet[Call]) -> list[dict[str, Any]]:
    rows = []
    for c in calls.select_related("contact", "warning").order_by("division_code", "pk"):
        state = "已接通" if c.answered_at else ("未接通" if c.attempts else "未拨打")
        rows.append(
            {
                "call": c,
                "name": mask_name(c.contact.name),
                "phone": mask_phone(c.contact.phone),
                "role": c.contact.role,
                "state": state,
            }
        )
    return rows


def claims_in(prefix: str) -> QuerySet[ReliefClaim]:
    return ReliefClaim.objects.filter(prefix_q("division_code", prefix))
