"""Admissions, discharges and occupancy by care level; 特困 集中供养 paid to the institution by the payroll."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.institutions import selectors, services
from minzheng.institutions.models import Institution, Resident
from minzheng.institutions.tests.conftest import elder
from minzheng.payments import services as payments
from minzheng.payments.models import PayrollLine
from minzheng.payments.payroll import run_payroll

D = dt.date


def _admit(inst: Institution, level: int | None, on: D = D(2025, 3, 1), **kw: object) -> Resident:
    data = services.Admission(person=kw.pop("person", None) or elder(), admitted_on=on, care_level=level,
                              level_assessed_on=on if level is not None else None, **kw)  # type: ignore[arg-type]  # fmt: skip
    return services.admit(inst, data, actor=None)


def test_occupancy_by_level_and_full_beds_refused(inst: Institution) -> None:
    _admit(inst, 3)
    second = _admit(inst, 3)
    _admit(inst, 0)
    occ = selectors.occupancy(inst)
    assert (occ.beds, occ.occupied) == (10, 3)
    assert {lv.level: lv.occupied for lv in occ.levels} == {0: 1, 1: 0, 2: 0, 3: 2, 4: 0}
    assert occ.rate_text == "30.0%"
    with pytest.raises(services.InstitutionError, match="重度失能床位已满（2 张）"):
        _admit(inst, 3)
    services.discharge(second, on=D(2025, 6, 30), reason="home", actor=None)
    assert selectors.occupancy(inst).occupied == 2
    _admit(inst, 3, on=D(2025, 7, 1))  # the freed bed takes the next one
    assert AuditEvent.objects.filter(object_type="institution_resident").count() == 5


def test_admission_needs_an_assessed_level_and_one_stay_at_a_time(inst: Institution, other_inst: Institution) -> None:
    with pytest.raises(services.InstitutionError, match="入住前须完成老年人能力评估"):
        _admit(inst, None)
    row = _admit(inst, 2)
    with pytest.raises(services.InstitutionError, match="仍在机构入住"):
        _admit(other_inst, 2, person=row.person)


def test_tekun_in_concentrated_care_is_paid_into_the_institution_account(inst: Institution, cast: object) -> None:
    person = elder("孙五保", tags="特困人员")
    ent = payments.entitlement_create(
        programme_id="tekun", subject=person, payee=person, amount_fen=134_900, from_month=D(2025, 1, 1),
        source="case", reason="特困人员认定", actor=None,
    )  # fmt: skip
    payments.account_set(person, bank_code="NBCB", bank_name="宁波银行", account_no="6217000011112222",
                         account_name=person.name, reason="本人社保卡", actor=None)  # type: ignore[arg-type]  # fmt: skip
    services.institution_account_set(inst, bank_code="NBCB", bank_name="宁波银行", account_no="8101000099998888",
                                     reason="机构对公账户", actor=None)  # type: ignore[arg-type]  # fmt: skip
    run_payroll("tekun", D(2025, 3, 1), "330212", actor=None)  # March was paid before the admission
    row = _admit(inst, 3, on=D(2025, 3, 10), person=person, supply=Resident.Supply.TEKUN)
    ent.refresh_from_db()
    assert ent.payee_unit == inst.code
    run_payroll("tekun", D(2025, 4, 1), "330212", actor=None)
    lines = dict(PayrollLine.objects.filter(entitlement=ent).values_list("period", "account_no"))
    assert lines[D(2025, 3, 1)] == "6217000011112222"
    assert lines[D(2025, 4, 1)] == "8101000099998888"
    assert PayrollLine.objects.get(entitlement=ent, period=D(2025, 4, 1)).account_name == inst.name
    services.discharge(row, on=D(2025, 4, 20), reason="home", actor=None)
    ent.refresh_from_db()
    assert ent.payee_unit == ""
    assert ent.changes.filter(kind="account").count() == 2


def test_tekun_admission_refused_for_someone_not_tekun(inst: Institution) -> None:
    with pytest.raises(services.InstitutionError, match="不是特困人员"):
        _admit(inst, 1, supply=Resident.Supply.TEKUN)


def test_a_failed_institution_line_is_reissued_to_its_corrected_account(inst: Institution, cast: object) -> None:
    from minzheng.payments.demo import return_file
    from minzheng.payments.payroll import run_approve, run_issue, run_supplementary
    from minzheng.payments.reconcile import reconcile

    person = elder("李五保", tags="特困人员")
    ent = payments.entitlement_create(
        programme_id="tekun", subject=person, payee=person, amount_fen=134_900, from_month=D(2025, 4, 1),
        source="case", reason="特困人员认定", actor=None,
    )  # fmt: skip
    county = cast.county_approver  # type: ignore[attr-defined]
    services.institution_account_set(inst, bank_code="NBCB", bank_name="宁波银行", account_no="8101000011110000",
                                     reason="机构对公账户", actor=county)  # fmt: skip
    _admit(inst, 3, on=D(2025, 3, 10), person=person, supply=Resident.Supply.TEKUN)
    run = run_payroll("tekun", D(2025, 4, 1), "330212", actor=None)
    run_approve(run, actor=county)
    name, _ = run_issue(run, actor=county)
    line = PayrollLine.objects.get(entitlement=ent)
    reconcile(run, name + "_回盘.csv", return_file(run, {line.pk}), actor=county)
    services.institution_account_set(inst, bank_code="NBCB", bank_name="宁波银行", account_no="8101000022220000",
                                     reason="银行退回，机构更正对公账户", actor=county)  # fmt: skip
    sup = run_supplementary(run, actor=None)
    again = PayrollLine.objects.get(run=sup)
    assert (again.reissue_of_id, again.account_no, again.account_name) == (line.pk, "8101000022220000", inst.name)
