"""``nudgeguard cases``: list, show, resolve, export and verify moderator cases."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from nudgeguard.app import open_store
from nudgeguard.cases.model import Case, CaseStatus, Outcome
from nudgeguard.cli.common import run_async, store_option


def case_summary(case: Case) -> dict[str, Any]:
    """Return the JSON shape of a case in listings (no message text)."""
    return {
        "id": case.id,
        "status": case.status.value,
        "severity": case.severity.value,
        "subject": case.subject,
        "target": case.target,
        "signals": list(case.signals),
        "stages": list(case.stages),
        "score": case.score,
        "platform": case.platform,
        "community_id": case.community_id,
        "conversation_id": case.conversation_id,
        "opened_at": case.opened_at,
        "outcome": case.outcome.value if case.outcome else None,
    }


@click.group()
def cases() -> None:
    """Work with moderator cases."""


@cases.command("list")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--status", type=click.Choice([s.value for s in CaseStatus]), default=None)
def list_cases(store: Path | None, as_json: bool, status: str | None) -> None:
    """List cases, newest first."""

    async def go() -> list[Case]:
        s = open_store(store)
        try:
            return await s.list_cases(CaseStatus(status) if status else None)
        finally:
            await s.close()

    found = run_async(go)
    if as_json:
        click.echo(json.dumps([case_summary(c) for c in found], indent=2))
        return
    if not found:
        click.echo("no cases")
    for c in found:
        click.echo(
            f"{c.id}  {c.status.value:<12} {c.severity.value:<8} subject {c.subject}"
            f"  signals {', '.join(c.signals)}"
        )


@cases.command()
@store_option
@click.argument("case_id")
@click.option("--evidence", is_flag=True, help="Also print the evidence messages.")
def show(store: Path | None, case_id: str, evidence: bool) -> None:
    """Show a case, its audit trail and (on request) its evidence."""

    async def go() -> tuple[Case | None, list[Any]]:
        s = open_store(store)
        try:
            case = await s.get(case_id)
            events = await s.events(case_id) if case else []
            if case and evidence:
                await s.record(case_id, "evidence_viewed", "cli", {"messages": len(case.evidence)})
            return case, events
        finally:
            await s.close()

    case, events = run_async(go)
    if case is None:
        raise click.ClickException(f"no case {case_id}")
    for key, value in case_summary(case).items():
        click.echo(f"{key:>16}: {value}")
    for reason in case.reasons:
        click.echo(f"{'reason':>16}: {reason}")
    click.echo(
        f"{'evidence':>16}: {len(case.evidence)} messages"
        + ("" if evidence else " (add --evidence to print them)")
    )
    if evidence:
        for m in case.evidence:
            flags = " ".join(f for f, on in (("edited", m.edited), ("deleted", m.deleted)) if on)
            click.echo(
                f"    [{m.ts:.0f}] {m.author}: {m.text}"
                + (f"  <{', '.join(m.signals)}>" if m.signals else "")
                + (f" ({flags})" if flags else "")
            )
    click.echo("audit:")
    for e in events:
        click.echo(f"    #{e.seq} {e.kind} by {e.actor} {json.dumps(e.detail)}")


@cases.command()
@store_option
@click.argument("case_id")
@click.option("--outcome", required=True, type=click.Choice([o.value for o in Outcome]))
@click.option("--by", "actor", default="cli", show_default=True, help="Who decided.")
def resolve(store: Path | None, case_id: str, outcome: str, actor: str) -> None:
    """Close a case with an outcome decided by a person."""

    async def go() -> Case:
        s = open_store(store)
        try:
            if await s.get(case_id) is None:
                raise click.ClickException(f"no case {case_id}")
            out = Outcome(outcome)
            status = (
                CaseStatus.DISMISSED if out is Outcome.FALSE_POSITIVE else (CaseStatus.RESOLVED)
            )
            return await s.transition(case_id, status, actor, outcome=out)
        finally:
            await s.close()

    case = run_async(go)
    click.echo(f"{case.id} is now {case.status.value} ({outcome})")


@cases.command()
@store_option
@click.argument("case_id")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write here instead of standard output.",
)
def export(store: Path | None, case_id: str, out: Path | None) -> None:
    """Export a case as a JSON evidence bundle (no images, ever)."""

    async def go() -> dict[str, Any]:
        s = open_store(store)
        try:
            case = await s.get(case_id)
            if case is None:
                raise click.ClickException(f"no case {case_id}")
            await s.record(case_id, "exported", "cli", {})
            events = await s.events(case_id)
            return {
                "case": case_summary(case),
                "reasons": list(case.reasons),
                "evidence": [m.model_dump() for m in case.evidence],
                "audit": [e.model_dump() for e in events],
            }
        finally:
            await s.close()

    text = json.dumps(run_async(go), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"wrote {out}")


@cases.command()
@store_option
def verify(store: Path | None) -> None:
    """Check the audit hash chain; exit 1 naming the first broken link."""

    async def go() -> Any:
        s = open_store(store)
        try:
            return await s.verify_chain()
        finally:
            await s.close()

    broken = run_async(go)
    if broken is None:
        click.echo("audit chain intact")
        return
    click.echo(f"audit chain broken at row {broken.seq}: {broken.reason}", err=True)
    sys.exit(1)


COMMANDS = [cases]
