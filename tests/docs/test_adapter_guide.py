"""The adapter guide's complete example adapter passes the conformance suite as written."""

import re
import subprocess
import sys
from pathlib import Path

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "adapters.md"
FILE_BLOCK = re.compile(r"^```\w+ title=(\S+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def guide_files() -> dict[str, str]:
    return {name: body for name, body in FILE_BLOCK.findall(GUIDE.read_text(encoding="utf-8"))}


def test_the_guide_holds_a_whole_adapter_with_its_harness() -> None:
    assert set(guide_files()) == {
        "linechat.py",
        "fake_linechat.py",
        "test_linechat.py",
        "pytest.ini",
    }


def test_the_guide_adapter_is_certified_by_the_conformance_suite(tmp_path: Path) -> None:
    for name, body in guide_files().items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    # Every test of the suite ran; none was skipped.
    from nudgeguard.testing import AdapterConformance

    suite = [n for n in dir(AdapterConformance) if n.startswith("test_")]
    assert f"{len(suite)} passed" in run.stdout
    assert "skipped" not in run.stdout
