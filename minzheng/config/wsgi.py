from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
application = get_wsgi_application()

# `minzheng serve` and any WSGI server start here: refuse to serve without the feed digest key.
from minzheng.accounts.checks import feed_digest_key_required  # noqa: E402

feed_digest_key_required()
