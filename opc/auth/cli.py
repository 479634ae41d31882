"""`flask --app opc users token` and `reset-password`: thin, call the operations (opc.users
adds `create`)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from opc.auth import operations as ops
from opc.auth import resets
from opc.auth.models import User
from opc.core.errors import DomainError
from opc.extensions import db

users = AppGroup("users", help="Manage users and API tokens.")


def fail(err: DomainError) -> None:
    """A refused command: the operation's message and field errors, exit status 1."""
    details = "; ".join(f"{k}: {', '.join(map(str, v))}" for k, v in err.fields.items())
    raise click.ClickException(f"{err.message} {details}".strip())


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
        fail(err)
    click.echo(f"token for {user.email}, scope {scope}:")
    click.echo(secret)


@users.command("reset-password")
@click.argument("email")
@click.option("--revoke-tokens", is_flag=True, help="Also revoke the user's API tokens.")
def reset_password(email: str, revoke_tokens: bool) -> None:
    """Force a password reset (the way back in for a locked-out administrator): the old
    password stops working, the sessions end; the one-time link is mailed when mail is
    configured, and printed as the last line otherwise."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no user with e-mail {email}")
    try:
        issued = resets.force_reset(user, actor=None, revoke_tokens=revoke_tokens)
    except DomainError as err:
        fail(err)
    if issued.mailed:
        click.echo(f"password of {user.email} reset; the link was mailed to them")
        return
    click.echo(f"password of {user.email} reset; the link to set a new one (works once):")
    click.echo(issued.link)
