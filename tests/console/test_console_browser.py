"""End to end in a real browser: Debian's Chromium, driven by Playwright, against the
console served by ``nudgeguard console serve`` (uvicorn) on a loopback port.

``scripts/browser`` installs Chromium; set ``NUDGEGUARD_CONSOLE_SCREENSHOTS=docs/console``
to refresh the screenshots in the docs.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from .world import PASSWORD, SECRET_WORDS

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _require_browser() -> None:
    missing = None
    if not Path(CHROMIUM).exists():
        missing = f"{CHROMIUM} is missing (run scripts/browser)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "the playwright package is missing (pip install '.[test]')"
    if missing is None:
        return
    if os.environ.get("NUDGEGUARD_REQUIRE_SERVICES") == "1":
        pytest.fail(missing + "; NUDGEGUARD_REQUIRE_SERVICES=1 forbids skipping", pytrace=False)
    pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(store_path: Path, world, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The console in its own process; yields its URL and the file its output goes to."""
    _require_browser()
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "NUDGEGUARD_PSEUDONYM_KEY": "k" * 32}
    command = [sys.executable, "-c", "from nudgeguard.cli import main; main()", "-v"]
    command += ["console", "serve", "--store", str(store_path), "--port", str(port)]
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if server.poll() is not None:
                raise AssertionError("the console exited: " + log.read_text()[-2000:])
            try:
                if httpx.get(url + "/healthz", timeout=1.0).text == "ok":
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError("the console never answered /healthz")
        yield url, log
    finally:
        server.terminate()
        server.wait(timeout=30)


def _shots() -> Path | None:
    target = os.environ.get("NUDGEGUARD_CONSOLE_SCREENSHOTS")
    return Path(target) if target else None


def test_sign_in_queue_reveal_act_and_export_in_chromium(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    url, log = served
    shots = tmp_path / "shots"
    shots.mkdir()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 860}, accept_downloads=True
        )
        page = context.new_page()
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))

        page.goto(url + "/")
        expect(page).to_have_url(url + "/login")
        page.screenshot(path=shots / "sign-in.png")
        page.fill("input[name=name]", "alice")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        expect(page.locator("h1")).to_have_text("Case queue")
        rows = page.locator("table.queue tbody tr")
        expect(rows).to_have_count(2)
        expect(rows.first).to_contain_text("NG-CRIT00001")
        expect(page.locator("body")).not_to_contain_text("NG-BETA00003")
        page.screenshot(path=shots / "queue.png", full_page=True)

        page.click("a:has-text('NG-CRIT00001')")
        expect(page.locator("h1")).to_have_text("Case NG-CRIT00001")
        for word in SECRET_WORDS:
            expect(page.locator("body")).not_to_contain_text(word)
        page.screenshot(path=shots / "case.png", full_page=True)

        page.click("button:has-text('Show message 2')")
        expect(page.locator(".messages")).to_contain_text(SECRET_WORDS[1])
        expect(page.locator(".messages")).not_to_contain_text(SECRET_WORDS[0])
        page.click("button:has-text('Show all 4 messages')")
        explicit = page.locator("button.text", has_text=SECRET_WORDS[2])
        expect(explicit).to_have_class("text blurred")
        assert "blur" in explicit.evaluate("e => getComputedStyle(e).filter")
        page.locator(".evidence").screenshot(path=shots / "evidence.png")
        explicit.click()  # the static script takes the blur off this one line
        expect(explicit).to_have_class("text")
        assert explicit.evaluate("e => getComputedStyle(e).filter") == "none"

        page.click("button:has-text('Acknowledge')")
        expect(page.locator(".note")).to_have_text("Acknowledged.")
        expect(page.locator(".status")).to_contain_text("acknowledged")
        with page.expect_download() as download:
            page.click("button:has-text('Export evidence bundle')")
        saved = tmp_path / "bundle.zip"
        download.value.save_as(saved)
        with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as zf:
            bundle = json.loads(zf.read("NG-CRIT00001/NG-CRIT00001.json"))
        assert bundle["case"]["status"] == "acknowledged"
        audit_trail = page.locator("text=exported")
        page.reload()
        expect(audit_trail.first).to_be_visible()

        page.click("nav a:has-text('Queue')")
        page.click("a:has-text('NG-MED000002')")
        page.select_option("select[name=reason]", "the bot misread the words")
        page.click("button:has-text('Dismiss')")
        expect(page.locator(".note")).to_have_text("Dismissed as a false positive.")

        page.click("nav a:has-text('Report')")
        expect(page.locator("h1")).to_have_text("Transparency report")
        chart = page.locator("img[alt='Case outcomes']")
        expect(chart).to_be_visible()
        page.wait_for_function("() => [...document.images].every(i => i.complete)")
        assert chart.evaluate("e => e.naturalWidth") > 100
        precision = page.locator("table", has_text="Dismissed").last
        expect(precision).to_contain_text("Offers gifts, money or game items")
        page.screenshot(path=shots / "report.png", full_page=True)

        page.click("button:has-text('Sign out')")
        expect(page).to_have_url(url + "/login")
        page.fill("input[name=name]", "bob")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Sign in')")
        page.click("nav a:has-text('Audit chain')")
        page.click("button:has-text('Verify the whole chain')")
        expect(page.locator(".note")).to_have_text("The audit chain is intact.")
        page.screenshot(path=shots / "audit.png", full_page=True)
        page.click("nav a:has-text('Dry-run decisions')")
        expect(page.locator("body")).to_contain_text("decisions observed.")
        expect(page.locator("#records")).to_contain_text("Would have sent")
        page.screenshot(path=shots / "decisions.png", full_page=True)
        browser.close()

    assert problems == []  # no CSP violation, no script error
    output = log.read_text()
    assert "GET /cases/NG-CRIT00001" in output  # the access log was captured
    for word in (*SECRET_WORDS, PASSWORD):
        assert word not in output
    target = _shots()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
        for shot in shots.iterdir():
            shutil.copy(shot, target / shot.name)
