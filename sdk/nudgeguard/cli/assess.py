"""``nudgeguard assess``: the impact assessment to run before going live."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import click

from nudgeguard.cli.common import run_async
from nudgeguard.evaluation.assessment import ImpactReport, assess, render_html, render_markdown
from nudgeguard.local.transcript import TranscriptError
from nudgeguard.policy import PolicyError, load_policy


@click.command("assess")
@click.argument(
    "corpora", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--policy", "policy_name", required=True, help="Built-in pack name or YAML path.")
@click.option(
    "--ages",
    type=click.Choice(["declared", "unknown"]),
    default="declared",
    show_default=True,
    help="Pass the corpora's declared age bands to the engine, or none.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "md"]),
    default=None,
    help="Default: from --out's suffix; Markdown on standard output.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None)
def assess_cmd(
    corpora: tuple[Path, ...], policy_name: str, ages: str, fmt: str | None, out: Path | None
) -> None:
    """Project nudges and cases per 1,000 messages and per child for a policy.

    CORPORA are transcript files (JSON Lines, one conversation a line). Examples in the
    report are masked; no readable message text is written.
    """
    try:
        pack = load_policy(policy_name)
    except PolicyError as exc:
        raise click.ClickException(str(exc)) from None
    mode = cast(Literal["declared", "unknown"], ages)
    try:
        report: ImpactReport = run_async(lambda: assess(list(corpora), pack, mode))
    except TranscriptError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt is None:
        fmt = "html" if out is not None and out.suffix.lower() in (".html", ".htm") else "md"
    text = render_html(report) if fmt == "html" else render_markdown(report)
    if out is None:
        click.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    click.echo(
        f"wrote {out}: {report.nudges} nudges, {report.cases} cases in {report.messages} messages"
    )


COMMANDS = [assess_cmd]
