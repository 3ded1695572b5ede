"""统一社会信用代码 checks; 成立 / 变更 / 注销登记 on the workflow kernel with four eyes; the selectors."""

from __future__ import annotations

import io

import pytest
from stdnum.cn import uscc

from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.audit.models import AuditEvent
from minzheng.socialorgs import codes, materials, selectors, services
from minzheng.socialorgs.models import Filing, Kind, Organisation
from minzheng.socialorgs.tests.conftest import TODAY, ago, make_org
from minzheng.testing import VILLAGE_A, Cast
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused


@pytest.mark.parametrize(
    ("raw", "kind", "message"),
    [
        ("52330212MJ0000010H", Kind.SERVICE, "校验位错误"),
        ("52330212MJ000001", Kind.SERVICE, "应为 18 位"),
        ("52330212MJ00O0010G", Kind.SERVICE, "不允许的字符"),
        ("91330212MA2AG0JY4" + uscc.calc_check_digit("91330212MA2AG0JY4"), Kind.SERVICE, "第 1 位应为 5"),
        (ORG_CREDIT_CODE, Kind.SOCIAL_GROUP, "第 2 位应为 1（社会团体）"),
        (codes.make(Kind.FOUNDATION, "330211", 7), Kind.FOUNDATION, "第 3–8 位应为登记机关区划 330212"),
    ],
)
def test_credit_code_refusals_say_which_rule(raw: str, kind: str, message: str) -> None:
    with pytest.raises(codes.CreditCodeError, match=message):
        codes.check(raw, kind=kind, county="330212")


def test_credit_code_accepted_and_made() -> None:
    assert codes.check(" 52330212mj0000010g ", kind=Kind.SERVICE, county="330212") == ORG_CREDIT_CODE
    assert codes.make(Kind.SERVICE, "330212", 10) == ORG_CREDIT_CODE
    for kind in Kind.values:
        made = codes.make(kind, "330212", 123)
        assert codes.check(made, kind=kind, county="330212") == made
    assert codes.gb11714_ok(ORG_CREDIT_CODE) in (True, False)  # a warning only, never a refusal


def _apply(cast: Cast, name: str = "瞻岐镇老年协会") -> Filing:
    data = services.Application(
        kind=Kind.SOCIAL_GROUP, name=name, legal_rep="王德顺", address="合一村文化礼堂",
        division_code=VILLAGE_A, capital_fen=3_000_000, received_on=ago(3),
    )  # fmt: skip
    return services.register_apply(data, actor=cast.socialorg_officer)


def _accept(cast: Cast, filing: Filing, **kw: object) -> None:
    materials.materials_tick(filing, [m["key"] for m in materials.required(filing)], actor=cast.socialorg_officer)
    services.filing_accept(filing, actor=cast.socialorg_officer, **kw)  # type: ignore[arg-type]


def test_materials_before_acceptance(cast: Cast) -> None:
    filing = _apply(cast)
    keys = [m["key"] for m in materials.required(filing)]
    assert "approval" not in keys  # direct registration: no 业务主管单位 approval document
    materials.materials_tick(filing, ["application", "charter"], actor=cast.socialorg_officer)
    with pytest.raises(TransitionRefused, match="申请材料未收齐，不能受理：缺少验资报告、场所使用权证明、发起人"):
        services.filing_accept(filing, actor=cast.socialorg_officer)
    with pytest.raises(services.SocialOrgError, match="不是本事项的申请材料"):
        materials.materials_tick(filing, ["liquidation"], actor=cast.socialorg_officer)
    pdf = io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    scan = materials.material_scan(filing, "charter", pdf, filename="章程.pdf", actor=cast.socialorg_officer)
    assert scan.content_type == "application/pdf"
    assert [m["scans"] for m in materials.checklist(filing) if m["key"] == "charter"] == [[scan]]
    _accept(cast, filing)
    assert filing.status == "accepted"


def test_registration_four_eyes_and_code(cast: Cast) -> None:
    filing = _apply(cast)
    org = filing.org
    assert (org.status, filing.status) == ("applying", "received")
    assert filing.due_on is not None and filing.due_on > filing.received_on  # 5 working days to accept
    _accept(cast, filing, on=ago(2))
    with pytest.raises(TransitionRefused, match="四眼原则"):
        services.filing_decide(filing, approve=True, credit_code=codes.make(Kind.SOCIAL_GROUP, "330212", 5),
                               actor=cast.socialorg_officer)  # fmt: skip
    with pytest.raises(services.SocialOrgError, match="第 2 位应为 1"):
        services.filing_decide(filing, approve=True, credit_code=ORG_CREDIT_CODE, actor=cast.county_approver)
    code = codes.make(Kind.SOCIAL_GROUP, "330212", 5)
    services.filing_decide(filing, approve=True, credit_code=code, actor=cast.county_approver)
    org.refresh_from_db()
    assert (org.status, org.credit_code, org.registered_on) == ("registered", code, TODAY)
    steps = TransitionLog.objects.filter(object_type="socialorg", object_id=str(org.pk)).values_list(
        "action", flat=True
    )
    assert list(steps) == ["申请登记中", "准予成立登记"]
    assert AuditEvent.objects.filter(object_type="socialorg_filing", object_id=str(filing.pk)).count() >= 3


