"""基层治理: what the demo county gets (called by minzheng.demo.build), made through the real services by the
demo village worker (`cun`) and town officer (`zhen`), with dates in the past.

In the demo village: one topic at each of 提 / 汇 / 督 and one archived after its 公示; a 跨村 topic of the
town; a 阳光报告会 with four questions (销号, overdue on the 待办, answered and waiting for the asker, reopened);
信用+ rules adopted, points for a few households, the 信用超市 with a redemption, the 信用基金 paid out by
points (in the town's most populated village, by the town officer, when a small build leaves the demo
village with under three households); a mediation committee with one case waiting for its follow-up and
one closed; a 幸福社区 rating, 村务公开 items and the 无证明村 list. Idempotent (nothing is added when the
village has a topic). About a hundred writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.core.jurisdiction import prefix_q
from minzheng.governance import items
from minzheng.governance import services_community as community
from minzheng.governance import services_credit as credit
from minzheng.governance import services_mediation as mediation
from minzheng.governance import services_questions as ledger
from minzheng.governance import services_topics as topics
from minzheng.governance.models import CreditAccount, Topic
from minzheng.registry.models import Household

ROLL = [
    ("王书记", "committee", "for"), ("陈主任", "committee", "for"), ("刘监委", "supervision", "for"),
    ("周党员", "party", "for"), ("吴代表", "resident", "against"), ("郑代表", "resident", "for"),
    ("李干部", "cadre", "abstain"), ("冯律师", "lawyer", ""),
]  # fmt: skip


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _topic(cun: User, title: str, text: str, ago: int, division: str = "") -> Topic:
    return topics.topic_propose(
        division_code=division or cun.jurisdiction, title=title, description=text, channel="resident",
        proposer="村民代表", proposed_on=_ago(ago), actor=cun,
    )  # fmt: skip


def _topics(cun: User, zhen: User) -> None:
    _topic(cun, "小区停车位划线", "村委会门口车辆乱停，建议划定停车位", 2)
    gathering = _topic(cun, "村民健身广场选址", "拟在村东空地建健身广场", 20)
    topics.topic_review(gathering, accept=True, opinion="属村民自治事项，资金由村集体与镇奖补", on=_ago(18), actor=cun)
    topics.opinion_add(gathering, source="入户走访", text="多数赞成村东空地，需迁移两处菜地", on=_ago(15), actor=cun)
    done = _topic(cun, "村口道路加装路灯", "村口至小学 300 米无路灯，夜间上学不安全", 60)
    topics.topic_review(done, accept=True, opinion="符合村民自治范围", on=_ago(58), actor=cun)
    topics.opinion_add(done, source="座谈会", text="建议太阳能路灯，免电费", on=_ago(55), actor=cun)
    topics.topic_gather(done, consensus="安装太阳能路灯 12 盏", on=_ago(50), actor=cun)
    meeting = topics.Meeting(
        on=_ago(45), place="村议事厅", minutes="一事一议，推举代表发言，表决通过", participants=ROLL,
        result="安装太阳能路灯 12 盏，村集体出资", responsible="村委会 陈主任", implement_due=_ago(20),
    )  # fmt: skip
    topics.topic_meet(done, meeting, actor=cun)
    topics.topic_implemented(done, progress="12 盏路灯已安装并验收", on=_ago(25), actor=cun)
    topics.topic_publish(done, place="村务公开栏", on=_ago(20), actor=cun)
    topics.topic_archive(done, archive_ref=f"{_ago(0).year}-议-001", objections="公示期间无异议", actor=cun)
    doing = _topic(cun, "垃圾分类桶站改造", "现有桶站破损，夏季异味", 40)
    topics.topic_review(doing, accept=True, opinion="同意立项", on=_ago(38), actor=cun)
    topics.opinion_add(doing, source="网格员", text="建议设在路口，加装洗手池", on=_ago(35), actor=cun)
    topics.topic_gather(doing, consensus="改造 4 处桶站，加洗手池", on=_ago(30), actor=cun)
    meeting = topics.Meeting(
        on=_ago(28), place="村议事厅", minutes="表决通过", participants=ROLL, result="改造 4 处桶站",
        responsible="村委委员 周某", implement_due=_ago(5),
    )  # fmt: skip
    topics.topic_meet(doing, meeting, actor=cun)  # past its 落实期限: on the 待办
    town = zhen.jurisdiction.ljust(12, "0")
    topics.topic_propose(
        division_code=town, title="跨村道路养护经费分担", description="三村共用道路的养护经费如何分担",
        channel="department", proposer="镇农办", kind="common", proposed_on=_ago(3), actor=zhen,
    )  # fmt: skip


def _questions(cun: User) -> None:
    meeting = ledger.meeting_create(
        division_code=cun.jurisdiction, held_on=_ago(30), place="村文化礼堂", reporter="村委会主任 陈某",
        attendance=126, officials="瞻岐镇包村干部 李某、镇财政所 王某",
        report="党务、村务、财务及集体资金、资产、资源变动情况", evaluation="满意 118 人，基本满意 8 人",
        actor=cun,
    )  # fmt: skip
    ask = {"actor": cun}
    closed = ledger.question_record(
        meeting, category="funds", text="一事一议奖补资金用在哪里？", asker_name="张某", **ask
    )
    ledger.question_answer(closed, answer="用于村口路灯 12 盏，明细已公开", on=_ago(30), **ask)
    ledger.question_confirm(closed, way="face", comment="满意", **ask)
    late = ledger.question_record(
        meeting, category="resources", text="村西闲置地租金收了没有？", asker_name="李某", **ask
    )
    ledger.question_assign(late, assignee_kind="department", assignee="瞻岐镇农业农村办", days=10, on=_ago(29), **ask)
    waiting = ledger.question_record(meeting, category="village", text="低保名单怎么评的？", asker_name="王某", **ask)
    ledger.question_assign(waiting, assignee_kind="person", assignee="村民政协管员", days=5, on=_ago(29), **ask)
    ledger.question_answer(waiting, answer="按户申请、入户调查、民主评议、公示，名单已在公开栏", on=_ago(25), **ask)
    again = ledger.question_record(
        meeting, category="assets", text="村集体厂房出租合同是否公开？", asker_name="赵某", **ask
    )
    ledger.question_answer(again, answer="合同在村委会可查阅", on=_ago(30), **ask)
    ledger.question_assign(
        again, assignee_kind="person", assignee="村会计", days=10, on=_ago(2), reason="提问人要求在公开栏公布", **ask
    )


def _credit(actor: User, village: str, households: list[Household]) -> None:
    credit.rules_adopt(village, effective_from=_ago(90), actor=actor)
    rules = {r.code: r for r in credit.rules_in_force(village, _ago(0))}
    plan = [("E01", 40), ("E02", 30), ("E04", 20), ("E05", 12), ("E06", 10), ("D01", 8)]
    for i, household in enumerate(households):
        for code, ago in plan[: 2 + i % 4]:
            credit.points_record(household, rules[code], on=_ago(ago - i % 3), evidence="村信息采集员登记", actor=actor)
    soap = credit.item_add(division_code=village, name="洗衣液", points=5, stock=20, donor="爱心企业捐赠", actor=actor)
    credit.item_add(division_code=village, name="大米 5 斤", points=10, stock=10, donor="信用基金采购", actor=actor)
    credit.item_add(division_code=village, name="电饭煲", points=60, stock=2, donor="信用基金采购", actor=actor)
    richest = CreditAccount.objects.filter(division_code=village).order_by("-balance", "pk").first()
    if richest is not None and richest.balance >= soap.points:
        credit.redeem(richest.household, soap, actor=actor)
    credit.fund_deposit(
        division_code=village, kind="allocation", amount_fen=500_000, counterpart="村集体福利资金转入", on=_ago(60),
        actor=actor,
    )  # fmt: skip
    credit.fund_payout(division_code=village, amount_fen=120_000, since=_ago(90), actor=actor)


def _mediation(cun: User) -> None:
    village = cun.jurisdiction
    committee = mediation.committee_create(
        division_code=village, name="村人民调解委员会", kind="village", established_on=_ago(2000), actor=cun
    )
    director = mediation.mediator_add(committee, name="陈调解", title="director", actor=cun)
    mediation.mediator_add(committee, name="周调解", title="mediator", actor=cun)
    parties = [mediation.PartyIn("applicant", "张某"), mediation.PartyIn("respondent", "李某")]
    waiting = mediation.case_open(
        committee, division_code=village, type="neighbour", facts="相邻房屋滴水、排水沟堵塞", received_on=_ago(20),
        parties=parties, mediators=[director], actor=cun,
    )  # fmt: skip
    mediation.case_agree(
        waiting, agreement="李某十日内疏通排水沟并加装接水槽", perform_by=_ago(3), on=_ago(13), actor=cun
    )
    closed = mediation.case_open(
        committee, division_code=village, type="family", facts="赡养费分担争议", received_on=_ago(50),
        parties=[mediation.PartyIn("applicant", "王某"), mediation.PartyIn("respondent", "王某某")],
        mediators=[director], actor=cun,
    )  # fmt: skip
    mediation.case_agree(closed, agreement="三子女每月各付 500 元赡养费", perform_by=_ago(30), on=_ago(45), actor=cun)
    mediation.followup_add(closed, on=_ago(25), fulfilled=True, note="已按月支付", actor=cun)


def _community(cun: User, zhen: User) -> None:
    village = cun.jurisdiction
    scores = {"governance": 22, "openness": 13, "service": 21, "credit": 8, "mediation": 9, "environment": 12}
    community.rating_record(division_code=village, year=_ago(0).year - 1, scores=scores, actor=cun)
    community.public_item_add(
        division_code=village, category="finance", title="一季度村级财务收支", body="收入、支出明细见附表",
        amount_fen=12_845_600, published_on=_ago(20), actor=cun,
    )  # fmt: skip
    community.public_item_add(
        division_code=village, category="village", title="低保、特困对象名单公示", body="按户公示，期限 7 日",
        published_on=_ago(5), until=_ago(-2), actor=cun,
    )  # fmt: skip
    town = zhen.jurisdiction.ljust(12, "0")
    for certificate, way, by in (
        ("居住证明", "data", "公安户籍及居住登记数据核验"),
        ("亲属关系证明", "data", "户籍、婚姻登记数据核验"),
        ("无犯罪记录证明（村出具）", "department", "由公安机关依申请出具"),
        ("家庭经济困难证明", "pledge", "个人承诺 + 一键核对"),
    ):
        community.noproof_add(
            division_code=town, certificate=certificate, replacement=way, replaced_by=by,
            basis="证明事项清理（无证明村创建）", since=_ago(365), actor=zhen,
        )  # fmt: skip


def _credit_village(cun: User, zhen: User) -> tuple[str, list[Household]]:
    """The demo village, or (a small build may leave it empty) the town's most populated village."""
    own = list(Household.objects.filter(division_id=cun.jurisdiction).order_by("household_no")[:6])
    if len(own) >= 3:
        return cun.jurisdiction, own
    town = Household.objects.filter(prefix_q("division_id", zhen.jurisdiction))
    busiest = town.values("division_id").annotate(n=Count("pk")).order_by("-n", "division_id").first()
    if busiest is None:
        return cun.jurisdiction, own
    code = busiest["division_id"]
    return code, list(Household.objects.filter(division_id=code).order_by("household_no")[:6])


def demo_extend(built: Any, step: Any) -> None:
    step("基层治理：议事协商、阳光报告会问题台账、信用+、人民调解与社区建设")
    users = {u.username: u for u in User.objects.filter(username__in=("cun", "zhen"))}
    if len(users) != 2 or Topic.objects.filter(division_code=users["cun"].jurisdiction).exists():
        return
    cun, zhen = users["cun"], users["zhen"]
    _topics(cun, zhen)
    _questions(cun)
    village, households = _credit_village(cun, zhen)
    if households:
        _credit(cun if village == cun.jurisdiction else zhen, village, households)
    _mediation(cun)
    _community(cun, zhen)
    items.refresh_governance_items()
