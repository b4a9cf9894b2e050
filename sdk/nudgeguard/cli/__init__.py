"""The ``nudgeguard`` command line.

Subcommands live in small modules and register themselves on :data:`main`. Adapter
packages can add their own groups through the ``nudgeguard.cli`` entry-point group; they
are loaded only when their extra is installed.
"""

from __future__ import annotations

import click

from nudgeguard import __version__, plugins
from nudgeguard.log_redaction import configure_logging


class _Commands(click.Group):
    """The command group, which reports file system errors in one line.

    A file the system will not let a command read or write (a missing folder, no
    permission, a full disk) is an error naming it, not a traceback.
    """

    def invoke(self, ctx: click.Context) -> object:
        """Run the subcommand; turn an OSError into a clear error."""
        try:
            return super().invoke(ctx)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from None


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nudgeguard")
@click.option("-v", "--verbose", is_flag=True, help="Log more (never message text).")
def main(verbose: bool) -> None:
    """Private safety nudges for children and moderator cases for chat communities."""
    configure_logging(verbose)  # third-party payloads, ids and tokens never reach the log


def _register() -> None:
    from nudgeguard.cli import (
        assess,
        bench,
        case_actions,
        cases,
        chat,
        decisions,
        demo,
        keys,
        nudges,
        policy,
        privacy,
        report,
        run,
        signals,
    )
    from nudgeguard.cli import console as console_cli
    from nudgeguard.cli import eval as eval_cli

    modules = (cases, decisions, signals, chat, demo, policy, nudges, run, keys, privacy, report)
    for module in (*modules, case_actions, assess, eval_cli, bench, console_cli):
        for command in module.COMMANDS:
            main.add_command(command)
    for name in plugins.names("nudgeguard.cli"):
        try:
            command = plugins.load("nudgeguard.cli", name)
        except plugins.PluginError:
            continue  # the adapter's extra is not installed
        if isinstance(command, click.Command):
            main.add_command(command, name)


_register()
