"""The vendored ECharts is the version the templates load and the README records, with its licence."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

VENDOR = Path(settings.BASE_DIR) / "static" / "minzheng" / "vendor"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "dashboard"


def test_vendored_echarts_is_the_recorded_version() -> None:
    script = (VENDOR / "echarts-6.1.0.min.js").read_text(encoding="utf-8")
    assert 'version="6.1.0"' in script or 'version:"6.1.0"' in script or '"6.1.0"' in script
    assert "Apache ECharts 6.1.0" in (VENDOR / "README.txt").read_text(encoding="utf-8")
    assert "Apache License" in (VENDOR / "licenses" / "echarts-LICENSE.txt").read_text(encoding="utf-8")
    for page in ("board.html", "screen.html"):
        assert "minzheng/vendor/echarts-6.1.0.min.js" in (TEMPLATES / page).read_text(encoding="utf-8")
