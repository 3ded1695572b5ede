"""Match review (匹配复核) on the workflow kernel: the candidate's states as data.

待确认 → 已确认 or 已否定; a confirmation may be withdrawn (已确认 → 已否定) and a set-aside
candidate confirmed after all (已否定 → 已确认), as before. No four eyes: the candidates are the
matching run's, not a person's, so there is no maker to keep apart from the reviewer. Who may
review is `verification.access.can_review_candidate` (role and jurisdiction), checked by the service.
"""

from __future__ import annotations

from minzheng.verification.models import MatchCandidate
from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, bind

MACHINE: Machine = load(
    "match_review",
    {
        "label": "身份匹配复核",
        "states": {
            "pending": {"label": "待确认", "initial": True},
            "confirmed": {"label": "已确认"},
            "rejected": {"label": "已否定"},
        },
        "transitions": [
            {"from": ["pending", "rejected"], "to": "confirmed", "action": "确认匹配"},
            {"from": ["pending", "confirmed"], "to": "rejected", "action": "否定匹配"},
        ],
    },
)
bind(MatchCandidate, Binding(object_type="match_candidate", machine=lambda candidate: MACHINE, state_field="status"))
