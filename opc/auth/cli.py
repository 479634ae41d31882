"""`flask --app opc users create|token`: thin, calls the operations."""

from __future__ import annotations

import os

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from opc.auth import operations as ops
from opc.auth.models import Role, User
from opc.core.errors import DomainError
from opc.extensions import db

users = AppGroup("users", help="Manage users and API tokens.")


def _fail(err: DomainError) -> None:
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in err.fields.items())
    raise click.ClickException(f"{err.message} {details}".strip())


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
        _fail(err)
    click.echo(f"created user {user.id} {user.email} ({user.role})")


@users.command("token")
@click.argument("email")
@click.option(
    "--scope",
    default="all",
    show_default=True,
    help=f"One or more of: {', '.join(ops.TOKEN_SCOPES)} (space-separated).",
)
@click.option("--name", default="cli", help="A label to recognise the token by.")
def token(email: str, scope: str, name: str) -> None:
    """Issue an API token; the token is printed as the last line (shown only once)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        secret = ops.issue_token(user, scope=scope, name=name)
    except DomainError as err:
        _fail(err)
    click.echo(f"token for {user.email}, scope {scope}:")
    click.echo(secret)


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
