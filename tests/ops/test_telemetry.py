"""A bot that reports: structured event lines, health checks and Prometheus metrics."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import urllib.error
import urllib.request

import pytest

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli.run import start_failure
from nudgeguard.config import MetricsSettings, Settings
from nudgeguard.logformat import JsonFormatter, TextFormatter
from nudgeguard.metrics import MetricsServer
from nudgeguard.startup import summarise
from nudgeguard.testing import FakeAdapter, Scenario

from ..cases.helpers import CHILD, GROOMER, TRAJECTORY, groom, make_engine


class Lines(logging.Handler):
    """Keeps the formatted lines of the events logger."""

    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def events():
    def attach(formatter: logging.Formatter) -> Lines:
        handler = Lines(formatter)
        logger = logging.getLogger("nudgeguard.events")
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        handlers.append(handler)
        return handler

    handlers: list[Lines] = []
    yield attach
    logger = logging.getLogger("nudgeguard.events")
    for h in handlers:
        logger.removeHandler(h)
    logger.setLevel(logging.NOTSET)


async def test_one_json_line_per_nudge_alert_case_and_failure_without_ids_or_text(tmp_path, events):
    lines = events(JsonFormatter())
    adapter = FakeAdapter()
    adapter.transient_failures = 1  # the first delivery fails once
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    engine = make_engine(store, adapter)
    await engine.start(background=False)
    await groom(Scenario(engine))
    await store.close()
    records = [json.loads(line) for line in lines.lines]
    kinds = {r["event"] for r in records}
    assert {"nudge", "case_opened", "alert", "delivery_failed"} <= kinds, kinds
    nudge = next(r for r in records if r["event"] == "nudge")
    assert nudge["recipient"].startswith("p_") and nudge["family"]
    assert nudge["audience"] == "child" and nudge["result"] == "pending", "it failed once"
    assert all("time" in r and r["level"] in ("info", "warning") for r in records)
    failed = next(r for r in records if r["event"] == "delivery_failed")
    assert failed["error"] and failed["final"] is False
    dump = "\n".join(lines.lines)
    for secret in (CHILD.id, GROOMER.id, *TRAJECTORY):
        assert secret not in dump, "an id or message text reached the log"


async def test_text_lines_are_key_value(tmp_path, events):
    lines = events(TextFormatter())
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    engine = make_engine(store, FakeAdapter())
    await groom(Scenario(engine))
    await store.close()
    opened = next(line for line in lines.lines if "case_opened" in line)
    assert "case_id=NG-" in opened and "subject=p_" in opened and "severity=" in opened


def get(port: int, path: str, method: str = "GET") -> tuple[int, str, str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read().decode()


async def test_health_readiness_and_metrics_over_loopback(tmp_path):
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    engine = make_engine(store, FakeAdapter())
    server = MetricsServer(engine, MetricsSettings(host="127.0.0.1", port=0))
    await server.start()
    try:
        port = server.port
        assert await asyncio.to_thread(get, port, "/healthz") == (200, "text/plain", "ok\n")
        status, _, body = await asyncio.to_thread(get, port, "/readyz")
        assert status == 503 and "adapters not started" in body
        await engine.start(background=False)
        server.started = True
        assert (await asyncio.to_thread(get, port, "/readyz"))[0] == 200
        await groom(Scenario(engine))
        await server.refresh()
        status, ctype, text = await asyncio.to_thread(get, port, "/metrics")
        assert status == 200 and ctype.startswith("text/plain; version=")
        assert 'nudgeguard_messages_total{outcome="scored"} 5.0' in text
        assert 'nudgeguard_nudges_total{audience="child"}' in text
        assert "nudgeguard_cases_opened_total{severity=" in text
        assert "nudgeguard_alerts_total{sink=" in text
        assert "nudgeguard_handle_seconds_count 6.0" in text
        assert "nudgeguard_outbox_depth" in text and "nudgeguard_outbox_oldest_age_seconds" in text
        assert "nudgeguard_detector_errors_total" in text
        for secret in (CHILD.id, GROOMER.id):
            assert secret not in text
        assert (await asyncio.to_thread(get, port, "/metrics", "POST"))[0] == 405
        assert (await asyncio.to_thread(get, port, "/nope"))[0] == 404
        # A hostile client: garbage, then a header flood; the server answers the next one.
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"\x00\xff garbage\r\n" + b"X: y\r\n" * 200 + b"\r\n")
        await writer.drain()
        assert not (await reader.read()).startswith(b"HTTP/1.1 200")
        writer.close()
        assert (await asyncio.to_thread(get, port, "/healthz"))[0] == 200
        await store.close()
        await server.refresh()
        status, _, body = await asyncio.to_thread(get, port, "/readyz")
        assert status == 503 and "case store did not answer" in body
    finally:
        await server.stop()


async def test_startup_summary_names_adapters_mode_store_and_a_missing_key(tmp_path, monkeypatch):
    monkeypatch.delenv("NUDGEGUARD_PSEUDONYM_KEY", raising=False)
    store = SqliteCaseStore(tmp_path / "c.sqlite3")
    engine = make_engine(store, FakeAdapter())
    settings = Settings(policy="observe", metrics={"port": 9464})
    text = "\n".join(summarise(settings, engine, tmp_path / "c.sqlite3").lines())
    await store.close()
    assert "adapters: fake" in text
    assert f"sqlite {tmp_path / 'c.sqlite3'}" in text
    assert "http://127.0.0.1:9464/metrics" in text
    assert "NUDGEGUARD_PSEUDONYM_KEY is not set" in text
    monkeypatch.setenv("NUDGEGUARD_PSEUDONYM_KEY", "x" * 32)
    assert "NUDGEGUARD_PSEUDONYM_KEY" not in "\n".join(summarise(settings, engine, None).lines())


def test_network_failures_are_not_reported_as_token_problems():
    def raised(cause: BaseException) -> BaseException:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise RuntimeError("login failed") from inner
        except RuntimeError as outer:
            return outer

    dns = start_failure(raised(socket.gaierror(-2, "Name or service not known")))
    assert "network failure" in dns and "DNS" in dns and "token" in dns.split(";")[-1]
    refused = start_failure(raised(ConnectionRefusedError(111, "refused")))
    assert "network failure (ConnectionRefusedError)" in refused
    bad_token = start_failure(RuntimeError("401 Unauthorized"))
    assert "check the tokens" in bad_token and "network" not in bad_token


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_log_format_lines_are_redacted_like_the_default_handler(fmt):
    from nudgeguard.log_redaction import RedactingHandler
    from nudgeguard.logformat import configure

    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    try:
        configure(fmt, logging.DEBUG)
        mine = [h for h in root.handlers if isinstance(h, RedactingHandler)]
        assert len(mine) == 1, "one redacting handler, whatever the format"
        handler = mine[0]
        formatter = JsonFormatter if fmt == "json" else TextFormatter
        assert isinstance(handler.formatter, formatter)
        lines: list[str] = []
        handler.emit = lambda record: lines.append(handler.format(record))  # type: ignore[method-assign]
        logging.getLogger("discord.gateway").debug("frame from 123456789012345678")
        logging.getLogger("nudgeguard.delivery.outbox").warning("send to 123456789012345678 failed")
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        root.level = saved[0]
        for h in saved[1]:
            root.addHandler(h)
    assert len(lines) == 1, lines  # the library's payload record never got through
    assert "123456789012345678" not in lines[0] and "<redacted>" in lines[0]
    if fmt == "json":
        assert json.loads(lines[0])["message"] == "send to <redacted> failed"
