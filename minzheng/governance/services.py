"""What every 基层治理 write shares: the three machines and their bindings, numbering, the scope check.

The topic, question and mediation-case services are in services_topics.py, services_questions.py and
services_mediation.py; 信用+ in services_credit.py; community building in services_community.py. Every
write is one transaction ending in one audit row; a state changes only through the workflow kernel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.db.models import Model

from minzheng.accounts.types import Actor
from minzheng.core.jurisdiction import covers
from minzheng.divisions.models import Division
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

MACHINES = Path(__file__).with_name("machines")
DATA = Path(__file__).with_name("data")


class GovernanceError(ValueError):
    """Refused with a Chinese reason naming the field."""


def _machine(name: str) -> Machine:
    raw = yaml.safe_load((MACHINES / f"{name}.yaml").read_text(encoding="utf-8"))
    return load(f"governance_{name}", raw)


TOPIC_MACHINE = _machine("topic")
QUESTION_MACHINE = _machine("question")
MEDIATION_MACHINE = _machine("mediation")


def _bind() -> None:
    from minzheng.governance.models import MediationCase, Question, Topic

    workflow.bind(
        Topic, workflow.Binding(object_type="gov_topic", machine=lambda _: TOPIC_MACHINE, due_field="stage_due")
    )
    workflow.bind(Question, workflow.Binding(object_type="gov_question", machine=lambda _: QUESTION_MACHINE))
    workflow.bind(
        MediationCase,
        workflow.Binding(object_type="gov_mediation", machine=lambda _: MEDIATION_MACHINE, due_field="stage_due"),
    )


_bind()


def load_data(name: str) -> Any:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def division_checked(actor: Actor | None, code: str, *, village: bool = False) -> Division:
    """The division a record is filed under: known, inside the actor's jurisdiction, a village when asked."""
    code = (code or "").strip().ljust(12, "0")
    division = Division.objects.filter(code=code).first()
    if division is None:
        raise GovernanceError(f"区划代码 {code} 不存在")
    if actor is not None and not covers(actor.jurisdiction, code):
        raise GovernanceError(f"区划代码 {code}（{division.name}）不在您的管辖范围内")
    if village and division.level != 5:
        raise GovernanceError(f"{division.name} 不是村（社区）：请选择村（社区）")
    if division.level < 4:
        raise GovernanceError(f"{division.name} 不是村（社区）或乡镇（街道）")
    return division


def next_number(model: type[Model], label: str, division_code: str, year: int) -> str:
    """`议题-330212100201-2026-0003`: readable, per village and year; the unique index catches a race."""
    prefix = f"{label}-{division_code}-{year}-"
    taken = model._default_manager.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def required(value: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise GovernanceError(f"请填写{field}")
    return value


def user_or_none(actor: Actor | None) -> Actor | None:
    return actor if actor is not None and actor.is_authenticated else None


def read_recorded(actor: Actor, object_type: str, pk: object, summary: str, client_ip: str = "") -> None:
    """A detail page showing personal data (an asker, the parties, a household's ledger) leaves an audit row."""
    from django.db import transaction

    from minzheng.audit.services import audit_record

    with transaction.atomic():
        audit_record(
            actor=actor, action="view", object_type=object_type, object_id=str(pk), summary=summary, client_ip=client_ip
        )
