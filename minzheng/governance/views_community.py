"""社区建设 pages: 幸福社区 ratings, 村(居)务公开 items, the 无证明村 list; and the public board of one
community (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.core.decorators import role_required
from minzheng.divisions.models import Division
from minzheng.divisions.selectors import division_full_name
from minzheng.governance import access, forms, selectors
from minzheng.governance import services_community as svc
from minzheng.governance.models import NoProofItem, PublicItem, StarRating
from minzheng.governance.views_common import form_page

BACK = "/governance/community/"


@role_required(access.can_read)
def community_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "ratings": access.visible(user, StarRating).order_by("-year", "division_code")[:100],
        "items": access.visible(user, PublicItem)[:100],
        "noproof": access.visible(user, NoProofItem).order_by("division_code", "certificate")[:200],
        "criteria": {c["code"]: c["label"] for c in svc.criteria()["criteria"]},
        "villages": forms.division_choices(user, towns=False),
        "writable": access.can_work(user),
    }
    return render(request, "governance/community.html", context)


@role_required(access.can_work)
def rating_new(request: HttpRequest) -> HttpResponse:
    form = forms.rating_form(request.user, request.POST or None)

    def run(d: dict[str, Any], ip: str) -> StarRating:
        scores = {k.removeprefix("score_"): v for k, v in d.items() if k.startswith("score_")}
        return svc.rating_record(
            division_code=d["division_code"], year=d["year"], scores=scores, note=d["note"], actor=request.user,
            client_ip=ip,
        )  # fmt: skip

    note = "各项得分合计决定星级（评定办法见 data/happy_community.yaml）；每年评定一次。"
    return form_page(request, form, "幸福社区星级评定", run, lambda _: BACK, note)


@role_required(access.can_work)
def public_item_new(request: HttpRequest) -> HttpResponse:
    form = forms.PublicItemForm(request.POST or None, user=request.user)

    def run(d: dict[str, Any], ip: str) -> PublicItem:
        amount = forms.fen(d.pop("amount_yuan"))
        return svc.public_item_add(**d, amount_fen=amount, actor=request.user, client_ip=ip)  # type: ignore[arg-type]

    return form_page(request, form, "村（居）务公开", run, lambda _: BACK, "公开内容在本村（社区）公开栏页面上显示。")


@role_required(access.can_work)
def noproof_new(request: HttpRequest) -> HttpResponse:
    form = forms.NoProofForm(request.POST or None, user=request.user)

    def run(d: dict[str, Any], ip: str) -> NoProofItem:
        return svc.noproof_add(**d, actor=request.user, client_ip=ip)  # type: ignore[arg-type]

    return form_page(request, form, "无证明村：登记不再出具的证明", run, lambda _: BACK)


def board(request: HttpRequest, code: str) -> HttpResponse:
    """The community's public board: anyone, no login; questions without askers, no household points."""
    division = Division.objects.filter(code=code, level=5).first()
    if division is None:
        raise Http404("村（社区）不存在")
    context = {"division": division, "place": division_full_name(code), **selectors.board(code)}
    return render(request, "governance/board.html", context)
