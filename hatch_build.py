"""Wheel build hook: compile the message path with mypyc, or build pure Python.

The modules every message goes through are compiled to C extension modules from their type
hints (mypyc, as black and mypy ship), which runs the pipeline about 1.3 times as fast. The
wheel keeps the Python sources; the interpreter imports the extension module when there is
one. Editable installs stay pure Python, so an edit takes effect without a rebuild.

Set ``NUDGEGUARD_PURE_PYTHON=1`` to build without compiling. A machine without a C compiler
or Python headers gets the pure wheel too, with a warning: nothing changes but speed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

#: Relative to ``sdk/``. Left out on purpose: events (pydantic models) and everything that
#: runs once per case rather than once per message. Classes compiled here are native: they
#: cannot be subclassed in Python, copied with ``copy.copy`` or patched per instance.
COMPILED = (
    "nudgeguard/engine.py",
    "nudgeguard/conversation.py",
    "nudgeguard/age_memory.py",
    "nudgeguard/turns.py",
    "nudgeguard/state.py",
    "nudgeguard/cache.py",
    "nudgeguard/text.py",
    "nudgeguard/age.py",
    "nudgeguard/risk.py",
    "nudgeguard/detectors/lexicon.py",
    "nudgeguard/detectors/matcher.py",
    "nudgeguard/policy/engine.py",
)

_SETUP = """
import sys
from setuptools import setup
from mypyc.build import mypycify

work, files = sys.argv[1], sys.argv[2:]
mypy_args = [
    # For the running interpreter (mypyc compiles for it); no project config, whose
    # pydantic plugin the isolated build environment does not have.
    "--config-file=", "--ignore-missing-imports", "--follow-imports=silent",
    f"--cache-dir={work}/mypy-cache",
]
setup(
    name="nudgeguard-compiled",
    ext_modules=mypycify(
        [*mypy_args, *files], opt_level="3", target_dir=f"{work}/c", group_name="nudgeguard"
    ),
    script_args=["build_ext", "--build-lib", f"{work}/lib", "--build-temp", f"{work}/tmp"],
)
"""


class CompileHook(BuildHookInterface):  # type: ignore[type-arg]
    """Adds the compiled modules to standard (non-editable) wheels."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        """Compile, and have the wheel carry the extension modules (platform-tagged)."""
        self._work: str | None = None
        if self.target_name != "wheel" or version != "standard":
            return
        if os.environ.get("NUDGEGUARD_PURE_PYTHON", "") not in ("", "0"):
            self.app.display_info("nudgeguard: NUDGEGUARD_PURE_PYTHON set, not compiling")
            return
        self._work = tempfile.mkdtemp(prefix="nudgeguard-mypyc-")
        lib = Path(self._work, "lib")
        done = subprocess.run(
            [sys.executable, "-c", _SETUP, self._work, *COMPILED],
            cwd=Path(self.root, "sdk"),
            capture_output=True,
            text=True,
            check=False,
        )
        built = sorted(lib.rglob("*.so")) + sorted(lib.rglob("*.pyd"))
        if done.returncode != 0 or not built:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            self.app.display_warning(
                "nudgeguard: compiling with mypyc failed, building pure Python (slower, same"
                f" behaviour):\n{tail}"
            )
            return
        for path in built:
            build_data["force_include"][str(path)] = path.relative_to(lib).as_posix()
        build_data["pure_python"] = False
        build_data["infer_tag"] = True

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        """Remove the compile's working folder."""
        if getattr(self, "_work", None):
            shutil.rmtree(str(self._work), ignore_errors=True)
