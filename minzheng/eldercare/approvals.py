"""The care statement's approval: the kernel's one maker-checker (workflow/approvals.py)."""

from __future__ import annotations

from minzheng.eldercare.models import Statement
from minzheng.workflow.approvals import maker_checker
from minzheng.workflow.machine import Machine

MACHINE: Machine = maker_checker(Statement, object_type="eldercare_statement", label="居家养老服务结算单")
