"""服务监管疑点 on the 待办: every open FraudFlag is an item for the town's office (KERNELS §4)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from minzheng.eldercare.models import FraudFlag
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, producer

SOURCE = "eldercare_fraud"


@producer(SOURCE, {f"fraud_{k.value}": f"服务疑点：{k.label}" for k in FraudFlag.Kind})
def open_flags() -> Iterator[ItemSpec]:
    for flag in FraudFlag.objects.filter(open=True).select_related("order").iterator(chunk_size=2000):
        yield ItemSpec(
            source=SOURCE,
            kind=f"fraud_{flag.kind}",
            title=f"服务疑点（{flag.get_kind_display()}）：订单 {flag.order_id}，{flag.detail[:80]}",
            subject_type="eldercare_order",
            subject_id=str(flag.order_id),
            division_code=flag.division_code,
            role="town_officer",
            fingerprint=f"fraud:{flag.pk}",
            data={"flag": flag.pk, "link": f"/eldercare/orders/{flag.order_id}/"},
        )


def on_resolve(item: WorkItem, actor: Any, client_ip: str) -> None:
    """Settling the item settles the flag with the same words."""
    from minzheng.eldercare.services import flag_resolve

    flag = FraudFlag.objects.filter(pk=item.data.get("flag"), open=True).first()
    if flag is not None:
        flag_resolve(actor=actor, flag=flag, resolution=item.resolution, client_ip=client_ip)
