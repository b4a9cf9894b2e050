"""``nudgeguard policy``: validate, explain and print the schema of policy packs."""

from __future__ import annotations

import click

from nudgeguard.cli.common import BadFileError
from nudgeguard.policy import PolicyError, load_policy, schema_json
from nudgeguard.policy.explain import explain


@click.group()
def policy() -> None:
    """Check and explain policy packs."""


@policy.command()
@click.argument("file")
def validate(file: str) -> None:
    """Validate a policy pack; print each error as ``file:line: field: problem`` (exit 2)."""
    try:
        pack = load_policy(file)
    except PolicyError as exc:
        raise BadFileError(exc) from None
    click.echo(f"{file}: ok (policy '{pack.name}', mode {pack.mode}, {len(pack.rules)} rules)")


@policy.command("explain")
@click.argument("name_or_file")
def explain_cmd(name_or_file: str) -> None:
    """Say in plain words what each rule of a pack does."""
    try:
        pack = load_policy(name_or_file)
    except PolicyError as exc:
        raise BadFileError(exc) from None
    click.echo(explain(pack))


@policy.command()
def schema() -> None:
    """Print the JSON schema of policy packs."""
    click.echo(schema_json(), nl=False)


COMMANDS = [policy]
