"""居家养老: what the demo county gets (called by minzheng.demo.build after residents and feeds).

The entitlement parameters and the catalogue; a provider per town of the demo 乡镇 account's
county (the `fuwu` account works for the demo town's), four caregivers each (`huli` is one of the
demo town's); the demo town's oldest residents (60+) enrolled and assessed; and a week of orders in every
state: settled last week, followed up, checked out, missed, cancelled, in service and accepted
today, placed for tomorrow, with one overlap on the supervision worklist and a draft statement.
Seeded: the same build gives the same data. Coordinates are synthetic (the registry has none).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.eldercare import orders, services
from minzheng.eldercare.assessment import standard
from minzheng.eldercare.entitlements import entitlement
from minzheng.eldercare.models import Caregiver, Elder, ElderStatus, Order, Provider
from minzheng.registry.models import Person, PersonTag

CENTRE = (29.80, 121.55)  # 鄞州区, roughly; the demo county may be any, the geometry only needs to be consistent
ELDERS_PER_TOWN = 40
MIN_AGE = 60  # the oldest first, up to ELDERS_PER_TOWN
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)
STATUS_OF_TAG = {
    PersonTag.Kind.TEKUN: ElderStatus.TEKUN,
    PersonTag.Kind.DIBAO: ElderStatus.DIBAO,
    PersonTag.Kind.DIBAO_EDGE: ElderStatus.DIBAO_EDGE,
}
CAREGIVER_NAMES = ["胡护理", "钱秀兰", "孙建芬", "李美娟", "周桂香", "吴红梅", "郑小燕", "王丽萍"]


def _offset(code: str, span: float) -> tuple[float, float]:
    digest = hashlib.sha256(code.encode()).digest()
    return (digest[0] / 255 - 0.5) * span, (digest[1] / 255 - 0.5) * span


def place_of(division_code: str) -> tuple[float, float]:
    """A village's synthetic centre: its town's centre (±0.12°) plus up to ±0.01° (about 1 km)."""
    town = division_code[:9]
    t = _offset(town, 0.24)
    v = _offset(division_code, 0.02)
    return round(CENTRE[0] + t[0] + v[0], 6), round(CENTRE[1] + t[1] + v[1], 6)


def _photo(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png")


def _providers(county: str, demo_town: str, rnd: random.Random) -> dict[str, Provider]:
    towns = Division.objects.filter(level=codes.TOWN, code__startswith=county).order_by("code")[:3]
    out = {}
    for k, town in enumerate(towns):
        prefix = codes.significant(town.code)
        provider = services.provider_create(
            actor=None,
            name=f"{town.name}颐康居家养老服务中心",
            division_code=prefix,
            service_area=[prefix],
            phone=f"0574-8{rnd.randrange(1000000, 9999999)}",
        )
        lat, lng = place_of(town.code[:9] + "000")
        for j in range(4):
            name = CAREGIVER_NAMES[(k * 4 + j) % len(CAREGIVER_NAMES)] + ("" if k == 0 else str(k))
            services.caregiver_create(
                actor=None,
                provider=provider,
                name=name,
                home_lat=lat + (j - 1.5) * 0.004,
                home_lng=lng,
                qualifications=["care_worker", "nurse"] if j == 3 else ["care_worker"],
                division_code=prefix,
                work_start=dt.time(7, 30),
                work_end=dt.time(18, 0),
                work_days=[0, 1, 2, 3, 4, 5],
                phone=f"139{rnd.randrange(10000000, 99999999)}",
            )
        out[prefix] = provider
    return out


def _enrol(town: str, rnd: random.Random, today: dt.date) -> list[Elder]:
    born_before = today.replace(year=today.year - MIN_AGE)
    people = (
        Person.objects.filter(division_code__startswith=town, birth_date__lte=born_before)
        .select_related("household")
        .prefetch_related("tags", "household__members")
        .order_by("birth_date")[:ELDERS_PER_TOWN]
    )
    elders = []
    for person in people:
        kinds = {t.kind for t in person.tags.all()}
        status = next((s for kind, s in STATUS_OF_TAG.items() if kind in kinds), ElderStatus.OTHER)
        family = [m for m in person.household.members.all() if m.pk != person.pk and m.phone][:2]
        contacts = [{"name": m.name, "relation": m.get_relation_display(), "phone": m.phone} for m in family]
        lat, lng = place_of(person.division_code)
        elders.append(
            services.elder_enrol(
                actor=None,
                person=person,
                status=status,
                phone=person.phone or (family[0].phone if family else ""),
                address=person.household.grid_address,
                lat=round(lat + rnd.uniform(-0.004, 0.004), 6),
                lng=round(lng + rnd.uniform(-0.004, 0.004), 6),
                emergency_contacts=contacts,
            )
        )
    return elders


def _assess(elders: list[Elder], assessor: Any, rnd: random.Random, today: dt.date) -> None:
    maxima = standard().maxima
    for k, elder in enumerate(elders):
        loss = rnd.choice([0.05, 0.25, 0.45, 0.6, 0.75])  # share of points lost, for a spread of levels
        items = {name: max(0, top - round(top * loss * rnd.uniform(0.6, 1.4))) for name, top in maxima.items()}
        # Every tenth was assessed over a year ago: due for re-assessment.
        days_ago = 380 + k if k % 10 == 9 else rnd.randrange(10, 300)
        services.assessment_record(
            actor=assessor,
            elder=elder,
            items=items,
            assessed_on=today - dt.timedelta(days=days_ago),
            assessor_name=getattr(assessor, "display_name", "") or "评估员",
            diagnoses=["F03"] if k % 7 == 3 else [],
            risk_events={"跌倒": 2} if k % 9 == 4 else {},
        )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _visit(order: Order, caregiver: Caregiver, worker: Any, operator: Any, upto: str) -> None:
    """Drive one order to state `upto` with phone times at its window (as if recorded then)."""
    orders.order_dispatch(actor=operator, order=order, caregiver=caregiver)
    if upto == "dispatched":
        return
    if upto == "missed":
        orders.order_miss(actor=worker, order=order, reason="老人不在家，电话联系家属未接")
        return
    orders.order_accept(actor=worker, order=order)
    if upto == "accepted":
        return
    elder, start = order.elder, order.window_start
    now = timezone.now()
    orders.order_check_in(actor=worker, order=order, lat=elder.lat, lng=elder.lng, client_at=min(start, now))
    orders.order_photo_add(actor=worker, order=order, kind="before", upload=_photo("before"))
    orders.order_start(actor=worker, order=order, client_at=min(start + dt.timedelta(minutes=2), now))
    if upto == "in_service":
        return
    orders.order_photo_add(actor=worker, order=order, kind="after", upload=_photo("after"))
    orders.order_check_out(
        actor=worker,
        order=order,
        lat=elder.lat,
        lng=elder.lng,
        done_line_ids=list(order.lines.values_list("pk", flat=True)),
        confirmed_by=elder.person.name,
        client_at=min(start + dt.timedelta(minutes=order.minutes), now),
    )
    if upto == "followed_up":
        orders.order_follow_up(actor=operator, order=order, result="老人表示满意", satisfaction=5)


def _week(elders: list[Elder], provider: Provider, users: dict[str, Any], today: dt.date, rnd: random.Random) -> None:
    caregivers = list(provider.caregivers.order_by("pk"))
    entitled = [e for e in elders if not entitlement(e, today).problem and entitlement(e, today).hours >= 10]
    if not entitled or not caregivers:
        return
    operator, worker = users["rexian"], users.get("huli")
    menus = [["SC01"], ["SC02", "SC03"], ["ER01"], ["VC01", "MC01"], ["SC05"], ["HM01", "HM03"]]
    plan = []  # (day offset, hour, state)
    for back in range(5, 0, -1):
        plan += [(-back, 9, "followed_up"), (-back, 14, "followed_up" if back > 1 else "checked_out")]
    plan += [
        (-2, 10, "missed"),
        (-1, 16, "cancelled"),
        (0, 9, "in_service"),
        (0, 14, "accepted"),
        (0, 16, "dispatched"),
    ]
    plan += [(1, 9, "placed"), (1, 10, "placed")]
    for k, (offset, hour, state) in enumerate(plan):
        elder = entitled[k % len(entitled)]
        day = today + dt.timedelta(days=offset)
        order = orders.order_place(
            actor=operator,
            elder=elder,
            item_codes=menus[k % len(menus)],
            window_start=_at(day, hour),
            channel="hotline",
        )
        caregiver = caregivers[k % 2]  # the demo caregiver (first) and a colleague
        if state == "placed":
            continue
        if state == "cancelled":
            orders.order_cancel(actor=operator, order=order, reason="家属已自行照料")
            continue
        _visit(order, caregiver, worker, operator, state)
    # One caregiver "at two homes at once": the overlap goes to the supervision worklist.
    a, b = entitled[0], entitled[-1]
    first = orders.order_place(
        actor=operator,
        elder=a,
        item_codes=["SC01"],
        window_start=_at(today - dt.timedelta(days=3), 11),
        channel="hotline",
    )
    second = orders.order_place(
        actor=operator,
        elder=b,
        item_codes=["SC01"],
        window_start=_at(today - dt.timedelta(days=3), 11, 30),
        channel="village",
    )
    _visit(first, caregivers[1], worker, operator, "checked_out")
    _visit(second, caregivers[1], worker, operator, "checked_out")


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("居家养老：服务商、护理员、能力评估与一周订单")
    rnd = random.Random(42)  # noqa: S311 - seeded demo data, not secrets
    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in built.accounts])}
    if "zhen" not in users or "xian" not in users:
        return
    county, town = users["xian"].jurisdiction, users["zhen"].jurisdiction
    services.params_load(actor=None)
    services.catalogue_load(actor=None)
    providers = _providers(county, town, rnd)
    provider = providers.get(town) or next(iter(providers.values()), None)
    if provider is None:
        return
    if "fuwu" in users:
        provider.staff.add(users["fuwu"])
    if "huli" in users:
        first = provider.caregivers.order_by("pk").first()
        first.user = users["huli"]
        first.save(update_fields=["user"])
    elders = _enrol(town, rnd, today)
    _assess(elders, users.get("cun") or users["zhen"], rnd, today)
    for elder in elders:
        elder.refresh_from_db()
    _week(elders, provider, users, today, rnd)
    months = {(today - dt.timedelta(days=d)).replace(day=1) for d in (0, 5)}
    for month in sorted(months):
        services.statement_build(actor=None, provider=provider, month=month)
