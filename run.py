#!/usr/bin/env python3
"""Bootstrap and front door: `python3 run.py demo` or `python3 run.py test`.

Needs only python3 on a fresh machine. Creates `.venv/` in the repo root,
installs the project with its test extras, then runs the demo or the suite.
The install is skipped when pyproject.toml has not changed since the last one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / "bin" / "python"
STAMP = VENV / ".minzheng-installed"


def _sh(*args: str, **kw: object) -> int:
    return subprocess.call(list(args), cwd=ROOT, **kw)  # type: ignore[arg-type]


def ensure_venv() -> None:
    if not PY.exists():
        print("创建虚拟环境 .venv/ …", flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", str(VENV)])
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("安装依赖（首次约 1 分钟）…", flush=True)
    subprocess.check_call([str(PY), "-m", "pip", "install", "-q", "-e", f"{ROOT}[test]"])
    STAMP.write_text(digest)


def ensure_chromium() -> None:
    """Browser tests use Debian's chromium; Playwright never downloads its own."""
    if Path("/usr/bin/chromium").exists():
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        print("缺少 /usr/bin/chromium，且无法自动安装：请执行 apt-get install -y chromium", flush=True)
        return
    print("安装 Debian chromium（浏览器测试用）…", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.call(["apt-get", "update", "-qq"], env=env)
    subprocess.check_call(["apt-get", "install", "-y", "-qq", "chromium"], env=env)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "setup"}:
        print(__doc__)
        return 2
    ensure_venv()
    cmd, rest = argv[0], argv[1:]
    if cmd == "demo":
        return _sh(str(VENV / "bin" / "minzheng"), "demo", *rest)
    # Setup installs the browser too, so two suites started after it never race on apt-get.
    ensure_chromium()
    if cmd == "setup":
        return 0
    code = _sh(str(PY), "-m", "pytest", *rest)
    # pytest's 5 means "no tests collected": a suite that runs nothing is a failure.
    return 1 if code == 5 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
