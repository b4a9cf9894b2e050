"""`nudgeguard run` wiring: configured sinks and the retention schedule reach the engine."""

from __future__ import annotations

from nudgeguard.app import build_engine
from nudgeguard.config import load_config
from nudgeguard.privacy.retention import RetentionService


async def test_config_sinks_and_retention_are_wired(tmp_path, monkeypatch):
    monkeypatch.setenv("HOOK_SECRET", "x" * 32)
    config = tmp_path / "ng.yaml"
    config.write_text(
        "sinks:\n"
        "  tns:\n"
        "    type: webhook\n"
        "    url: https://tns.example.org/in\n"
        "    secret_env: HOOK_SECRET\n"
        "privacy:\n"
        "  retention_days: {dismissed: 7}\n"
        "  purge_every_hours: 1\n"
    )
    settings = load_config(config)
    engine = await build_engine(settings, tmp_path / "s.sqlite3")
    try:
        assert "tns" in engine.outbox.alert_targets
        [service] = [s for s in engine.services if isinstance(s, RetentionService)]
        assert service.settings.retention_days.dismissed == 7
        assert service.settings.retention_days.confirmed == 365
    finally:
        await engine.cases.close()
