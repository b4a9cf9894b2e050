"""``nudgeguard privacy``: retention purges and data-subject requests."""

from __future__ import annotations

import json
from pathlib import Path

import click

from nudgeguard.app import open_store, pseudonymizer_for
from nudgeguard.cases.store import Erasure
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.config import ConfigError, load_config
from nudgeguard.privacy import parse_user
from nudgeguard.privacy.requests import AccessExport, ErasureHeld, erase_user, export_user
from nudgeguard.privacy.retention import PrivacySettings, PurgeReport, purge

user_option = click.option(
    "--user", "user", required=True, metavar="PLATFORM:ID", help="For example discord:1234."
)


def _user(spec: str) -> tuple[str, str]:
    try:
        return parse_user(spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--user") from None


@click.group()
def privacy() -> None:
    """Retention and data-subject requests (erasure, access)."""


@privacy.command("purge")
@store_option
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read retention days from this config (default: the built-in days).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be purged.")
def purge_cmd(store: str | None, config_path: Path | None, dry_run: bool) -> None:
    """Delete closed cases and records that are past their retention."""
    settings = PrivacySettings()
    if config_path is not None:
        try:
            settings = load_config(config_path).privacy
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None

    async def go() -> PurgeReport:
        s = open_store(store)
        try:
            return await purge(s, settings.retention_days, actor="cli", dry_run=dry_run)
        finally:
            await s.close()

    report = run_async(go)
    verb = "would purge" if dry_run else "purged"
    by_class = ", ".join(f"{len(ids)} {cls}" for cls, ids in sorted(report.cases.items()))
    click.echo(f"{verb} {report.case_count} cases" + (f" ({by_class})" if by_class else ""))
    if not dry_run:
        click.echo(f"purged {report.records} old records")


@privacy.command()
@store_option
@user_option
@click.option(
    "--force",
    is_flag=True,
    help="Also erase someone who is the subject of an active or confirmed case.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(store: str | None, user: str, force: bool, yes: bool) -> None:
    """Erase a person: their messages, pseudonym and id leave the store for good."""
    platform, user_id = _user(user)
    if not yes:
        click.confirm(
            f"Erase everything about {platform}:{user_id}? This cannot be undone", abort=True
        )

    async def go() -> Erasure:
        s = open_store(store)
        try:
            return await erase_user(
                s,
                await pseudonymizer_for(s, create=False),
                platform,
                user_id,
                actor="cli",
                force=force,
            )
        finally:
            await s.close()

    try:
        done = run_async(go)
    except ErasureHeld as exc:
        raise click.ClickException(
            f"not erased: this person is the subject of {len(exc.held)} active or confirmed"
            f" case(s) ({', '.join(exc.held)}) whose evidence may be needed. Close them, or"
            " use --force if erasure is lawful anyway."
        ) from None
    click.echo(
        f"erased: {done.messages} messages, pseudonym removed from {done.cases} cases and"
        f" {done.audit_rows} audit rows, id blanked in {done.mentions} mentions,"
        f" {done.outbox_items} queued deliveries dropped"
    )
    if not (done.messages or done.cases or done.audit_rows or done.outbox_items or done.mentions):
        click.echo(
            "nothing about this person was found; if that is unexpected, check that"
            " NUDGEGUARD_PSEUDONYM_KEY is the key the bot uses",
            err=True,
        )


@privacy.command("export")
@store_option
@user_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write JSON here (default: standard output).",
)
@click.option(
    "--include-withheld",
    is_flag=True,
    help="Include active or confirmed cases where the person is the subject (tip-off risk).",
)
def export_cmd(store: str | None, user: str, out: Path | None, include_withheld: bool) -> None:
    """Export what the store holds about a person (access request)."""
    platform, user_id = _user(user)

    async def go() -> AccessExport:
        s = open_store(store)
        try:
            return await export_user(
                s,
                await pseudonymizer_for(s),
                platform,
                user_id,
                actor="cli",
                include_withheld=include_withheld,
            )
        finally:
            await s.close()

    result = run_async(go)
    text = json.dumps(result.data, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out} ({len(result.data['cases'])} cases)", err=True)
    if result.withheld:
        click.echo(
            f"withheld {len(result.withheld)} active or confirmed case(s) where this person is"
            " the subject, to avoid tipping them off: " + ", ".join(result.withheld),
            err=True,
        )


COMMANDS = [privacy]
