"""The interactive chat, and the promise that logs never carry message text."""

import logging
import os
import subprocess
import sys

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand
from nudgeguard.policy import load_policy
from nudgeguard.testing import GROOMING_LINES, FakeAdapter, Scenario, person

from .keyword_detector import BrokenDetector


def test_chat_shows_nudges_as_they_happen(tmp_path):
    script = (
        "/age mia minor\n@mia: hi all\n"
        + "".join(f"@sam: {line}\n" for line in GROOMING_LINES)
        + "/cases\n/quit\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "nudgeguard", "chat", "--store", str(tmp_path / "c.sqlite3")],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "NUDGE to mia (child" in result.stdout
    assert "CASE" in result.stdout and "subject: sam" in result.stdout
    assert "NUDGE to sam" not in result.stdout


def test_an_age_set_before_the_person_speaks_counts_at_once(tmp_path):
    # mia's role is set after her only message: what sam then sends is aimed at a minor.
    script = "@mia: hi\n/age mia minor\n" + "".join(f"@sam: {line}\n" for line in GROOMING_LINES)
    result = subprocess.run(
        [sys.executable, "-m", "nudgeguard", "chat", "--direct"],
        input=script,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NUDGEGUARD_STORE": str(tmp_path / "c.sqlite3")},
    )
    assert result.returncode == 0, result.stderr
    assert "at risk: mia (age minor, from admin_config)" in result.stdout


async def test_logs_never_contain_message_text(caplog):
    caplog.set_level(logging.DEBUG)
    adapter = FakeAdapter()
    adapter.dms_closed.add("kid")
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[BrokenDetector(), *Engine(load_policy("default")).detectors],
    )
    chat = Scenario(engine, platform="fake")
    kid, stranger = person("kid", AgeBand.MINOR), person("stranger")
    await chat.say(kid, "hello there")
    for line in GROOMING_LINES:
        await chat.say(stranger, line, to=kid)
    assert caplog.records, "expected some log lines (detector failures at least)"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for line in [*GROOMING_LINES, "hello there"]:
        assert line not in logged
    assert "kid" not in logged and "stranger" not in logged
