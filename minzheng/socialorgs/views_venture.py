"""公益创投 pages: rounds (create, close the call, award, close), one round's applications with their
scores, one application's scores, instalments (approve by a second person, pay) and evaluations; and the
organisation's own page to apply and follow its applications."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.sheets import Sheet
from minzheng.socialorgs import access
from minzheng.socialorgs import services_venture as venture
from minzheng.socialorgs.flow import INSTALMENT, ROUND
from minzheng.socialorgs.forms import ApplyForm, EvaluationForm, PayForm, RoundForm, ScoreForm, errors_text, fen
from minzheng.socialorgs.models_venture import Application, Instalment, Round
from minzheng.socialorgs.views import Refused, _act, xlsx_response


@role_required(access.can_read)
def rounds(request: HttpRequest) -> HttpResponse:
    form = RoundForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and access.can_work(request.user):
        if form.is_valid():
            d = form.cleaned_data
            call = venture.Call(
                d["name"], d["year"], fen(d["budget"]) or 0, fen(d["max_award"]) or 0, d["call_until"], d["theme"]
            )
            try:
                rnd = venture.round_create(call, actor=request.user, client_ip=client_ip(request))
            except Refused as exc:
                messages.error(request, str(exc))
            else:
                return redirect("socialorgs:round", pk=rnd.pk)
        else:
            messages.error(request, errors_text(form))
    rows = [(r, ROUND.state_label(r.status)) for r in access.scoped(request.user, Round.objects.order_by("-pk"))]
    return render(
        request, "socialorgs/rounds.html", {"form": form, "rows": rows, "writable": access.can_work(request.user)}
    )


@role_required(access.can_read)
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = access.scoped(request.user, Round.objects.all()).filter(pk=pk).first()
    if rnd is None:
        raise Http404("创投活动不存在")
    user, ip = request.user, client_ip(request)
    if request.method == "POST" and access.can_decide(user):
        step = request.POST.get("step")
        if step == "review":
            _act(request, lambda: venture.round_close_call(rnd, actor=user, client_ip=ip), "已截止申报，进入评审")
        elif step == "award":
            _act(
                request,
                lambda: venture.round_award(rnd, actor=user, client_ip=ip),
                "已公布立项，资金拨付计划已生成待审批",
            )
        elif step == "close":
            _act(request, lambda: venture.round_close(rnd, actor=user, client_ip=ip), "创投活动已结项")
        return redirect("socialorgs:round", pk=pk)
    ranking = venture.ranking(rnd)
    if request.GET.get("export") == "xlsx":
        cells = [
            [a.org.name, a.title, a.requested_fen / 100, n, mean, a.get_status_display(), a.awarded_fen / 100]
            for a, mean, n in ranking
        ]
        head = ["申报组织", "项目名称", "申请金额（元）", "评审人数", "平均分", "结果", "立项金额（元）"]
        return xlsx_response(
            request, f"{rnd.name}-评审结果.xlsx", [Sheet("评审结果", head, cells)], "venture_round", len(cells)
        )
    context = {
        "round": rnd,
        "state": ROUND.state_label(rnd.status),
        "ranking": ranking,
        "writable": access.can_decide(user),
    }
    return render(request, "socialorgs/round.html", context)


@role_required(access.can_read)
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = access.scoped(request.user, Application.objects.select_related("org", "round")).filter(pk=pk).first()
    if app is None:
        raise Http404("创投项目不存在")
    if request.method == "POST" and access.can_decide(request.user):
        _application_step(request, app)
        return redirect("socialorgs:application", pk=pk)
    instalments = [(i, INSTALMENT.state_label(i.status)) for i in app.instalments.order_by("seq")]
    context = {
        "app": app,
        "scores": app.scores.select_related("reviewer").order_by("pk"),
        "instalments": instalments,
        "evaluations": app.evaluations.order_by("pk"),
        "score_form": ScoreForm(),
        "pay_form": PayForm(initial={"paid_on": timezone.localdate()}),
        "eval_form": EvaluationForm(initial={"on": timezone.localdate()}),
        "writable": access.can_decide(request.user),
    }
    return render(request, "socialorgs/application.html", context)


def _application_step(request: HttpRequest, app: Application) -> None:
    user, ip, step = request.user, client_ip(request), request.POST.get("step")
    if step == "score":
        form = ScoreForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _act(
                request,
                lambda: venture.score(
                    app, value=d["score"], expert=d["expert"], comment=d["comment"], actor=user, client_ip=ip
                ),
                "已评分",
            )
        else:
            messages.error(request, errors_text(form))
    elif step in ("approve", "pay"):
        inst = Instalment.objects.filter(application=app, pk=request.POST.get("instalment")).first()
        if inst is None:
            messages.error(request, "拨付期次不存在")
        elif step == "approve":
            _act(request, lambda: venture.instalment_approve(inst, actor=user, client_ip=ip), f"第 {inst.seq} 期已审批")
        else:
            form = PayForm(request.POST)
            if form.is_valid():
                d = form.cleaned_data
                _act(
                    request,
                    lambda: venture.instalment_pay(
                        inst, voucher=d["voucher"], on=d["paid_on"], actor=user, client_ip=ip
                    ),
                    f"第 {inst.seq} 期已拨付",
                )
            else:
                messages.error(request, errors_text(form))
    elif step == "evaluate":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            _act(
                request,
                lambda: venture.evaluate(
                    app, stage=d["stage"], value=d["score"], note=d["note"], on=d["on"], actor=user, client_ip=ip
                ),
                "已登记评估",
            )
        else:
            messages.error(request, errors_text(form))


@role_required(access.is_org)
def my_ventures(request: HttpRequest) -> HttpResponse:
    org = access.own_org(request.user)
    today = timezone.localdate()
    open_rounds = Round.objects.filter(status="call", call_until__gte=today).order_by("call_until")
    open_rounds = [r for r in open_rounds if org.division_code.startswith(r.division_code)]
    form = ApplyForm(request.POST or None, initial={"division_code": org.division_code})
    if request.method == "POST":
        rnd = next((r for r in open_rounds if str(r.pk) == request.POST.get("round")), None)
        if rnd is None:
            messages.error(request, "请选择正在征集的创投活动")
        elif not form.is_valid():
            messages.error(request, errors_text(form))
        else:
            d = form.cleaned_data
            try:
                venture.apply(
                    rnd,
                    org,
                    title=d["title"],
                    summary=d["summary"],
                    requested_fen=fen(d["requested"]) or 0,
                    division_code=d["division_code"],
                    actor=request.user,
                    client_ip=client_ip(request),
                )
            except Refused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已申报“{rnd.name}”")
                return redirect("socialorgs:my_ventures")
    apps = (
        org.venture_applications.select_related("round").prefetch_related("instalments", "evaluations").order_by("-pk")
    )
    return render(
        request, "socialorgs/my_ventures.html", {"org": org, "rounds": open_rounds, "form": form, "apps": apps}
    )
