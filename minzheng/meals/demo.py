"""老年助餐: what the demo county gets (called by minzheng.demo.build after residents and feeds).

The subsidy parameters, one 老年食堂 in the demo 村 run by the demo 服务商 account, lunch and dinner
menus for the week of the demo date, and orders from the village's elders (60+): meals of past
days handed out (堂食 or 送餐), the rest waiting; a draft settlement of the month.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.registry.models import Person

LUNCHES = ["红烧肉、炒青菜、米饭", "清蒸鱼、番茄炒蛋、米饭", "土豆烧鸡、冬瓜汤、米饭", "肉末豆腐、炒菠菜、米饭",
           "咸菜黄鱼、蒸蛋、米饭", "红烧排骨、青菜、米饭", "鸡汤馄饨、小菜"]  # fmt: skip
DINNERS = ["青菜肉丝面", "小米粥、包子", "鸡蛋面", "南瓜粥、馒头", "菜泡饭", "馄饨", "白粥、小菜"]
ELDERS = 15


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    from minzheng.meals import services
    from minzheng.meals.selectors import week_of
    from minzheng.meals.testing import load_params

    step("老年助餐：助餐点、一周菜单与订餐")
    load_params()
    village = next(a.jurisdiction for a in built.accounts if a.username == "cun")
    officer = User.objects.get(username="zhen")
    canteen = services.canteen_create(
        actor=officer, name="居家养老服务中心老年食堂", division_code=village.ljust(12, "0"), address="村委会旁"
    )
    canteen.staff.add(User.objects.get(username="fuwu"))
    days = week_of(built.as_of)
    menus = []
    for k, day in enumerate(days):
        menus.append(
            services.menu_publish(
                actor=None, canteen=canteen, date=day, meal="lunch", dishes=LUNCHES[k], price_fen=1200
            )
        )
        menus.append(
            services.menu_publish(
                actor=None, canteen=canteen, date=day, meal="dinner", dishes=DINNERS[k], price_fen=800
            )
        )
    born_before = built.as_of.replace(year=built.as_of.year - 60)
    elders = list(
        Person.objects.filter(division_code__startswith=village, birth_date__lte=born_before).order_by("pk")[:ELDERS]
    )
    _orders(services, menus, elders, built.as_of)
    services.settlement_build(actor=officer, canteen=canteen, month=built.as_of, now=timezone.now())


def _orders(services: Any, menus: list[Any], elders: list[Person], today: dt.date) -> None:
    rnd = random.Random(2026)  # noqa: S311 - reproducible demo data
    worker = User.objects.get(username="cun")
    for menu in menus:
        for person in elders:
            if rnd.random() > (0.7 if menu.meal == "lunch" else 0.3):
                continue
            mode = "delivery" if rnd.random() < 0.3 else "dine_in"
            at = timezone.make_aware(dt.datetime.combine(menu.date, dt.time(8, 30)))
            order = services.order_place(actor=worker, menu=menu, person=person, mode=mode, now=at)
            if menu.date < today:
                services.order_hand_over(actor=None, order=order, now=at + dt.timedelta(hours=4))
