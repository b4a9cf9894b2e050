"""Plugins are found in one place and checked before use."""

import sys
import textwrap
from pathlib import Path

import pytest

from nudgeguard import plugins
from nudgeguard.app import load_adapter, load_detector


@pytest.fixture
def plugin_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed third-party distribution with entry points of every kind."""
    (tmp_path / "third_party_plugins.py").write_text(
        textwrap.dedent(
            """
            from nudgeguard import Adapter, Capabilities

            class GoodAdapter(Adapter):
                name = "good"
                capabilities = Capabilities(direct_message=True)

                async def send_nudge(self, nudge):
                    return None

                async def send_alert(self, alert):
                    return None

            class FutureAdapter(GoodAdapter):
                plugin_api_version = 99

            class NotAnAdapter:
                pass

            def not_a_detector():
                return object()
            """
        )
    )
    info = tmp_path / "third_party_plugins-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: third-party-plugins\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(
        textwrap.dedent(
            """
            [nudgeguard.adapters]
            good = third_party_plugins:GoodAdapter
            future = third_party_plugins:FutureAdapter
            wrongkind = third_party_plugins:NotAnAdapter
            broken = third_party_plugins_missing:Adapter

            [nudgeguard.detectors]
            odd = third_party_plugins:not_a_detector
            """
        )
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("third_party_plugins", None)


def test_a_checked_adapter_loads(plugin_dist: Path) -> None:
    assert "good" in plugins.names("nudgeguard.adapters")
    assert load_adapter("good", {}).name == "good"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("future", "written for plugin API 99; this nudgeguard provides 1"),
        ("wrongkind", "'wrongkind' is not a Adapter subclass"),
        ("broken", "'broken' needs its extra installed"),
        ("absent", "no adapter named 'absent' is installed (installed: "),
    ],
)
def test_bad_adapters_get_one_line_naming_them(plugin_dist: Path, name: str, message: str) -> None:
    with pytest.raises(plugins.PluginError) as caught:
        load_adapter(name, {})
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_detector_factory_must_make_a_detector(plugin_dist: Path) -> None:
    with pytest.raises(plugins.PluginError, match="'odd' does not provide name and detect"):
        load_detector("odd")


def test_blocked_plugins_are_never_imported(
    plugin_dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NUDGEGUARD_PLUGIN_BLOCKLIST", "adapters:good, odd")
    assert "good" not in plugins.names("nudgeguard.adapters")
    with pytest.raises(plugins.PluginError, match="blocked by NUDGEGUARD_PLUGIN_BLOCKLIST"):
        load_adapter("good", {})
    with pytest.raises(plugins.PluginError, match="blocked"):
        load_detector("odd")
    assert "third_party_plugins" not in sys.modules


def test_unknown_groups_are_refused() -> None:
    with pytest.raises(plugins.PluginError, match="unknown plugin group"):
        plugins.names("nudgeguard.widgets")
