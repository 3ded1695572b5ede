"""Boundaries held by tools (issue 9 item 11): the import layers, the engines without Django, the types.

The schema side (schemathesis against the API) is in minzheng/api/tests/test_schema_fuzz.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENGINES = ["minzheng.verification.engine", "minzheng.rules.engine", "minzheng.eldercare.dispatch"]

# Imports every module of one engine package in a fresh interpreter with no Django settings, then lists
# what it pulled in: Django, or any minzheng module outside the engine and core's helpers.
PROBE = """
import importlib, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
allowed = (sys.argv[1], "minzheng.core.")
parents = {"minzheng", "minzheng.core", sys.argv[1].rsplit(".", 1)[0]}
bad = sorted(
    name for name in sys.modules
    if name == "django" or name.startswith(("django.", "ninja"))
    or (name.startswith("minzheng") and name not in parents and not name.startswith(allowed))
)
print("\\n".join(bad))
"""


def _env_without_django() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_imports_without_django(engine: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, engine],
        cwd=ROOT,
        env=_env_without_django(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [], f"{engine} pulled in: {result.stdout}"


def test_import_contracts() -> None:
    """pyproject.toml [tool.importlinter]: engines import no Django and no app; core imports no app."""
    result = subprocess.run(
        [str(BIN / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_types() -> None:
    """pyproject.toml [tool.mypy]: the engines and every app's services, with django-stubs.

    The cache lives in .venv/ (warm runs take seconds); `warn_unused_ignores` keeps old ignores from piling up.
    """
    result = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
