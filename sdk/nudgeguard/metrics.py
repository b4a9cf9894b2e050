"""Health checks and Prometheus metrics over HTTP for a running bot (``metrics:`` in the config).

``GET /healthz`` answers 200 while the process and its event loop run; ``GET /readyz`` 200
once the adapters have started and the case store answered its last check (503 with the
reason otherwise); ``GET /metrics`` is the Prometheus text format, made by the maintained
``prometheus_client`` library. Only GET is served; each request has a time limit and a size
limit, and nothing in a request is echoed back. No metric carries a user id or text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from nudgeguard.config import MetricsSettings
from nudgeguard.telemetry import COUNTS, LABELS

if TYPE_CHECKING:
    from nudgeguard.engine import Engine

log = logging.getLogger(__name__)

_REQUEST_TIMEOUT = 5.0
_MAX_HEADER_LINES = 100
_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class _EngineCollector(Collector):
    """Reads the engine's counters and the process's event counts at scrape time."""

    def __init__(self, server: MetricsServer) -> None:
        self.server = server

    def collect(self) -> Iterator[Metric]:
        engine = self.server.engine
        stats = engine.stats
        messages = CounterMetricFamily(
            "nudgeguard_messages", "Events handed to the engine, by outcome.", labels=["outcome"]
        )
        messages.add_metric(["scored"], stats.scored)
        messages.add_metric(["ignored"], stats.ignored)
        messages.add_metric(["failed"], stats.errors)
        yield messages
        errors = CounterMetricFamily(
            "nudgeguard_detector_errors", "Detector failures, by detector.", labels=["detector"]
        )
        for name, n in sorted(stats.detector_errors.items()):
            errors.add_metric([name], n)
        yield errors
        for event, name, doc in (
            ("nudge", "nudgeguard_nudges", "Nudges sent, by audience."),
            ("nudge_held_back", "nudgeguard_nudges_held_back", "Nudges held back."),
            ("decision_observed", "nudgeguard_observed_decisions", "Observe-mode decisions."),
            ("case_opened", "nudgeguard_cases_opened", "Cases opened, by severity."),
            ("case_updated", "nudgeguard_cases_raised", "Case severity raised."),
            ("case_status", "nudgeguard_case_status_changes", "Moderator changes."),
            ("alert", "nudgeguard_alerts", "Moderator alerts queued, by sink."),
            ("delivery_failed", "nudgeguard_delivery_failures", "Failed deliveries."),
        ):
            label = LABELS.get(event, "")
            family = CounterMetricFamily(name, doc, labels=[label] if label else [])
            for (seen, value), n in sorted(COUNTS.items()):
                if seen == event:
                    family.add_metric([value] if label else [], n)
            yield family
        depth = GaugeMetricFamily(
            "nudgeguard_outbox_depth", "Outbox items waiting, by kind.", labels=["kind"]
        )
        for kind, n in sorted(self.server.outbox_depth.items()):
            depth.add_metric([kind], n)
        yield depth
        yield GaugeMetricFamily(
            "nudgeguard_outbox_oldest_age_seconds",
            "Age of the oldest outbox item still waiting (0 when none).",
            value=self.server.outbox_age,
        )
        yield GaugeMetricFamily(
            "nudgeguard_ready",
            "1 when adapters run and the store answers.",
            value=self.server.ready,
        )


class MetricsServer:
    """Serves ``/healthz``, ``/readyz`` and ``/metrics`` for one engine.

    Args:
        engine: The running engine.
        settings: Host, port and refresh interval.
    """

    def __init__(self, engine: Engine, settings: MetricsSettings) -> None:
        self.engine = engine
        self.settings = settings
        self.outbox_depth: dict[str, int] = {}
        self.outbox_age = 0.0
        self.started = False
        self.store_error: str | None = "not checked yet"
        self.registry = CollectorRegistry(auto_describe=True)
        self.registry.register(_EngineCollector(self))
        self.latency = Histogram(
            "nudgeguard_handle_seconds",
            "Time to handle one event (detection, scoring, decision, dispatch).",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._server: asyncio.Server | None = None
        self._refresher: asyncio.Task[None] | None = None

    @property
    def ready(self) -> bool:
        """True once adapters started and the case store answered its last check."""
        return self.started and self.store_error is None

    @property
    def port(self) -> int:
        """Return the port listened on (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self.settings.port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Listen, and hook the engine's latency into the histogram."""
        self.engine.latency_observer = self.latency.observe
        self._server = await asyncio.start_server(
            self._serve, self.settings.host, self.settings.port, limit=8192
        )
        await self.refresh()
        self._refresher = asyncio.create_task(self._refresh_loop(), name="nudgeguard-metrics")

    async def stop(self) -> None:
        """Stop listening."""
        self.started = False
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self.engine.latency_observer = None

    async def refresh(self) -> None:
        """Read outbox depth and age from the case store (bounded in time)."""
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT):
                items = await self.engine.cases.outbox_items("pending", limit=10_000)
        except Exception as exc:
            self.store_error = f"case store did not answer ({type(exc).__name__})"
            return
        depth: dict[str, int] = {}
        for item in items:
            depth[item.kind] = depth.get(item.kind, 0) + 1
        self.outbox_depth = depth
        oldest = min((i.created_at for i in items), default=None)
        self.outbox_age = 0.0 if oldest is None else max(0.0, time.time() - oldest)
        self.store_error = None

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.settings.refresh_seconds)
            await self.refresh()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(_REQUEST_TIMEOUT):
                status, ctype, body = await self._answer(reader)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("ascii") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass  # a slow, broken or oversized request gets no answer
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _answer(self, reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
        request = (await reader.readline()).decode("latin-1").split()
        for _ in range(_MAX_HEADER_LINES):
            if (await reader.readline()) in (b"\r\n", b"\n", b""):
                break
        else:
            return "431 Request Header Fields Too Large", "text/plain", b"too many headers\n"
        if len(request) != 3:
            return "400 Bad Request", "text/plain", b"bad request\n"
        method, target = request[0], request[1].split("?", 1)[0]
        if method not in ("GET", "HEAD"):
            return "405 Method Not Allowed", "text/plain", b"only GET\n"
        if target == "/healthz":
            return "200 OK", "text/plain", b"ok\n"
        if target == "/readyz":
            if self.ready:
                return "200 OK", "text/plain", b"ready\n"
            why = "adapters not started" if not self.started else self.store_error or ""
            return "503 Service Unavailable", "text/plain", f"not ready: {why}\n".encode()
        if target == "/metrics":
            return "200 OK", CONTENT_TYPE_LATEST, generate_latest(self.registry)
        return "404 Not Found", "text/plain", b"not found\n"
