"""`flask users create`: an account with its team or parks.

The command joins the `users` group of opc.auth when this module is imported.
"""

from __future__ import annotations

import os

import click

from opc.auth.cli import fail, users
from opc.auth.models import Role
from opc.core.errors import DomainError
from opc.users import operations as ops


@users.command("create")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--team", "team_id", type=int, help="Team id (members).")
@click.option("--park", "park_ids", type=int, multiple=True, help="Park id (staff); repeatable.")
@click.option("--name", default="", help="Display name.")
def create(
    email: str, role: str, team_id: int | None, park_ids: tuple[int, ...], name: str
) -> None:
    """Create a user. The password comes from OPC_PASSWORD or a prompt (not for providers)."""
    password = os.environ.get("OPC_PASSWORD")
    if password is None and role != Role.PROVIDER:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = ops.create_user(
            email, role=role, password=password, name=name, team_id=team_id, park_ids=list(park_ids)
        )
    except DomainError as err:
        fail(err)
    click.echo(f"created user {user.id} {user.email} ({user.role})")
