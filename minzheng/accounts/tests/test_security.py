"""Item 10 (accounts part): client address, HTTPS settings, CSP, API docs behind login, idle sessions, digest key."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.accounts.services import token_issue
from minzheng.audit.services import client_ip
from minzheng.cli import app
from minzheng.testing import Cast

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "minzheng").rglob("templates/**/*.html"))


def ip_of(settings: object, proxies: list[str], remote: str, forwarded: str) -> str:
    settings.MINZHENG_TRUSTED_PROXIES = proxies  # type: ignore[attr-defined]
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    return client_ip(request)


def test_forwarded_for_only_from_a_trusted_proxy(settings: object) -> None:
    assert ip_of(settings, [], "203.0.113.9", "10.9.9.9") == "203.0.113.9"  # default: nobody is trusted
    assert ip_of(settings, ["10.0.0.1"], "203.0.113.9", "10.9.9.9") == "203.0.113.9"  # not from the proxy
    assert ip_of(settings, ["10.0.0.1"], "10.0.0.1", "198.51.100.7") == "198.51.100.7"
    # The client may prepend anything; the proxy appends the address it really saw.
    assert ip_of(settings, ["10.0.0.1"], "10.0.0.1", "1.2.3.4, 198.51.100.7") == "198.51.100.7"
    assert ip_of(settings, ["10.0.0.0/24"], "10.0.0.2", "198.51.100.7, 10.0.0.3") == "198.51.100.7"
    assert ip_of(settings, ["10.0.0.1"], "10.0.0.1", "") == "10.0.0.1"


def run_settings(tmp_path: Path, code: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k not in {"MINZHENG_FEED_DIGEST_KEY", "MINZHENG_DEMO"}}
    base.update(
        DJANGO_SETTINGS_MODULE="minzheng.config.settings", MINZHENG_DATA_DIR=str(tmp_path), SECRET_KEY="k" * 50, **env
    )
    return subprocess.run(
        [sys.executable, "-c", code], env=base, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


SHOW = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
)


def test_https_turns_on_secure_cookies_and_hsts(tmp_path: Path) -> None:
    plain = run_settings(tmp_path, SHOW, MINZHENG_DEMO="1")
    assert plain.stdout.split() == ["False", "False", "0", "None"], plain.stderr
    https = run_settings(tmp_path, SHOW, MINZHENG_DEMO="1", MINZHENG_HTTPS="1", MINZHENG_TRUSTED_PROXIES="10.0.0.1")
    assert https.stdout.strip() == "True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https')", https.stderr


def test_server_refuses_to_start_without_a_feed_digest_key(tmp_path: Path) -> None:
    start = "import minzheng.config.wsgi; print('started')"
    refused = run_settings(tmp_path, start)
    assert refused.returncode != 0 and "未配置部门数据身份号码摘要密钥" in refused.stderr
    assert "started" not in refused.stdout
    assert run_settings(tmp_path, start, MINZHENG_DEMO="1").stdout.strip() == "started"
    assert run_settings(tmp_path, start, MINZHENG_FEED_DIGEST_KEY="bureau-key").stdout.strip() == "started"
    shown = run_settings(tmp_path, "from django.conf import settings as s; print(s.FEED_DIGEST_KEY)", MINZHENG_DEMO="1")
    assert shown.stdout.strip() == "minzheng-demo-hmac-key"


def test_worker_and_deploy_check_refuse_without_the_key(db: None, settings: object) -> None:
    from django.core import checks

    settings.FEED_DIGEST_KEY = None  # type: ignore[attr-defined]
    out = CliRunner().invoke(app, ["worker", "--once", "--no-scheduler"])
    assert out.exit_code == 1 and "MINZHENG_FEED_DIGEST_KEY" in out.output
    assert [m.id for m in checks.run_checks(include_deployment_checks=True) if m.id == "accounts.E001"] == [
        "accounts.E001"
    ]


def test_demo_command_runs_with_the_demo_key() -> None:
    source = (ROOT / "minzheng/demo/cli.py").read_text(encoding="utf-8")
    assert 'os.environ.setdefault("MINZHENG_DEMO", "1")' in source
    assert django_settings.FEED_DIGEST_KEY  # the test suite runs with a key (the demo county's)


def test_content_security_policy_allows_only_our_own_scripts(db: None) -> None:
    policy = Client().get("/accounts/login/")["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


def test_no_template_needs_inline_script() -> None:
    """Inline <script> bodies and on…= handlers would be blocked by the policy above."""
    offenders = []
    for path in TEMPLATES:
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert offenders == []


def test_polling_elements_say_they_poll() -> None:
    polling = [p for p in TEMPLATES if 'hx-trigger="every' in p.read_text(encoding="utf-8")]
    assert len(polling) >= 6
    for path in polling:
        for tag in re.findall(r"<[^>]*hx-trigger=\"every[^>]*>", path.read_text(encoding="utf-8"), flags=re.S):
            assert """hx-headers='{"X-Minzheng-Poll": "1"}'""" in tag, path


def session_expiry(client: Client) -> dt.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_polling_does_not_keep_the_session_alive(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.town_officer)
    soon = timezone.now() + dt.timedelta(minutes=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    assert client.get("/accounts/password/", HTTP_HX_REQUEST="true", HTTP_X_MINZHENG_POLL="1").status_code == 200
    assert session_expiry(client) == soon  # a page polling on its own does not extend the idle time
    client.get("/accounts/password/")
    assert session_expiry(client) > timezone.now() + dt.timedelta(minutes=29)  # a person's request does


def test_a_page_part_loaded_by_the_page_neither_extends_the_session_nor_draws_the_top_bar(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.town_officer)
    soon = timezone.now() + dt.timedelta(minutes=1)
    Session.objects.filter(session_key=client.session.session_key).update(expire_date=soon)
    part = client.get("/accounts/password/", HTTP_HX_REQUEST="true", HTTP_X_MINZHENG_FRAGMENT="1")
    assert part.status_code == 200 and "居民查询" not in part.content.decode()  # no top-bar entries
    assert session_expiry(client) == soon
    page = client.get("/accounts/password/")
    assert "居民查询" in page.content.decode() and session_expiry(client) > timezone.now() + dt.timedelta(minutes=29)


def test_parts_loaded_with_their_page_say_so() -> None:
    """Only hx-trigger="load" parts may carry the fragment header: a person's click must push the session."""
    for path in TEMPLATES:
        for tag in re.findall(r"<[^>]*X-Minzheng-Fragment[^>]*>", path.read_text(encoding="utf-8"), flags=re.S):
            assert 'hx-trigger="load"' in tag, path


def test_api_docs_need_a_login(cast: Cast) -> None:
    anonymous = Client()
    assert anonymous.get("/api/v1/docs")["Location"].startswith("/accounts/login/?next=/api/v1/docs")
    schema = anonymous.get("/api/v1/openapi.json")
    assert schema.status_code == 401 and schema.json() == {"detail": "请先登录或提供有效的令牌"}
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION="Bearer forged").status_code == 401
    token = token_issue(actor=None, user=cast.town_officer)
    assert Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    staff = Client()
    staff.force_login(cast.town_officer)
    assert staff.get("/api/v1/openapi.json").json()["info"]["title"] == "民政业务平台接口"
    assert staff.get("/api/v1/docs").status_code == 200
