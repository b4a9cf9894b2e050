"""``nudgeguard cases``: list, show, resolve, export and verify moderator cases."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import click

from nudgeguard.app import open_existing_store
from nudgeguard.cases.audit import ChainBreak
from nudgeguard.cases.bundle import Written, build_bundle, export_case
from nudgeguard.cases.integrity import CaseDamage
from nudgeguard.cases.model import Case, CaseStatus
from nudgeguard.cases.store import CaseStore, OutboxRecord
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.legend import legend_lines, local_time

#: Damaged cases and storage findings printed by ``verify`` before "... and N more".
_SHOWN = 50


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


_STORE_KEY = "nudgeguard.store"


def open_store(store: str | None, *, quiet: bool = False) -> CaseStore:
    """Open an existing case store; :func:`name_store` names it once the command succeeded.

    Quiet for JSON output, which stays alone for programs reading it.
    """
    s, where = open_existing_store(store)
    if not quiet:
        click.get_current_context().meta[_STORE_KEY] = where
    return s


def name_store() -> None:
    """Say which store the command used (on standard error).

    Called after the store work succeeded: a failing command prints only its one-line error.
    """
    where = click.get_current_context().meta.pop(_STORE_KEY, None)
    if where is not None:
        click.echo(f"store: {where}", err=True)


@click.group()
def cases() -> None:
    """Work with moderator cases."""


@cases.command("list")
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.option("--status", type=click.Choice([s.value for s in CaseStatus]), default=None)
def list_cases(store: str | None, as_json: bool, status: str | None) -> None:
    """List cases, newest first."""

    async def go() -> tuple[list[Case], dict[str, int], str]:
        s, where = open_existing_store(store)
        try:
            found = await s.list_cases(CaseStatus(status) if status else None)
            return found, await s.outbox_status(), where
        finally:
            await s.close()

    found, queue, where = run_async(go)
    if as_json:
        click.echo(json.dumps([case_summary(c) for c in found], indent=2))
        return
    click.echo(f"store: {where}", err=True)
    waiting = {k: n for k, n in queue.items() if k != "sent"}
    if waiting:
        click.echo(
            "outbox: "
            + ", ".join(f"{n} {k}" for k, n in sorted(waiting.items()))
            + " (see: nudgeguard cases outbox)"
        )
    if not found:
        click.echo("no cases")
    for c in found:
        click.echo(
            f"{c.id}  {local_time(c.opened_at)}  {c.status.value:<12} {c.severity.value:<8}"
            f" subject {c.subject} -> target {c.target}  signals {', '.join(c.signals)}"
        )
    if found:
        click.echo("signals and stages: nudgeguard signals")


@cases.command()
@store_option
@click.argument("case_id")
@click.option("--evidence", is_flag=True, help="Also print the evidence messages.")
def show(store: str | None, case_id: str, evidence: bool) -> None:
    """Show a case, its audit trail and (on request) its evidence."""

    async def go() -> tuple[Case | None, list[Any], str | None]:
        s = open_store(store)
        try:
            case = await s.get(case_id)
            events = await s.events(case_id) if case else []
            problem = await _check_case(s, case_id) if case else None
            if case and evidence:
                await s.record(case_id, "evidence_viewed", "cli", {"messages": len(case.evidence)})
            return case, events, problem
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, case_id) from None
        finally:
            await s.close()

    case, events, problem = run_async(go)
    name_store()
    if case is None:
        raise click.ClickException(f"no case {case_id}")
    if problem is not None:
        click.echo(f"warning: case {case_id} fails verification: {problem}", err=True)
    for key, value in readable(case).items():
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
                f"    [{local_time(m.ts)}] {_role(case, m.author)}{m.author}: {m.text}"
                + (f"  <{', '.join(m.signals)}>" if m.signals else "")
                + (f" ({flags})" if flags else "")
            )
    click.echo("audit:")
    for e in events:
        detail = ", ".join(f"{k} {'-' if v is None else v}" for k, v in e.detail.items())
        click.echo(
            f"    #{e.seq} {local_time(e.ts)} {e.kind} by {e.actor or '-'}"
            + (f" ({detail})" if detail else "")
        )
    legend = legend_lines(case.stages, case.signals)
    if legend:
        click.echo("legend:")
        click.echo("\n".join(legend))


def readable(case: Case) -> dict[str, str]:
    """Return a case's fields for people: local times, labels, no Python reprs."""
    return {
        "id": case.id,
        "status": case.status.value,
        "outcome": case.outcome.value if case.outcome else "-",
        "severity": case.severity.value,
        "score": f"{case.score:.2f}",
        "subject": f"{case.subject} (the person whose messages raised the case)",
        "target": f"{case.target} (the person they were aimed at)",
        "signals": ", ".join(case.signals) or "-",
        "stages": ", ".join(case.stages) or "-",
        "where": f"{case.platform}, community {case.community_id},"
        f" conversation {case.conversation_id}",
        "opened": local_time(case.opened_at),
        "updated": local_time(case.updated_at),
    }


def _role(case: Case, author: str) -> str:
    if author == case.subject:
        return "subject "
    if author == case.target:
        return "target "
    return ""


