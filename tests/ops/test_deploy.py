"""Deployment files parse and point at things that exist; documented commands exist.

No container engine runs here: these checks read the Dockerfile, the compose file, the
systemd unit and the docs, and check them against the checkout and the command line.
"""

from __future__ import annotations

import configparser
import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest
import yaml
from packaging.requirements import Requirement

from nudgeguard.app import load_adapter
from nudgeguard.cli import main
from nudgeguard.config import load_config

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def dockerfile() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_is_slim_non_root_with_a_health_check_and_real_sources():
    steps = dockerfile()
    bases = [rest for word, rest in steps if word == "FROM"]
    assert bases and all(re.match(r"python:3\.1[1-9]-slim\b", b) for b in bases)
    users = [rest for word, rest in steps if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    [health] = [rest for word, rest in steps if word == "HEALTHCHECK"]
    assert "/healthz" in health and "9464" in health
    for word, rest in steps:
        if word == "COPY" and not rest.startswith("--from"):
            *sources, _ = rest.split()
            for source in sources:
                matches = list(ROOT.glob(source))
                assert matches or source.endswith("*"), f"COPY {source}: not in the checkout"
            assert any(list(ROOT.glob(s)) for s in sources)
    installs = " ".join(rest for word, rest in steps if word == "RUN")
    extras = re.search(r'"\.\[([a-z,]+)\]"', installs)
    assert extras, "the image installs the checkout with extras"
    known = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert set(extras[1].split(",")) <= set(known)
    [cmd] = [rest for word, rest in steps if word == "CMD"]
    assert "/etc/nudgeguard/nudgeguard.yaml" in cmd


def test_compose_runs_the_bot_with_postgres_and_redis():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert {"bot", "postgres", "redis"} <= set(services)
    bot = services["bot"]
    context = (DEPLOY / bot["build"]["context"]).resolve()
    assert (context / bot["build"]["dockerfile"]).is_file()
    for volume in bot["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("."):
            assert (DEPLOY / source).is_file(), source
        else:
            assert source in compose["volumes"]
    assert "/etc/nudgeguard/nudgeguard.yaml" in [v.split(":")[1] for v in bot["volumes"]]
    assert set(bot["depends_on"]) == {"postgres", "redis"}
    assert all(services[s].get("healthcheck") for s in ("postgres", "redis"))
    assert (DEPLOY / (bot["env_file"] + ".example")).is_file()
    env = bot["environment"]
    assert env["NUDGEGUARD_POSTGRES_DSN"].startswith("postgresql://")
    assert "@postgres:5432/" in env["NUDGEGUARD_POSTGRES_DSN"]
    assert env["NUDGEGUARD_REDIS_URL"] == "redis://redis:6379/0"
    assert bot["ports"] == ["127.0.0.1:9464:9464"]


def test_the_compose_config_loads_and_serves_the_health_check_port(monkeypatch):
    monkeypatch.setenv("NUDGEGUARD_POSTGRES_DSN", "postgresql://u:p@postgres:5432/nudgeguard")
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    settings = load_config(DEPLOY / "nudgeguard.yaml")
    assert settings.cases.backend == "postgres" and settings.state.backend == "redis"
    assert settings.metrics is not None and settings.metrics.port == 9464
    assert settings.metrics.host == "0.0.0.0"
    for name, section in settings.adapter_sections.items():
        load_adapter(name, section)


def test_systemd_unit_runs_the_bot_as_an_unprivileged_user():
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # keys are case-sensitive
    unit.read(DEPLOY / "nudgeguard.service")
    service = unit["Service"]
    argv = shlex.split(service["ExecStart"])
    assert argv[0].endswith("/nudgeguard") and argv[1:3] == ["run", "--config"]
    assert service["User"] not in ("root", "0")
    assert service["EnvironmentFile"] == "/etc/nudgeguard/nudgeguard.env"
    assert service["NoNewPrivileges"] == "yes" and service["ProtectSystem"] == "strict"
    assert unit["Install"]["WantedBy"] == "multi-user.target"


PROSE = {"is", "nudgeguard", "-f", "--version"}


def _commands(doc: Path) -> set[tuple[str, ...]]:
    """Return the `nudgeguard X [Y]` commands a document shows."""
    found = set()
    for match in re.finditer(r"nudgeguard ([a-z-]+)(?: ([a-z][a-z-]*))?", doc.read_text()):
        found.add(tuple(p for p in match.groups() if p))
    return found


@pytest.mark.parametrize("doc", ["deploy.md", "operations.md"])
def test_every_documented_command_exists(doc):
    ctx = click.Context(main)
    for words in _commands(ROOT / "docs" / doc):
        command = main.get_command(ctx, words[0])
        if command is None:
            # prose ("nudgeguard is not on PyPI", "logs -f nudgeguard"), not a command
            assert words[0] in PROSE, f"{doc}: no command nudgeguard {' '.join(words)}"
            continue
        if isinstance(command, click.Group) and len(words) > 1:
            assert command.get_command(ctx, words[1]) is not None, words
    for words in (
        ("decisions", "list"),
        ("decisions", "show"),
        ("keys", "generate"),
        ("cases", "ack"),
        ("cases", "verify"),
        ("signals",),
    ):
        group = main.get_command(ctx, words[0])
        assert group is not None, words
        if len(words) > 1:
            assert isinstance(group, click.Group) and group.get_command(ctx, words[1]), words


def test_install_lines_are_valid_requirements_with_real_extras():
    text = (ROOT / "docs" / "deploy.md").read_text()
    known = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    )
    lines = re.findall(r"pip install '([^']+)'", text)
    assert any("@ git+https://" in line for line in lines)
    for line in lines:
        if line.startswith("."):
            extras = set(re.match(r"\.\[([a-z,]+)\]", line)[1].split(","))
        else:
            requirement = Requirement(line)
            assert requirement.name == "nudgeguard"
            assert requirement.url and requirement.url.startswith("git+https://")
            extras = set(requirement.extras)
        assert extras <= known, line
