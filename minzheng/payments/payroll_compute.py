"""Computing a payroll run's lines: chunked, leased, resumable, guarded by the database.

The run row is claimed through its unique constraint (programme, month, region, seq); whoever
inserts it holds a lease (`lease_until`) renewed after each chunk by compare-and-set on the lease's
own value, so a second process never works on a run the first still holds, and a run whose holder
was killed (lease expired) is taken over by the next call. Lines are inserted per chunk of
entitlements (pk order, one short transaction each, never one spanning a county) with
`ignore_conflicts`: the partial unique index on (entitlement, period) over live lines is the last
word, so a resumed or raced run can never pay a month twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, FilteredRelation, Max, Min, OuterRef, Q, QuerySet, Subquery, Sum, When
from django.db.models.functions import Lower
from django.utils import timezone

from minzheng.core.dates import add_months, months_between
from minzheng.payments.models import BankAccount, Entitlement, PayrollLine, PayrollRun, Status

LEASE = dt.timedelta(seconds=120)
CHUNK = 10_000  # a window of entitlement primary keys per transaction
ARREARS_MONTHS = 12  # arrears reach back at most this many months before the run's month
LIVE_LINES = ("pending", "issued", "paid")
# A failed line is re-issued only by a supplementary run, never by a later month's arrears.
COUNTED_LINES = (*LIVE_LINES, "failed")

FIELDS = (
    "pk",
    "division_code",
    "members",
    "amount_fen",
    "version",
    "from_month",
    "status",
    "suspended_from",
    "to_month",
    "payee__name",
    "payee__id_number",
    "pay_bank_code",
    "pay_bank_name",
    "pay_account_no",
    "pay_account_name",
)
ACCOUNT_FIELDS = ("bank_code", "bank_name", "account_no", "account_name")


def live_q(month: dt.date) -> Q:
    """Entitlements paid for `month`: started, and not suspended from/before it nor ended before it."""
    return Q(from_month__lte=month) & (
        Q(status=Status.ACTIVE)
        | Q(status=Status.SUSPENDED, suspended_from__gt=month)
        | Q(status=Status.ENDED, to_month__gte=month)
    )


def live_in(status: str, from_month: dt.date, suspended_from: Any, to_month: Any, period: dt.date) -> bool:
    if period < from_month:
        return False
    if status == Status.SUSPENDED:
        return suspended_from is not None and suspended_from > period
    if status == Status.ENDED:
        return to_month is not None and to_month >= period
    return True


def window_start(run: PayrollRun) -> dt.date:
    """The first month arrears may be paid for: 12 months back, and never before this programme's
    first regular run in this region (months before that were paid outside the platform)."""
    first = PayrollRun.objects.filter(
        programme=run.programme, region=run.region, seq=0, month__lte=run.month
    ).aggregate(m=Min("month"))["m"]
    return max(first or run.month, add_months(run.month, -ARREARS_MONTHS))


def _paid_into() -> dict[str, Any]:
    """The account each entitlement is paid into: the payee's own active account, or, when the
    entitlement names a payee unit (集中供养 → the institution), that unit's active account."""
    out: dict[str, Any] = {}
    for name in ACCOUNT_FIELDS:
        unit = BankAccount.objects.filter(unit=OuterRef("payee_unit"), active=True).exclude(unit="")
        out[f"pay_{name}"] = Case(
            When(payee_unit="", then=F(f"acct__{name}")),
            default=Subquery(unit.values(name)[:1]),
        )
    return out


def candidates(run: PayrollRun, since: dt.date) -> QuerySet[Entitlement]:
    """Entitlements live in some month of [since, run.month] in the run's region (a superset; rows are
    checked month by month), with the account they are paid into (the payee's active one, LEFT JOIN,
    or the payee unit's: none → NULLs)."""
    may_owe = Q(status=Status.ACTIVE) | Q(status=Status.SUSPENDED, suspended_from__gt=since)
    may_owe |= Q(status=Status.ENDED, to_month__gte=since)
    # Lower(programme): the programme is matched without its index, so each chunk is read by primary-key
    # range; SQLite otherwise walks the whole programme through (programme, status, division) per chunk.
    return (
        Entitlement.objects.alias(prog=Lower("programme"))
        .filter(prog=run.programme, division_code__startswith=run.region)
        .filter(Q(from_month__lte=run.month) & may_owe)
        .annotate(acct=FilteredRelation("payee__bank_accounts", condition=Q(payee__bank_accounts__active=True)))
        .annotate(**_paid_into())
    )


def take_lease(run: PayrollRun) -> dt.datetime | None:
    """The lease's new value when this caller now holds the run, None when someone else does."""
    now = timezone.now()
    until = now + LEASE
    free = Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    took = PayrollRun.objects.filter(free, pk=run.pk, status=PayrollRun.State.COMPUTING).update(lease_until=until)
    return until if took == 1 else None


def renew_lease(run: PayrollRun, held: dt.datetime) -> dt.datetime | None:
    until = timezone.now() + LEASE
    kept = PayrollRun.objects.filter(pk=run.pk, lease_until=held, status=PayrollRun.State.COMPUTING).update(
        lease_until=until
    )
    return until if kept == 1 else None


