"""``nudgeguard chat``: an interactive terminal chat through the full pipeline."""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

import click

from nudgeguard.app import open_store, pseudonymizer_for
from nudgeguard.cli.common import run_async, store_option
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, AgeSource, ConversationKind, MessageEvent, Participant
from nudgeguard.local import LocalAdapter, render
from nudgeguard.policy import load_policy
from nudgeguard.policy.decisions import decision_of, describe, observation_of, worth_recording
from nudgeguard.state.store import UNKNOWN_AGE, AgeInference

LINE = re.compile(r"^@?(?P<who>[\w.-]{1,64}):\s?(?P<text>.*)$")
HELP = """\
Type lines as  @name: message   (for example  @alex: hi there)
Commands:
  /age NAME minor|adult|unknown   set a person's age band (as an admin role would)
  /cases                          list cases opened so far
  /help                           this text
  /quit                           leave (end of input works too)"""


@click.command()
@store_option
@click.option("--policy", default="default", show_default=True, help="Pack name or path.")
@click.option("--direct", is_flag=True, help="A two-person direct chat instead of a group.")
def chat(store: str | None, policy: str, direct: bool) -> None:
    """Chat in the terminal and watch nudges and alerts appear as they would.

    Cases and decisions go to --store (or $NUDGEGUARD_STORE) when given, else to a new
    temporary store; its path is printed at the start and the end. With --policy observe
    nothing is sent: each decision prints what would have been sent, to whom and why.
    """
    path = store or Path(tempfile.mkdtemp(prefix="nudgeguard-chat-")) / "cases.sqlite3"
    click.echo(f"case store: {path}")
    run_async(lambda: _chat(path, policy, direct))


async def _chat(path: str | Path, policy: str, direct: bool) -> None:
    cases = open_store(path)
    adapter = LocalAdapter(
        on_nudge=lambda n, c: click.echo(render.nudge(n, c)),
        on_alert=lambda a: click.echo(render.alert(a)),
    )
    engine = Engine(
        load_policy(policy),
        cases=cases,
        adapters=[adapter],
        pseudonymizer=await pseudonymizer_for(cases),
    )
    await engine.start(background=False)
    ages: dict[str, AgeBand] = {}
    kind = ConversationKind.DIRECT if direct else ConversationKind.GROUP
    interactive = sys.stdin.isatty()
    click.echo(HELP)
    count = 0
    while True:
        if interactive:
            click.echo("> ", nl=False)
        line = sys.stdin.readline()
        if not line:
            break
        line = line.rstrip("\n")
        if not line.strip():
            continue
        if line.startswith("/"):
            if await _command(line, ages, engine) == "quit":
                break
            continue
        match = LINE.match(line)
        if match is None:
            click.echo("  (type @name: message, or /help)")
            continue
        who, text = match["who"], match["text"]
        band = ages.get(who, AgeBand.UNKNOWN)
        person = Participant(
            id=who,
            age_band=band,
            age_source=AgeSource.CONFIG if band is not AgeBand.UNKNOWN else AgeSource.NONE,
        )
        count += 1
        decision = await engine.handle(
            MessageEvent(
                platform="local",
                community_id="chat",
                conversation_id="terminal",
                conversation_kind=kind,
                message_id=str(count),
                author=person,
                text=text,
                ts=time.time(),
            )
        )
        if decision is not None and worth_recording(decision):
            pack = await engine.pack_for(decision.community_id, decision.conversation_id)
            recorded = decision_of(observation_of(decision, pack, engine.pseudonyms, text))
            for p in recorded.planned if recorded else ():
                if p.held_back or decision.mode == "observe":
                    click.echo("  [" + describe(p, decision.mode) + "]")
    await engine.stop()
    await cases.close()
    click.echo(f"case store: {path}")


async def _command(line: str, ages: dict[str, AgeBand], engine: Engine) -> str | None:
    parts = line.split()
    if parts[0] == "/quit":
        return "quit"
    if parts[0] == "/age" and len(parts) == 3 and parts[2] in {b.value for b in AgeBand}:
        name, band = parts[1].lstrip("@"), AgeBand(parts[2])
        ages[name] = band
        # As a role change would be seen at once, not only at the person's next message.
        key, now = ("local", name), time.time()
        if band is AgeBand.UNKNOWN:
            engine.state.save_age(key, UNKNOWN_AGE, now)
        else:
            engine.state.save_age(key, AgeInference(band, AgeSource.CONFIG, 1.0), now)
        click.echo(f"  {parts[1]} is now {parts[2]}")
    elif parts[0] == "/cases":
        found = await engine.cases.list_cases()
        click.echo(
            "\n".join(f"  {c.id} {c.status.value} {c.severity.value}" for c in found)
            or "  no cases"
        )
    else:
        click.echo(HELP)
    return None


COMMANDS = [chat]
