"""The machines of this app (machines/*.yaml), loaded once and bound to their models on import."""

from __future__ import annotations

from pathlib import Path

import yaml

from minzheng.socialorgs.models import AnnualReport, Filing, Lead, Organisation
from minzheng.socialorgs.models_venture import Instalment, Round
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

_DIR = Path(__file__).with_name("machines")


def _load(file: str, name: str) -> Machine:
    return load(name, yaml.safe_load((_DIR / file).read_text(encoding="utf-8")))


ORG = _load("organisation.yaml", "socialorg")
FILING = _load("filing.yaml", "socialorg_filing")
REPORT = _load("annual_report.yaml", "socialorg_report")
LEAD = _load("lead.yaml", "socialorg_lead")
ROUND = _load("venture_round.yaml", "venture_round")
INSTALMENT = _load("instalment.yaml", "venture_instalment")

workflow.bind(Organisation, workflow.Binding(object_type="socialorg", machine=lambda _: ORG))
workflow.bind(Filing, workflow.Binding(object_type="socialorg_filing", machine=lambda _: FILING, due_field="due_on"))
workflow.bind(AnnualReport, workflow.Binding(object_type="socialorg_report", machine=lambda _: REPORT))
workflow.bind(Lead, workflow.Binding(object_type="socialorg_lead", machine=lambda _: LEAD, due_field="due_on"))
workflow.bind(Round, workflow.Binding(object_type="venture_round", machine=lambda _: ROUND))
workflow.bind(Instalment, workflow.Binding(object_type="venture_instalment", machine=lambda _: INSTALMENT))
