"""The audit hash chain: one row's canonical content and its SHA-256 link to the row before.

Pure functions, no Django models: the migration that hashes existing rows and the service
that writes new ones must compute exactly the same bytes. Changing anything here breaks the
verification of every stored row, so the format carries a version ("v1").

hash(n) = SHA-256( "v1" \\n prev_hash(n) \\n canonical(n) ), prev_hash(n) = hash(n-1),
prev_hash(1) = GENESIS. `seq` (not the database id) is the row's place in the chain: the id
is assigned by the database during the INSERT, and writing it into the hash afterwards would
need an UPDATE, which the log refuses.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from typing import Any

VERSION = "v1"
GENESIS = "0" * 64

# The columns a hash covers, in this order. `id` is absent on purpose (see above).
FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "summary",
    "reason",
    "client_ip",
    "data",
)


def _at(value: dt.datetime) -> str:
    # UTC with microseconds: both databases store microseconds, whatever the server's zone.
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: Mapping[str, Any]) -> str:
    """One JSON line; keys sorted so a JSON column's key order after a round trip does not matter."""
    values = {name: row[name] for name in FIELDS}
    values["at"] = _at(row["at"])
    return json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def link(prev_hash: str, row: Mapping[str, Any]) -> str:
    text = f"{VERSION}\n{prev_hash}\n{canonical(row)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
