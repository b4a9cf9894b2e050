"""`nudgeguard report`: per-community transparency numbers with charts, no text or ids."""

from __future__ import annotations

import asyncio
import base64
import re

import pytest
from click.testing import CliRunner

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.cli import main
from nudgeguard.inbox.events import AgeBand
from nudgeguard.report import collect
from nudgeguard.testing import FakeAdapter, Scenario, person

from ..cases.helpers import TRAJECTORY, groom, make_engine

T0 = 1_700_000_000.0  # 2023-11-14
SINCE = "2023-11-01"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now


async def build(path) -> list[str]:
    """Two communities: three cases in one (confirmed, dismissed, open), a nudge in the other."""
    clock = Clock()
    store = SqliteCaseStore(path, clock=clock)
    engine = make_engine(store, FakeAdapter())
    await engine.start(background=False)
    kids = [person(f"kid-{n}", AgeBand.MINOR) for n in range(3)]
    adults = [person(f"adult-{n}") for n in range(3)]
    for n, (kid, adult) in enumerate(zip(kids, adults, strict=True)):
        chat = Scenario(engine, community_id="guild-a", conversation_id=f"chan-{n}")
        await groom(chat, child=kid, groomer=adult)
    other = Scenario(engine, community_id="guild-b", conversation_id="c")
    newcomer = person("kid-9", AgeBand.MINOR)
    await other.say(newcomer, "hi")
    await other.say(person("adult-9"), "keep this our secret", to=newcomer)
    cases = sorted(await store.list_cases(), key=lambda c: c.conversation_id)
    clock.now += 600  # ten minutes later a moderator confirms the first case
    await engine.moderate(cases[0].id, "confirm", "mod-1", permitted=True)
    clock.now += 1200  # thirty minutes after opening, the second is dismissed
    await engine.moderate(cases[1].id, "dismiss", "mod-1", permitted=True)
    await engine.stop()
    await store.close()
    return [c.id for c in cases]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "cases.sqlite3"
    asyncio.run(build(path))
    return path


def report(*args):
    return CliRunner().invoke(main, ["report", *args])


def test_numbers_per_community(store_path):
    async def go():
        s = SqliteCaseStore(store_path)
        try:
            return await collect(s, T0 - 86400 * 30)
        finally:
            await s.close()

    a, b = asyncio.run(go())
    assert (a.community_id, b.community_id) == ("guild-a", "guild-b")
    assert a.cases_opened == 3 and b.cases_opened == 0
    assert a.outcomes["confirmed"] == 1 and a.outcomes["false_positive"] == 1
    assert a.dismissed_share == 0.5
    assert a.median_ack_seconds == pytest.approx(1200, abs=5)  # of 600 and 1800
    assert a.nudges > 0 and b.nudges == 1 and b.nudges_by_family["secrecy"] == 1
    assert a.nudges_by_signal["secrecy_request"] >= 1
    precision = {p.signal: (p.confirmed, p.false_positive) for p in a.precision}
    assert precision["age_probe"] == (1, 1)
    assert next(p for p in a.precision if p.signal == "age_probe").precision == 0.5


def test_html_report_embeds_charts_and_holds_no_text_or_ids(store_path, tmp_path):
    out = tmp_path / "report.html"
    result = report("--since", SINCE, "--store", str(store_path), "--out", str(out))
    assert result.exit_code == 0, result.output
    page = out.read_text()
    assert "guild-a" in page and "Precision per signal" in page and "age_probe" in page
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) >= 3
    assert all(base64.b64decode(i).startswith(b"\x89PNG") for i in images)
    for line in TRAJECTORY:
        assert line not in page
    assert "kid-0" not in page and "adult-0" not in page and "p_" not in page
    assert "50%" in page


def test_markdown_report_writes_chart_files(store_path, tmp_path):
    out = tmp_path / "r.md"
    result = report(
        "--since", SINCE, "--store", str(store_path), "--format", "md", "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Transparency report 2023-11-01")
    assert "| Moderator cases opened | 3 |" in text
    for link in re.findall(r"\]\(([^)]+\.png)\)", text):
        assert (tmp_path / link).read_bytes().startswith(b"\x89PNG")


