"""The bot's start-up summary: what runs, where it writes, and what needs attention."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from nudgeguard.config import Secrets, Settings, default_store_path
from nudgeguard.engine import Engine
from nudgeguard.version import __version__


@dataclass(frozen=True, slots=True)
class Summary:
    """What a starting bot reports (no secrets, no user ids)."""

    adapters: tuple[str, ...]
    policy: str
    modes: dict[str, str]
    store: str
    state: str
    metrics: str
    warnings: tuple[str, ...] = field(default=())

    def lines(self) -> list[str]:
        """Return the summary as lines for people."""
        modes = ", ".join(f"{k}: {v}" for k, v in self.modes.items())
        out = [
            f"nudgeguard {__version__} running",
            f"  adapters: {', '.join(self.adapters) or 'none'}",
            f"  policy:   {self.policy} ({modes})",
            f"  cases:    {self.store}",
            f"  state:    {self.state}",
            f"  metrics:  {self.metrics}",
        ]
        out += [f"  warning:  {w}" for w in self.warnings]
        return out


def _where(dsn: str) -> str:
    """Return host and database of a DSN, without user or password."""
    url = urlparse(dsn)
    port = f":{url.port}" if url.port else ""
    return f"postgresql://{url.hostname or 'localhost'}{port}{url.path}"


def summarise(settings: Settings, engine: Engine, store_path: str | Path | None) -> Summary:
    """Return the start-up summary of a built engine."""
    policy = engine.policy
    modes: dict[str, str] = {"all communities": policy.mode}
    for community, scope in policy.overrides.communities.items():
        if scope.mode is not None:
            modes[f"community {community}"] = scope.mode
    cases = settings.cases
    if cases.backend == "postgres":
        secret = Secrets().postgres_dsn
        dsn = secret.get_secret_value() if secret is not None else (cases.dsn or "")
        spool = cases.spool or default_store_path().with_name("postgres-spool.sqlite3")
        store = f"postgres {_where(dsn)} (spool {spool})"
    else:
        store = f"sqlite {Path(store_path or cases.path or default_store_path())}"
    state: str = settings.state.backend
    if state == "redis":
        state += f" (prefix {settings.state.prefix})"
    metrics = "off (add metrics: to the config)"
    if settings.metrics is not None:
        m = settings.metrics
        metrics = f"http://{m.host}:{m.port}/metrics (/healthz, /readyz)"
    warnings = []
    if Secrets().pseudonym_key is None:
        warnings.append(
            "NUDGEGUARD_PSEUDONYM_KEY is not set: pseudonyms use a key kept in the case store,"
            " so the database alone can link them to ids (see docs/deploy.md: keys)"
        )
    if "observe" in modes.values():
        warnings.append(
            "observe mode (dry run): nothing is sent; review with: nudgeguard decisions list"
        )
    return Summary(
        adapters=tuple(engine.adapters),
        policy=settings.policy,
        modes=modes,
        store=store,
        state=state,
        metrics=metrics,
        warnings=tuple(warnings),
    )
