"""一键核对（家庭经济状况核对）: `minzheng` commands (registered by minzheng.cli_extra)."""

from __future__ import annotations

import typer

from minzheng.cli import app

# The `minzheng verify …` group: every verification command (household, batch, …) hangs here.
verify_app = typer.Typer(help="一键核对（家庭经济状况核对）", no_args_is_help=True)
app.add_typer(verify_app, name="verify")
