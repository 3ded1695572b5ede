"""PostgreSQL privileges for an application role that cannot edit the audit log.

The tables belong to an owner role that runs `minzheng migrate`; the web server and the worker
connect as an application role that may read and write the business tables, but on the audit
table only SELECT and INSERT. Not owning the tables, it cannot drop or disable the guard triggers
either. `minzheng audit grants` prints this script for psql; run it as the owner after every
`minzheng migrate` (a new table gets no privileges until it is run again).
"""

from __future__ import annotations

import re

from minzheng.audit.guard import TABLE

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grants_sql(*, app_role: str, schema: str = "public") -> str:
    """The statements, one per line; the names are checked, not quoted, so a typo cannot inject SQL."""
    for name in (app_role, schema):
        if not NAME.match(name):
            raise ValueError(f"“{name}”不是合法的 PostgreSQL 名称（小写字母、数字、下划线，字母开头）")
    return "\n".join(
        [
            f"GRANT USAGE ON SCHEMA {schema} TO {app_role};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {app_role};",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {app_role};",
            f"REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON {schema}.{TABLE} FROM {app_role};",
        ]
    )
