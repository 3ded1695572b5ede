"""议事协商 pages: the list, a new topic, one topic with the form of its next step (the machine decides which)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from minzheng.core.decorators import role_required
from minzheng.governance import access, forms, selectors
from minzheng.governance import services_topics as svc
from minzheng.governance.models import Topic
from minzheng.governance.services import TOPIC_MACHINE
from minzheng.governance.views_common import form_page, post_step
from minzheng.workflow.services import history

STEP_FORMS: dict[str, dict[str, Any]] = {
    "proposed": {"review": forms.ReviewForm},
    "reviewed": {"opinion": forms.OpinionForm, "gather": forms.GatherForm},
    "gathered": {"meet": forms.MeetForm},
    "deliberated": {"implement": forms.ProgressForm},
    "implemented": {"publish": forms.PublishForm},
    "published": {"archive": forms.ArchiveForm},
}
STEP_TITLES = {
    "review": "审：审查议题",
    "opinion": "汇：登记征集到的意见",
    "gather": "汇：汇聚共识",
    "meet": "议：召开会议（参会、表决、纪要）",
    "implement": "督：督导落实",
    "publish": "示：结果公示",
    "archive": "档：备案归档",
}


@role_required(access.can_read)
def topic_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    rows = selectors.topic_rows(request.user, status)
    states = [("open", "办理中"), ("", "全部"), *((s.id, s.label) for s in TOPIC_MACHINE.states.values())]
    context = {"rows": rows, "status": status, "states": states, "writable": access.can_work(request.user)}
    return render(request, "governance/topics.html", context)


@role_required(access.can_work)
def topic_new(request: HttpRequest) -> HttpResponse:
    form = forms.TopicForm(request.POST or None, user=request.user)

    def run(d: dict[str, Any], ip: str) -> Topic:
        return svc.topic_propose(**d, actor=request.user, client_ip=ip)  # type: ignore[arg-type]

    note = "村（社区）议题由村（居）议事协商委员会组织；跨村议题选择乡镇（街道）。"
    return form_page(request, form, "提出议题", run, lambda t: f"/governance/topics/{t.pk}/", note)


@role_required(access.can_read)
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = access.access(request.user, Topic, pk)
    steps = STEP_FORMS.get(topic.status, {}) if access.can_work(request.user) else {}
    context = {
        "t": topic,
        "state": TOPIC_MACHINE.state_label(topic.status),
        "place": selectors.names({topic.division_code}).get(topic.division_code, ""),
        "opinions": topic.opinions.order_by("on", "pk"),
        "participants": topic.participants.order_by("pk"),
        "tally": svc.tally(topic),
        "history": history(topic),
        "steps": [(key, STEP_TITLES[key], cls()) for key, cls in steps.items()],
    }
    return render(request, "governance/topic.html", context)


@require_POST
@role_required(access.can_work)
def topic_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    topic = access.access(request.user, Topic, pk, write=True)
    cls = STEP_FORMS.get(topic.status, {}).get(step)
    back = f"/governance/topics/{topic.pk}/"
    if cls is None:
        from django.http import Http404

        raise Http404("该环节不可办理")
    user = request.user
    runs = {
        "review": lambda d, ip: svc.topic_review(
            topic, accept=d["accept"] == "yes", opinion=d["opinion"], actor=user, client_ip=ip
        ),
        "opinion": lambda d, ip: svc.opinion_add(topic, source=d["source"], text=d["text"], actor=user, client_ip=ip),
        "gather": lambda d, ip: svc.topic_gather(topic, consensus=d["consensus"], actor=user, client_ip=ip),
        "meet": lambda d, ip: svc.topic_meet(
            topic,
            svc.Meeting(
                on=d["on"],
                place=d["place"],
                minutes=d["minutes"],
                participants=d["roll"],
                result=d["result"],
                responsible=d["responsible"],
                implement_due=d["implement_due"],
            ),
            actor=user,
            client_ip=ip,
        ),
        "implement": lambda d, ip: svc.topic_implemented(topic, progress=d["progress"], actor=user, client_ip=ip),
        "publish": lambda d, ip: svc.topic_publish(topic, place=d["place"], actor=user, client_ip=ip),
        "archive": lambda d, ip: svc.topic_archive(
            topic, archive_ref=d["archive_ref"], objections=d["objections"], actor=user, client_ip=ip
        ),
    }
    return post_step(request, cls(request.POST), runs[step], back, f"{STEP_TITLES[step]}：已办理")
