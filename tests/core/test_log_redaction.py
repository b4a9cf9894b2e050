"""The log never carries ids, tokens or third-party payloads, at any verbosity."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from nudgeguard.cli import main
from nudgeguard.log_redaction import (
    REDACTED,
    RedactingFilter,
    RedactingHandler,
    configure_logging,
    scrub,
)

HIDDEN = [
    "xoxb-2718281828-3141592653-AbCdEfGhIjKlMnOp",
    "xapp-1-A01B2C3D4E5-6789012345-0123456789abcdef",
    "MTEzNDU2Nzg5MDEyMzQ1Njc4OQ.GhIjKl.abcdefghijklmnopqrstuvwxyz0123",
    "Bearer abcdefghijklmnop0123456789",
    "https://hooks.slack.com/services/T000/B000/XXXX",
    "https://discord.com/api/webhooks/1234/abcdef",
    "1134567890123456789",  # a Discord snowflake
    "U07KIDQ3XP",  # Slack user
    "W0123ABCD9",  # Slack enterprise user
    "C04SAFE7YZ",  # Slack channel
    "kid@example.org",
]
KEPT = ["WARNING", "HTTP 429", "case NG-7F3A", "port 5432", "12345", "CONNECTED", "v2.7.1"]


@pytest.mark.parametrize("secret", HIDDEN)
def test_ids_tokens_and_webhooks_are_scrubbed_wherever_they_sit(secret: str) -> None:
    for text in (secret, f"before {secret} after", f'{{"user": "{secret}"}}', f"id={secret}."):
        assert secret not in scrub(text)
        assert REDACTED in scrub(text)


@pytest.mark.parametrize("value", ["hunter2", "s3cr3t-value"])
def test_keyed_secrets_are_scrubbed(value: str) -> None:
    for text in (f"token={value}", f'"signing_secret": "{value}"', f"Authorization: {value}"):
        assert value not in scrub(text)


def test_ordinary_words_and_numbers_survive() -> None:
    line = " ".join(KEPT)
    assert scrub(line) == line


def record(name: str, level: int, msg: str, *args: object, exc: BaseException | None = None):
    exc_info = (type(exc), exc, exc.__traceback__) if exc else None
    return logging.LogRecord(name, level, __file__, 1, msg, args, exc_info)


def test_third_party_records_below_warning_are_dropped_ours_are_scrubbed() -> None:
    f = RedactingFilter()
    for name in (
        "discord.gateway",
        "slack_sdk.socket_mode",
        "aiohttp.access",
        "nudgeguard_slack.bolt",
        "anything",
    ):
        assert not f.filter(record(name, logging.DEBUG, "frame %s", "hi from the kid"))
        assert not f.filter(record(name, logging.INFO, "frame %s", "hi from the kid"))
    ours = record(
        "nudgeguard.engine", logging.DEBUG, "event %s from %s", "1134567890123456789", "U07KIDQ3XP"
    )
    assert f.filter(ours)
    assert ours.getMessage() == f"event {REDACTED} from {REDACTED}"


PAYLOADS = ("the child's message text", "content: meet me after school")


def test_a_third_party_exception_keeps_its_type_and_loses_its_message() -> None:
    try:
        try:
            raise KeyError(PAYLOADS[0])
        except KeyError as inner:
            raise ValueError(PAYLOADS[1]) from inner
    except ValueError as exc:
        rec = record(
            "discord.client", logging.ERROR, "Ignoring exception in %s", "on_message", exc=exc
        )
    assert RedactingFilter().filter(rec)
    out = io.StringIO()
    handler = RedactingHandler(out)
    handler.emit(rec)
    text = out.getvalue()
    assert "ValueError" in text and "KeyError" in text and "test_log_redaction.py" in text
    assert PAYLOADS[0] not in text and PAYLOADS[1] not in text


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("discord", "slack_sdk", "aiohttp")}
    yield
    for h in root.handlers[:]:
        if h not in handlers:
            root.removeHandler(h)
    root.setLevel(level)
    for name, lvl in levels.items():
        logging.getLogger(name).setLevel(lvl)


def test_the_command_line_installs_the_redacting_handler_once(restore_logging: None) -> None:
    runner = CliRunner()
    for _ in range(2):
        assert runner.invoke(main, ["-v", "policy", "--help"]).exit_code == 0
    mine = [h for h in logging.getLogger().handlers if isinstance(h, RedactingHandler)]
    assert len(mine) == 1
    assert logging.getLogger().level == logging.DEBUG
    assert logging.getLogger("discord").getEffectiveLevel() >= logging.WARNING
    configure_logging(verbose=False)
    assert logging.getLogger().level == logging.WARNING
