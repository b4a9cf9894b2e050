"""Log formats for the bot: ``text`` for people, ``json`` (one object a line) for collectors."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Literal

from nudgeguard.log_redaction import configure_logging

LogFormat = Literal["text", "json"]


def _fields(record: logging.LogRecord) -> dict[str, object]:
    fields = getattr(record, "ng_fields", None)
    return dict(fields) if isinstance(fields, dict) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the event's fields."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as one line of JSON."""
        out: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created)
            .astimezone()
            .isoformat("T", "milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = _fields(record)
        if fields:
            out.update(fields)
        else:
            out["message"] = record.getMessage()
        if record.exc_info and record.exc_info[0] is not None:
            out["error"] = record.exc_info[0].__name__  # the class only: messages may hold text
        return json.dumps(out, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``time level logger: event key=value ...`` (values with spaces are quoted)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        """Return the line, with an event's fields as ``key=value`` pairs."""
        fields = _fields(record)
        if fields:
            event = fields.pop("event", record.getMessage())
            pairs = " ".join(f"{k}={_value(v)}" for k, v in fields.items() if v not in (None, ""))
            record.message = f"{event} {pairs}".rstrip()
        return super().formatMessage(record)


def _value(value: object) -> str:
    text = str(value)
    return json.dumps(text) if (" " in text or not text) else text


def configure(fmt: LogFormat = "text", level: int = logging.WARNING) -> None:
    """Send logs to standard error in ``fmt`` through the command line's redacting handler.

    The handler is :func:`nudgeguard.log_redaction.configure_logging`'s (it replaces the
    one installed before), so JSON and text lines alike drop third-party payload records
    and have ids, tokens and webhook URLs scrubbed.
    """
    handler = configure_logging(verbose=False)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logging.getLogger().setLevel(level)
