"""Start-up checks: settings without which the installation must not serve."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

FEED_KEY_MISSING = (
    "未配置部门数据身份号码摘要密钥：请设置环境变量 MINZHENG_FEED_DIGEST_KEY（与各部门约定的 HMAC-SM3 密钥）。"
    "演示环境请用 minzheng demo（或设置 MINZHENG_DEMO=1）。"
)


def feed_digest_key_configured() -> bool:
    return bool(getattr(settings, "FEED_DIGEST_KEY", None))


def feed_digest_key_required() -> None:
    """Refuse to serve without the agreed key: the demo key would match digests silently wrong."""
    if not feed_digest_key_configured():
        raise ImproperlyConfigured(FEED_KEY_MISSING)


@checks.register(checks.Tags.security, deploy=True)
def feed_digest_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if feed_digest_key_configured():
        return []
    return [checks.Error(FEED_KEY_MISSING, id="accounts.E001")]