def compute_lines(run: PayrollRun, held: dt.datetime) -> dt.datetime | None:
    """Insert every missing line, chunk by chunk; the lease value still held, or None when lost."""
    since = window_start(run)
    base = candidates(run, since)
    bounds = base.aggregate(lo=Min("pk"), hi=Max("pk"))
    if bounds["lo"] is None:
        return held
    # Windows of primary keys, not "the next CHUNK after pk": SQLite answered that with the
    # (programme, status, division) index and a sort per chunk, quadratic in the programme's size.
    for lo in range(bounds["lo"], bounds["hi"] + 1, CHUNK):
        rows = list(base.filter(pk__gte=lo, pk__lt=lo + CHUNK).order_by("pk").values_list(*FIELDS))
        if not rows:
            continue
        with transaction.atomic():
            _insert(list(_lines_for(run, rows, since)))
            renewed = renew_lease(run, held)
            if renewed is None:  # taken over after our lease ran out: the other process finishes
                transaction.set_rollback(True)
                return None
            held = renewed
    return held


LINE_COLUMNS = (
    "run_id",
    "entitlement_id",
    "entitlement_version",
    "period",
    "division_code",
    "payee_name",
    "payee_id_number",
    "bank_code",
    "bank_name",
    "account_no",
    "account_name",
    "members",
    "amount_fen",
    "status",
    "bank_serial",
    "fail_reason",
)


def _insert(lines: list[tuple[Any, ...]]) -> None:
    """executemany with ON CONFLICT DO NOTHING (SQLite ≥ 3.24, PostgreSQL): bulk_create's 999-parameter
    batches on SQLite cost 4× more; the partial unique index still decides, row by row."""
    if not lines:
        return
    table = PayrollLine._meta.db_table
    marks = ", ".join(["%s"] * len(LINE_COLUMNS))
    # Only our own table and column names are interpolated; every value is a parameter.
    sql = f"INSERT INTO {table} ({', '.join(LINE_COLUMNS)}) VALUES ({marks}) ON CONFLICT DO NOTHING"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, lines)


def _lines_for(run: PayrollRun, rows: list[tuple[Any, ...]], since: dt.date) -> Iterator[tuple[Any, ...]]:
    existing = set(
        PayrollLine.objects.filter(
            entitlement_id__gte=rows[0][0],
            entitlement_id__lte=rows[-1][0],
            period__gte=since,
            period__lte=run.month,
            status__in=COUNTED_LINES,
        ).values_list("entitlement_id", "period")
    )
    for pk, division, members, amount, version, start, status, susp, to, name, idno, bcode, bname, acct, aname in rows:
        if acct is None or amount <= 0:
            continue  # 无发放账户: listed by without_account(), paid as arrears once an account is set
        for period in months_between(max(start, since), run.month):
            if (pk, period) in existing or not live_in(status, start, susp, to, period):
                continue
            day = connection.ops.adapt_datefield_value(period)
            snapshot = (division, name, idno, bcode, bname, acct, aname, members, amount)
            yield (run.pk, pk, version, day, *snapshot, "pending", "", "")


def without_account(run: PayrollRun) -> QuerySet[Entitlement]:
    """Entitlements live in the run's month with no line for it because the payee has no active account."""
    has_account = BankAccount.objects.filter(active=True, holder__isnull=False).values("holder_id")
    unit_accounts = BankAccount.objects.filter(active=True).exclude(unit="").values("unit")
    has_line = PayrollLine.objects.filter(period=run.month, status__in=COUNTED_LINES).values("entitlement_id")
    own_ok = Q(payee_unit="", payee_id__in=has_account)
    unit_ok = ~Q(payee_unit="") & Q(payee_unit__in=unit_accounts)
    return (
        Entitlement.objects.filter(live_q(run.month), programme=run.programme, division_code__startswith=run.region)
        .exclude(own_ok | unit_ok)
        .exclude(pk__in=has_line)
    )


def totals(run: PayrollRun) -> dict[str, Any]:
    """Control totals from the lines themselves (a resumed run counts what is there, not a counter).

    beneficiaries = distinct entitlements (households for per-household programmes, persons
    otherwise): a household paid this month and one month of arrears is one beneficiary, two lines."""
    agg = PayrollLine.objects.filter(run=run).exclude(status="cancelled")
    distinct = Count("entitlement_id", distinct=True)
    out = agg.aggregate(lines=Count("id"), beneficiaries=distinct, total=Sum("amount_fen"))
    out["total"] = out["total"] or 0
    out["inputs_hash"] = inputs_hash(run)
    return out


def inputs_hash(run: PayrollRun) -> str:
    """sha256 over every snapshot field of every line, in (entitlement, period) order, streamed."""
    digest = hashlib.sha256()
    fields = (
        "entitlement_id",
        "period",
        "entitlement_version",
        "amount_fen",
        "members",
        "division_code",
        "payee_id_number",
        "payee_name",
        "bank_code",
        "account_no",
        "account_name",
        "reissue_of_id",
    )
    rows = PayrollLine.objects.filter(run=run).exclude(status="cancelled").order_by("entitlement_id", "period")
    for row in rows.values_list(*fields).iterator(chunk_size=CHUNK):
        digest.update("\x1f".join(map(str, row)).encode() + b"\n")
    return digest.hexdigest()
