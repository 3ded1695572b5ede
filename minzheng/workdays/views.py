"""节假日安排: the table behind every deadline, by year; an administrator imports the State Council's notice."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from minzheng.accounts.access import can_admin_users
from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.workdays.models import CalendarYear, Holiday
from minzheng.workdays.services import HolidayImportError, holidays_import

MAX_BYTES = 1024 * 1024  # a year's notice is a few dozen rows


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 1900 <= int(raw) <= 2099 else timezone.localdate().year


@role_required(lambda u: u.is_authenticated and u.is_active)
def holidays(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    context = {
        "year": year,
        "days": Holiday.objects.filter(day__year=year),
        "settled": CalendarYear.objects.filter(year=year).first(),
        "years": list(CalendarYear.objects.order_by("-year").values_list("year", flat=True)[:8]),
        "can_import": can_admin_users(request.user),
    }
    return render(request, "workdays/holidays.html", context)


@require_POST
@role_required(can_admin_users)
def holidays_upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None or upload.size > MAX_BYTES:
        messages.error(request, "请上传不超过 1 MB 的节假日安排文件（列：日期, 类型, 名称）")
        return redirect("workdays:holidays")
    suffix = Path(upload.name).suffix.lower() if Path(upload.name).suffix.lower() in {".csv", ".xlsx"} else ".csv"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"holidays{suffix}"
        path.write_bytes(upload.read())
        try:
            result = holidays_import(path=path, actor=request.user, client_ip=client_ip(request))
        except HolidayImportError as exc:
            for line in exc.errors[:20]:
                messages.error(request, line)
            messages.error(request, f"{len(exc.errors)} 处错误，整个文件未导入")
            return redirect("workdays:holidays")
    messages.success(
        request, f"已导入 {result.rows} 行（新增 {result.created}，修改 {result.updated}）；已核定年份：{result.years}"
    )
    # Recounting every open case's deadlines takes seconds to minutes: a background job, not this request.
    from minzheng.jobs.services import job_start_in_background
    from minzheng.workdays.services import after_change

    for job in after_change(request.user):
        job_start_in_background(job)
        messages.info(request, f"已在后台重算在办案件的办理期限（任务 {job.pk}）")
    return redirect(f"/workdays/?year={result.years[0]}" if result.years else "/workdays/")
