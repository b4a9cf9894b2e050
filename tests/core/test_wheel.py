"""The built wheel carries the policy packs, catalogs and demo scenarios, as pure Python."""

import subprocess
import sys
import sysconfig
import tarfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _build_wheel(tmp_path: Path, source: Path = ROOT) -> Path:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(source),
        ],
        check=True,
        timeout=600,
    )
    return next(dist.glob("nudgeguard-*.whl"))


def test_wheel_loads_policies_by_name_without_the_checkout(tmp_path):
    wheel = _build_wheel(tmp_path)
    assert wheel.name.endswith("-py3-none-any.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for needed in (
        "nudgeguard/_builtin_policies/default.yaml",
        "nudgeguard/_builtin_policies/schema.json",
        "nudgeguard/delivery/nudges/en.yaml",
        "nudgeguard/local/scenarios/grooming.jsonl",
        "nudgeguard_discord/__init__.py",
        "nudgeguard_slack/__init__.py",
    ):
        assert needed in names, needed
    # Training text never ships: only the weights it was fitted into.
    assert "nudgeguard/patterns/learned_scorer.bin" in names
    assert not [n for n in names if "normal_chat" in n or "team_normal" in n]
    # A fresh environment that has the dependencies but only the wheel's nudgeguard.
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env), "platbase": str(env)}))
    zipfile.ZipFile(wheel).extractall(site)
    deps = Path(sysconfig.get_path("purelib"))
    (site / "deps.pth").write_text(str(deps) + "\n")  # a plain path: the editable hook stays out
    code = (
        "import nudgeguard, pathlib; from nudgeguard.policy import load_policy;"
        "print(pathlib.Path(nudgeguard.__file__).resolve());"
        "print(load_policy('strict').name);"
        "import nudgeguard.engine; print(pathlib.Path(nudgeguard.engine.__file__).suffix)"
    )
    out = subprocess.run(
        [str(env / "bin" / "python"), "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=tmp_path,
    ).stdout.split()
    assert Path(out[0]).is_relative_to(site.resolve())
    assert out[1] == "strict"
    # One build for everyone: the message path is the same Python users read and edit.
    assert out[2] == ".py"
    assert not [n for n in names if n.endswith(".so")]


def test_a_wheel_built_from_the_sdist_carries_the_policy_packs(tmp_path):
    # The checkout links the packs into the package; an sdist keeps no links.
    sdists = tmp_path / "sdist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(sdists)],
        cwd=ROOT,
        check=True,
        timeout=300,
        capture_output=True,
    )
    with tarfile.open(next(sdists.glob("nudgeguard-*.tar.gz"))) as archive:
        archive.extractall(tmp_path / "src", filter="data")
    source = next((tmp_path / "src").glob("nudgeguard-*"))
    wheel = _build_wheel(tmp_path, source)
    names = zipfile.ZipFile(wheel).namelist()
    for pack in ("default", "observe", "strict"):
        assert f"nudgeguard/_builtin_policies/{pack}.yaml" in names
