"""志愿服务记录证明 (PDF): identity, confirmed hours and content, issuer, number and date, issued free and
truthfully (《志愿服务条例》 Art 19; 《志愿服务记录与证明出具办法（试行）》). Only confirmed attendance
counts; time-bank transfers never do. The identity number is masked (Art 20: personal information).
"""

from __future__ import annotations

from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.cases.letters import document_pdf
from minzheng.core.masking import mask_id_number
from minzheng.volunteers.models import Attendance, Station, Volunteer
from minzheng.volunteers.services_timebank import hours_text

MAX_LINES = 30  # the latest activities listed; the total covers them all


def certificate_lines(vol: Volunteer) -> list[str]:
    rows = list(
        Attendance.objects.filter(volunteer=vol, status=Attendance.Status.CONFIRMED)
        .select_related("activity")
        .order_by("-activity__starts_at")
    )
    total = sum(a.confirmed_minutes for a in rows)
    person = vol.person
    who = f"{person.name}（公民身份号码 {mask_id_number(person.id_number)}，志愿者编号 {vol.volunteer_no}）"
    if not rows:
        return [f"兹证明 {who} 已注册为志愿者，截至出具之日尚无经确认的志愿服务记录。"]
    first, last = rows[-1].activity.starts_at, rows[0].activity.starts_at
    lines = [
        f"兹证明 {who} 于 {timezone.localtime(first):%Y年%-m月%-d日} 至 {timezone.localtime(last):%Y年%-m月%-d日} "
        f"参加志愿服务 {len(rows)} 次，累计服务时长 {hours_text(total)}（经活动组织者确认的实际服务时间，不含往返）。",
        "服务记录：",
    ]
    for a in rows[:MAX_LINES]:
        act = a.activity
        day = timezone.localtime(act.starts_at)
        lines.append(
            f"{day:%Y-%m-%d} {act.title}（{act.get_kind_display()}，{act.place}）{hours_text(a.confirmed_minutes)}"
        )
    stars = list(vol.recognitions.order_by("level").values_list("level", "certificate_no"))
    if stars:
        lines.append("星级认定：" + "；".join(f"{level} 星（证书 {no}）" for level, no in stars))
    lines.append("本证明免费出具，据实记录。")
    return lines


def certificate_pdf(vol: Volunteer, *, actor: Actor, client_ip: str = "") -> tuple[str, bytes]:
    """(file name, PDF); every issue is audited with its number."""
    today = timezone.localdate()
    number = f"志愿服务证明 ZM{today:%Y%m%d}{vol.pk:08d}"
    station = Station.objects.filter(town_code=vol.division_code[:9]).first()
    issuer = station.name if station else "县（市、区）民政局"
    data = document_pdf("志愿服务记录证明", number, certificate_lines(vol), issuer, today)
    audit_record(
        actor=actor, action="export", object_type="volunteer", object_id=vol.pk, client_ip=client_ip,
        summary=f"出具志愿服务记录证明 {number}",
    )  # fmt: skip
    return f"志愿服务证明-{vol.volunteer_no}.pdf", data