@cases.command()
@store_option
@click.argument("case_id")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for CASE.json, CASE.html and SHA256SUMS (a path ending in .json writes"
    " only the JSON; default: JSON on standard output).",
)
@click.option("--by", "actor", default="cli", show_default=True, help="Who exported it.")
def export(store: str | None, case_id: str, out: Path | None, actor: str) -> None:
    """Export a case as an evidence bundle: JSON plus an HTML page, with hashes.

    For reports to NCMEC, CEOP or a platform's trust and safety team. Images are never
    included. The export is audited with the bundle's SHA-256.
    """

    async def go() -> Written | dict[str, Any]:
        s = open_store(store, quiet=out is None)
        try:
            problem = await _check_case(s, case_id)
            if problem is not None:
                raise click.ClickException(
                    f"case {case_id} fails verification, not exported: {problem}"
                )
            if out is not None and out.suffix.lower() != ".json":
                return await export_case(s, case_id, out, actor)
            case = await s.get(case_id)
            if case is None:
                raise KeyError(case_id)
            events = await s.events(case_id)
            broken = await s.verify_chain()
            chain = {
                "head": await s.audit_head(),
                "verified": broken is None,
                "first_break": None if broken is None else f"row {broken.seq}",
            }
            bundle = build_bundle(case, events, chain, time.time())
            await s.record(case_id, "exported", actor, {"messages": len(case.evidence)})
            return bundle
        except KeyError:
            raise click.ClickException(f"no case {case_id}") from None
        except sqlite3.DatabaseError as exc:
            raise _damaged(exc, case_id) from None
        finally:
            await s.close()

    result = run_async(go)
    name_store()
    if isinstance(result, Written):
        click.echo(f"wrote {result.json_path}, {result.html_path} and {result.sums_path}")
        click.echo(f"bundle sha256 {result.bundle_sha256}")
    elif out is not None:
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"wrote {out}")
    else:
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))


@cases.command()
@store_option
def verify(store: str | None) -> None:
    """Check the store: its files, the audit chain, and every case and its evidence.

    Exits 1 naming the first broken link of the chain and every case whose rows differ
    from what the chain committed to (deleted, edited, evidence rewritten or unreadable).
    """

    async def go() -> tuple[list[str], Any, list[CaseDamage], str | None, int]:
        s = open_store(store)
        try:
            storage = await s.check_storage()
            try:
                broken = await s.verify_chain()
                head, rows = await s.audit_head(), len(await s.events())
            except sqlite3.DatabaseError as exc:
                broken, head, rows = (
                    ChainBreak(0, f"the audit rows cannot be read ({exc})"),
                    None,
                    0,
                )
            return storage, broken, await s.verify_cases(), head, rows
        finally:
            await s.close()

    storage, broken, damage, head, rows = run_async(go)
    name_store()
    for problem in storage[:_SHOWN]:
        click.echo(f"store file damaged: {problem}", err=True)
    if broken is not None:
        click.echo(f"audit chain broken at row {broken.seq}: {broken.reason}", err=True)
    for d in damage[:_SHOWN]:
        click.echo(f"case {d.case_id} damaged: {d.problem}", err=True)
    if len(damage) > _SHOWN:
        click.echo(f"... and {len(damage) - _SHOWN} more damaged cases", err=True)
    if storage or broken is not None or damage:
        sys.exit(1)
    click.echo(f"audit chain intact: {rows} rows, head {head or 'none'}; every case matches it")


def _damaged(exc: sqlite3.DatabaseError, case_id: str) -> click.ClickException:
    """Return the one-line error for a case the store cannot read."""
    return click.ClickException(
        f"case {case_id} cannot be read: the store is damaged ({exc}); run nudgeguard cases verify"
    )


async def _check_case(s: CaseStore, case_id: str) -> str | None:
    """Return why a case fails verification, or None when it matches the chain."""
    for d in await s.verify_cases():
        if d.case_id == case_id:
            return d.problem
    return None


@cases.command()
@store_option
@click.option(
    "--status",
    type=click.Choice(["pending", "sent", "undeliverable", "dead", "erased", "superseded"]),
    default=None,
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def outbox(store: str | None, status: str | None, limit: int, as_json: bool) -> None:
    """Show queued and delivered nudges and alerts (never their content)."""

    async def go() -> tuple[list[OutboxRecord], dict[str, int]]:
        s = open_store(store, quiet=as_json)
        try:
            return await s.outbox_items(status, limit), await s.outbox_status()
        finally:
            await s.close()

    items, counts = run_async(go)
    name_store()
    if as_json:
        click.echo(json.dumps([dataclasses.asdict(i) for i in items], indent=2))
        return
    click.echo("outbox: " + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "empty"))
    for i in items:
        when = "" if i.status != "pending" else f" next try {local_time(i.next_at)}"
        error = f" last error {i.last_error}" if i.last_error else ""
        click.echo(
            f"  {i.status:<13} {i.kind:<5} to {i.target:<12} attempts {i.attempts}"
            f"{when}{error}  {i.id}"
        )


COMMANDS = [cases]
