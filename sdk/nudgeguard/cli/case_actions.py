"""``nudgeguard cases ack`` and ``cases resolve``: a person's decision, from the shell.

Either change is audited and queues the update of the case's chat post (and a delivery to
every sink its alerts went to) in the same transaction; the running bot's outbox sends it,
drawn from the case as recorded then (see :func:`nudgeguard.delivery.case_alert.change_status`).
"""

from __future__ import annotations

from pathlib import Path

import click

from nudgeguard.cases.model import Case, CaseStatus, Outcome, closing_status
from nudgeguard.cli.cases import cases, name_store, open_store
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.config import ConfigError, load_config
from nudgeguard.delivery.case_alert import change_status
from nudgeguard.locales import LanguageSettings

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Read the communities' languages (languages:) from this config: the chat post is"
    " re-drawn in its moderators' language (else English).",
)


def _languages(config_path: Path | None) -> LanguageSettings:
    """Return the config's language settings (the defaults without a config)."""
    if config_path is None:
        return LanguageSettings()
    try:
        return load_config(config_path).languages
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


def _change(
    store: str | None,
    case_id: str,
    status: CaseStatus,
    actor: str,
    outcome: Outcome | None,
    languages: LanguageSettings,
) -> Case:
    """Change a case's status, audited and with its post's update queued."""

    async def go() -> Case:
        s = open_store(store)
        try:
            case = await s.get(case_id)
            if case is None:
                raise click.ClickException(f"no case {case_id}")
            locale = languages.for_moderators(case.community_id)
            changed, _, _ = await change_status(
                s, case_id, status, actor, outcome, locale=locale, via="cli", name=actor
            )
            return changed
        finally:
            await s.close()

    return run_async(go)


@cases.command()
@store_option
@click.argument("case_id")
@click.option("--by", "actor", default="cli", show_default=True, help="Who acknowledged it.")
@config_option
def ack(store: str | None, case_id: str, actor: str, config_path: Path | None) -> None:
    """Acknowledge a case: someone is looking at it (audited; the chat post follows)."""
    languages = _languages(config_path)
    case = _change(store, case_id, CaseStatus.ACKNOWLEDGED, actor, None, languages)
    name_store()
    click.echo(f"{case.id} is now {case.status.value}")


@cases.command()
@store_option
@click.argument("case_id")
@click.option("--outcome", required=True, type=click.Choice([o.value for o in Outcome]))
@click.option("--by", "actor", default="cli", show_default=True, help="Who decided.")
@config_option
def resolve(
    store: str | None, case_id: str, outcome: str, actor: str, config_path: Path | None
) -> None:
    """Close a case with an outcome decided by a person (audited; the chat post follows)."""
    languages = _languages(config_path)
    out = Outcome(outcome)
    case = _change(store, case_id, closing_status(out), actor, out, languages)
    name_store()
    click.echo(f"{case.id} is now {case.status.value} ({outcome})")


#: Registered on the ``cases`` group when imported.
COMMANDS: list[click.Command] = []
