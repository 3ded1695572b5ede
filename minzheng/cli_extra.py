"""Commands whose implementation lives with their domain; registered on import."""

from __future__ import annotations

from minzheng.audit import cli as _audit_cli  # noqa: F401
from minzheng.dashboard import cli as _dashboard_cli  # noqa: F401
from minzheng.demo import cli as _demo_cli  # noqa: F401
from minzheng.eldercare import cli as _eldercare_cli  # noqa: F401
from minzheng.emergency import cli as _emergency_cli  # noqa: F401
from minzheng.funeral import cli as _funeral_cli  # noqa: F401
from minzheng.jobs import cli as _jobs_cli  # noqa: F401
from minzheng.meals import cli as _meals_cli  # noqa: F401
from minzheng.payments import cli as _payments_cli  # noqa: F401
from minzheng.registry import cli as _registry_cli  # noqa: F401
from minzheng.rules import cli as _rules_cli  # noqa: F401
from minzheng.scheduler import cli as _scheduler_cli  # noqa: F401
from minzheng.verification import cli as _verification_cli  # noqa: F401
from minzheng.workdays import cli as _workdays_cli  # noqa: F401
