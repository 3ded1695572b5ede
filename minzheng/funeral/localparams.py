"""A county's own funeral standards, set through the reviewed path (maker proposes, a second person approves).

The shipped national values are 0 (民发〔2012〕211号 and 民发〔2016〕21号 leave the amounts to each place), so
nothing is paid until a county enters its local document's figures; the demo and the tests do it here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.rules.services import param_change_approve, param_change_propose


def set_local(
    *, region: str, values: dict[str, int], effective_from: dt.date, reference: str, maker: Any, checker: Any
) -> None:
    """Each key → value (in the parameter's unit) for `region` from `effective_from`, approved by `checker`."""
    for key, value in values.items():
        change = param_change_propose(
            actor=maker,
            data={
                "key": key, "region_code": region, "effective_from": effective_from, "value": value,
                "reference": reference, "reason": "本地殡葬惠民与生态安葬标准",
            },
        )  # fmt: skip
        param_change_approve(actor=checker, change=change, note="核对本地文件无误")