def test_refusals_on_application(cast: Cast) -> None:
    _apply(cast)
    with pytest.raises(services.SocialOrgError, match="已被登记或正在申请"):
        _apply(cast)
    data = services.Application(kind=Kind.FOUNDATION, name="小基金会", legal_rep="甲", address="某处",
                                division_code=VILLAGE_A, capital_fen=100_000, received_on=TODAY)  # fmt: skip
    with pytest.raises(services.SocialOrgError, match="注册资金不得低于 2,000,000 元"):
        services.register_apply(data, actor=cast.socialorg_officer)
    data.capital_fen, data.division_code = 300_000_000, "330211001001"
    with pytest.raises(services.SocialOrgError, match="不在本机关管辖范围"):
        services.register_apply(data, actor=cast.socialorg_officer)


def test_not_accepted_ends_the_application(cast: Cast) -> None:
    filing = _apply(cast)
    services.filing_return(filing, reason="章程草案未经会员大会通过", actor=cast.socialorg_officer)
    filing.org.refresh_from_db()
    assert (filing.status, filing.org.status) == ("returned", "refused")


def test_change_and_deregistration(cast: Cast, org: Organisation) -> None:
    filing = services.change_apply(org, {"legal_rep": "李新任", "capital_fen": 2_000_000}, on=TODAY,
                                   actor=cast.socialorg_officer)  # fmt: skip
    with pytest.raises(services.SocialOrgError, match="已有办理中的登记事项"):
        services.deregister_apply(org, reason="完成宗旨", on=TODAY, actor=cast.socialorg_officer)
    _accept(cast, filing)
    services.filing_decide(filing, approve=True, actor=cast.county_approver)
    org.refresh_from_db()
    assert (org.legal_rep, org.capital_fen) == ("李新任", 2_000_000)
    assert AuditEvent.objects.filter(
        object_type="socialorg", summary__contains="变更登记：法定代表人、注册资金"
    ).exists()
    with pytest.raises(services.SocialOrgError, match="不能变更"):
        services.change_apply(org, {"credit_code": "X"}, on=TODAY, actor=cast.socialorg_officer)
    gone = services.deregister_apply(org, reason="完成章程宗旨，清算完毕", on=TODAY, actor=cast.socialorg_officer)
    assert [m["key"] for m in materials.required(gone)] == ["application", "resolution", "liquidation"]
    _accept(cast, gone)
    services.filing_decide(gone, approve=True, actor=cast.county_approver)
    org.refresh_from_db()
    assert org.status == "deregistered"
    assert not selectors.registered_orgs("330212").filter(pk=org.pk).exists()


def test_selectors_for_other_parts(cast: Cast, org: Organisation) -> None:
    assert selectors.org_for_user(cast.org_account) == org
    assert selectors.org_for_user(cast.socialorg_officer) is None
    assert list(selectors.registered_orgs("330212100")) == [org]
    assert list(selectors.registered_orgs("330212101")) == []
    pending = _apply(cast, "未准予的协会").org
    assert pending not in selectors.registered_orgs("330212")
    assert list(selectors.public_search(ORG_CREDIT_CODE)) == [org]
    assert list(selectors.public_search("未准予")) == []  # applications in progress are not public


def test_abnormal_list_moves_on_the_machine(cast: Cast) -> None:
    org = make_org(cast, "咸祥镇文体协会", 31)
    services.abnormal_enter(org, reason="未按时报送年报", actor=cast.socialorg_officer)
    assert Organisation.objects.get(pk=org.pk).status == "abnormal"
    with pytest.raises(TransitionRefused, match="须填写理由"):
        services.abnormal_leave(org, reason="", actor=cast.socialorg_officer)
    services.abnormal_leave(org, reason="已补报年报", actor=cast.socialorg_officer)
    assert Organisation.objects.get(pk=org.pk).status == "registered"
    with pytest.raises(TransitionRefused):
        services.revoke(org, reason="连续两年不参加年检", actor=cast.socialorg_officer)  # the approver decides
    services.revoke(org, reason="鄞民罚〔2026〕3号", actor=cast.county_approver)
    assert Organisation.objects.get(pk=org.pk).status == "revoked"