def test_since_filters_and_stdout_is_markdown(store_path):
    result = report("--since", "2025-01-01", "--store", str(store_path))
    assert result.exit_code == 0 and "No activity in this period." in result.output
    result = report("--since", SINCE, "--community", "guild-b", "--store", str(store_path))
    assert "guild-b" in result.output and "guild-a" not in result.output


def test_bad_dates_are_clear_errors(store_path):
    assert report("--since", "last tuesday", "--store", str(store_path)).exit_code == 2
    bad = report("--since", "2024-01-02", "--until", "2024-01-01", "--store", str(store_path))
    assert bad.exit_code == 2 and "after" in bad.output


def _config(tmp_path, languages: str):
    path = tmp_path / "nudgeguard.yaml"
    path.write_text(f"languages:\n{languages}", encoding="utf-8")
    return path


def _english_report_texts() -> list[str]:
    """The English report's fixed texts of two words or more, placeholders cut out."""
    from tests.languages.test_catalogs import raw

    texts = (re.split(r"\{\w+\}", t) for t in raw("en")["report"].values())
    return [part.strip() for parts in texts for part in parts if len(part.split()) >= 2]


def test_a_german_communitys_report_is_german(store_path, tmp_path):
    from tests.languages.test_catalogs import english_ratio

    config = _config(tmp_path, "  communities:\n    guild-a: de\n    guild-b: de\n")
    out = tmp_path / "bericht.md"
    result = report(
        "--since", SINCE, "--store", str(store_path), "--config", str(config),
        "--out", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("# Transparenzbericht 2023-11-01 bis ")
    assert "## Community guild-a (fake)" in text
    assert "| Eröffnete Moderationsfälle | 3 |" in text
    assert "### Präzision pro Signal (Moderationsentscheidungen)" in text
    assert "| age_probe | 1 | 1 | 50% |" in text  # signal ids stay codes
    assert "| Fehlalarm | 1 |" in text  # outcomes by name
    english = [t for t in _english_report_texts() if t in text]
    assert not english, f"English left in the German report: {english}"
    assert not [line for line in text.splitlines() if english_ratio(line) >= 0.2]
    page = tmp_path / "bericht.html"
    html_result = report(
        "--since", SINCE, "--store", str(store_path), "--config", str(config),
        "--out", str(page),
    )  # fmt: skip
    assert html_result.exit_code == 0
    assert "<html lang='de'>" in page.read_text()


def test_locale_overrides_and_mixed_communities_use_the_default(store_path, tmp_path):
    mixed = _config(tmp_path, "  default: es\n  communities:\n    guild-a: de\n")
    args = ("--since", SINCE, "--store", str(store_path), "--config", str(mixed))
    assert report(*args).output.startswith("# Informe de transparencia")
    only_a = report(*args, "--community", "guild-a").output
    assert only_a.startswith("# Transparenzbericht")
    french = report(*args, "--locale", "fr-CA").output
    assert french.startswith("# Rapport de transparence") and "Dossiers de mod" in french
    # Without a config or a choice the report is English, as before.
    plain = report("--since", SINCE, "--store", str(store_path)).output
    assert plain.startswith("# Transparency report")


def test_a_language_without_a_catalog_is_a_clear_error(store_path):
    result = report("--since", SINCE, "--store", str(store_path), "--locale", "it")
    assert result.exit_code == 2
    assert "no nudge catalog for language 'it'" in result.output


def test_held_back_reasons_and_outcomes_are_named_in_the_language():
    from nudgeguard.report.render import label, words

    de = words("de")
    assert label("held_back", "3-a-day cap", de) == "Grenze von 3 pro Tag"
    assert label("held_back", "24-hour cap", de) == "24-Stunden-Grenze pro Familie"
    assert label("held_back", "a case is open or opening", de).startswith("ein Fall ist")
    assert label("would_have", "would have: nudge_child", de) == "wäre geschehen: nudge_child"
    assert label("outcome", "awaiting review", de) == "wartet auf Prüfung"
    # A reason the catalogs do not know is shown as recorded, never dropped.
    assert label("held_back", "a new kind of hold", de) == "a new kind of hold"
