"""`flask --app app lti …`: register LMSs, manage the tool's keys, send queued scores, purge launch state."""

from __future__ import annotations

import click
from flask import current_app, url_for
from flask.cli import AppGroup

from ..core.errors import Conflict, NotFound
from ..lti import keys, sender, storage
from ..models import utcnow

lti = AppGroup("lti", help="LTI 1.3: LMS registrations, tool keys, grade passback.")


def _tool_urls() -> dict[str, str]:
    """What an LMS administrator types in when registering Reset Lab."""
    base = current_app.config.get("PUBLIC_URL") or "http://127.0.0.1:5000"
    with current_app.test_request_context(base_url=base):
        return {"login (OIDC initiation) URL": url_for("lti.login", _external=True),
                "redirect / launch / deep linking URL": url_for("lti.launch", _external=True),
                "public keyset (JWKS) URL": url_for("lti.jwks", _external=True)}


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The LMS's issuer (iss), e.g. https://canvas.instructure.com")
@click.option("--client-id", required=True, help="The client id the LMS gave Reset Lab.")
@click.option("--name", default="LMS", show_default=True, help="A name for people (shown on class pages).")
@click.option("--auth-login-url", required=True, help="The LMS's OIDC authorization endpoint.")
@click.option("--auth-token-url", required=True, help="The LMS's OAuth2 token endpoint.")
@click.option("--key-set-url", required=True, help="The LMS's public keys (JWKS).")
@click.option("--deployment", "deployments", multiple=True, required=True, help="A deployment id (repeat).")
@click.option("--auth-audience", default=None, help="The token endpoint's audience, when the LMS says so.")
@click.option("--frame-origin", "frame_origins", multiple=True,
              help="An origin whose pages may show Reset Lab in a frame (repeat); default: the issuer's and "
                   "the login URL's.")
def add_platform(issuer: str, client_id: str, name: str, auth_login_url: str, auth_token_url: str,
                 key_set_url: str, deployments: tuple[str, ...], auth_audience: str | None,
                 frame_origins: tuple[str, ...]) -> None:
    """Register an LMS (running it again updates it and adds deployment ids)."""
    try:
        platform = keys.add_platform(issuer=issuer, client_id=client_id, name=name,
                                     auth_login_url=auth_login_url, auth_token_url=auth_token_url,
                                     key_set_url=key_set_url, deployment_ids=deployments,
                                     auth_audience=auth_audience, frame_origins=frame_origins)
    except Conflict as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"registered {platform.name}: issuer {platform.issuer}, client id {platform.client_id}")
    if not keys.tool_keys():
        keys.new_key()
        click.echo("made the tool's first key pair")
    for label, url in _tool_urls().items():
        click.echo(f"  {label}: {url}")


@lti.command("list")
def list_platforms() -> None:
    """Every registered LMS with its deployment ids and frame origins."""
    found = keys.platforms()
    if not found:
        click.echo("no LMS registered: flask --app app lti add-platform --help")
    for platform, deployments in found:
        state = "" if platform.active else " (inactive)"
        click.echo(f"{platform.id}. {platform.name}{state}: issuer {platform.issuer}, client id "
                   f"{platform.client_id}, deployments {', '.join(deployments)}; frames "
                   f"{', '.join(platform.frame_origins)}")


@lti.command("keys")
@click.option("--new", "make", is_flag=True, help="Add a key pair (published now; signs only if none does).")
@click.option("--use", "use", metavar="KID", help="Sign with this key from now on.")
@click.option("--retire", metavar="KID", help="Stop publishing this key.")
def tool_keys(make: bool, use: str | None, retire: str | None) -> None:
    """The tool's keys (made on first use) and the URLs to give an LMS. Rotation: --new, wait a day,
    --use NEW, a day later --retire OLD."""
    try:
        if make or not keys.tool_keys():
            click.echo(f"made key {keys.new_key().kid}")
        if use:
            keys.use_key(use)
        if retire:
            keys.retire_key(retire)
    except (Conflict, NotFound) as err:
        raise click.ClickException(f"{err}") from None
    for key in keys.tool_keys(include_retired=True):
        state = "signing" if key.signing else "retired" if key.retired_at else "published"
        click.echo(f"{key.kid}  {state}  made {key.created_at:%Y-%m-%d}")
    for label, url in _tool_urls().items():
        click.echo(f"  {label}: {url}")


@lti.command("send-scores")
@click.option("--limit", default=500, show_default=True, help="At most this many scores.")
def send_scores(limit: int) -> None:
    """Post queued scores to the LMSs (run it from cron every minute or so)."""
    report = sender.send_due(utcnow(), limit=limit)
    click.echo(f"{report.sent} sent, {report.retried} to retry later, {report.dead} refused by the LMS")


@lti.command("purge")
def purge() -> None:
    """Delete expired launch state, spent nonces and tokens (daily from cron)."""
    click.echo(f"{storage.purge(utcnow())} expired entries deleted")
