"""The 可享政策 panel's answer: the rendered fragment cached under the result's key (issue 16).

Twenty clients on one interpreter wait ≈ 20 × the CPU of a request, and a warm request spent
most of it outside the engine: rendering the template (the largest part), loading the household
through the ORM for the access check, unpickling the whole result. A warm request now does the
access check in one raw statement, takes the input fingerprint (`rules.cache`), reads the
rendered fragment and writes the audit row; nothing else.

The fragment is keyed by everything it depends on: the household, the as-of date and the
fingerprint of every input (the result's own key, so any input change re-renders), the active
language and the template's own digest. It is rendered *without* the request (no context
processors, no user, no CSRF token), so it holds nothing of the requesting user and may be served
to any user allowed to see the household: who may see it is decided per request, before the cache is read. The audit row
is written per request, with the policy names stored next to the fragment.
"""

# ruff: noqa: S608 - `_household_sql` builds SQL from the model's table and column names only, values are parameters

from __future__ import annotations

import datetime as dt
import hashlib
from functools import cache as once
from typing import Any

from django.db import connection
from django.http import Http404
from django.template.loader import get_template, render_to_string
from django.utils import translation

from minzheng.accounts.access import can_read_registry
from minzheng.rules import cache, services
from minzheng.rules.eligibility import fen_text, household_result

TEMPLATE = "rules/_household_panel.html"
FIELDS = ("id", "household_no", "division_id")  # what the panel reads of the household (the rest deferred)


@once
def _household_sql() -> tuple[str, str]:
    """`registry.access.access_household`'s query as raw SQL (without and with the jurisdiction bound)."""
    from minzheng.registry.models import Household

    q = connection.ops.quote_name
    cols = ", ".join(q(f.column) for f in Household._meta.concrete_fields if f.attname in FIELDS)
    base = f"SELECT {cols} FROM {q(Household._meta.db_table)} WHERE {q('id')} = %s"
    division = q(Household._meta.get_field("division").column)
    return base, f"{base} AND {division} >= %s AND {division} < %s"


def visible_household(user: Any, household_id: int) -> Any:
    """The household if `user` may read it, else 404: `access_household`'s answer, without the ORM's cost.

    The same rule as `registry.access.households_visible_to`: registry read permission, and a
    division code inside the user's jurisdiction (`core.jurisdiction.prefix_q`'s range, so the
    same index). The ORM spent longer composing that query than SQLite answering it, on every
    request of the busiest page; the test suite holds the two answers equal for every role.
    The instance has the panel's columns loaded and the others deferred (read on access).
    """
    from minzheng.registry.models import Household

    if not can_read_registry(user):
        raise Http404("户不存在")
    plain, scoped = _household_sql()
    prefix = user.jurisdiction
    with connection.cursor() as cursor:
        if prefix:
            cursor.execute(scoped, [household_id, prefix, prefix + ":"])
        else:
            cursor.execute(plain, [household_id])
        row = cursor.fetchone()
    if row is None:
        raise Http404("户不存在")
    return Household.from_db(connection.alias, FIELDS, row)


def panel_html(*, actor: Any, household: Any, as_of: dt.date, client_ip: str = "") -> str:
    """The panel's fragment for the household on `as_of` (cached per inputs), its read audited each time.

    Raises the engine's ParamMissing / EvaluationError as `household_result` does (nothing cached then).
    """
    key = cache.household_key(household, as_of)
    language = translation.get_language() or ""
    fragment = cache.single_flight(
        f"rules:panel-html:{_template_digest()}:{language}:{key}", lambda: _fragment(household, as_of)
    )
    services.eligibility_viewed(
        actor=actor,
        household=household,
        as_of=as_of,
        eligible=fragment["eligible"],
        undecided=fragment["undecided"],
        client_ip=client_ip,
    )
    return str(fragment["html"])


@once
def _template_digest() -> str:
    """The template's source, so a changed template is never answered by a shared cache's old fragment."""
    source = get_template(TEMPLATE).template.source  # type: ignore[attr-defined]
    return hashlib.sha256(source.encode()).hexdigest()[:12]


def _fragment(household: Any, as_of: dt.date) -> dict[str, Any]:
    result = household_result(household, as_of)
    eligible, undecided = services.decision_names(result)
    html = render_to_string(TEMPLATE, panel_context(result, as_of))
    return {"html": html, "eligible": eligible, "undecided": undecided}


def panel_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Eligible first, then enrolled, then the rest; each with the amount as text."""
    rows = []
    for p in result["policies"]:
        if not p["applicable"]:  # counted in result["hidden"], not listed
            continue
        p = dict(p)
        p["amount_text"] = fen_text(p["amount_fen"])
        rows.append(p)
    order = {True: 0, None: 1, False: 2}
    return sorted(rows, key=lambda p: (order[p["eligible"]], not p["enrolled"], p["name"], p["person"] or ""))


def panel_context(result: dict[str, Any], as_of: dt.date) -> dict[str, Any]:
    rows = panel_rows(result)
    return {
        "result": result,
        "as_of": as_of,
        "eligible": [r for r in rows if r["eligible"] is True],
        "undecided": [r for r in rows if r["eligible"] is None],
        "others": [r for r in rows if r["eligible"] is False],
        "missing": [r for r in rows if r["eligible"] is True and not r["enrolled"]],
        "undue": [r for r in rows if r["enrolled"] and r["eligible"] is False],
        "hidden": result["hidden"],
    }
