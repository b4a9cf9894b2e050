"""What the console says about a case follows the language of the case's community."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from nudgeguard.cases.sqlite import SqliteCaseStore
from nudgeguard.console import create_app
from nudgeguard.locales import LanguageSettings

from .conftest import read, sign_in
from .world import World

CASE = "/cases/NG-CRIT00001"  # a case of c-alpha, which this config sets to German


@pytest.fixture
def german(store_path: Path, world: World) -> Iterator[TestClient]:
    languages = LanguageSettings(communities={"c-alpha": "de"})
    app = create_app(lambda: SqliteCaseStore(store_path), secure_cookies=False, languages=languages)
    with TestClient(app) as client:
        yield client


def test_notes_after_an_action_are_in_the_communitys_language(german, store_path):
    csrf = sign_in(german, "alice")
    shown = german.post(f"{CASE}/evidence", data={"csrf": csrf, "show": "2"}).text
    assert '<p class="note" role="status" lang="de">Nur für dich sichtbar.</p>' in shown
    assert "Shown only to you." not in shown
    refused = german.post(f"{CASE}/action", data={"csrf": csrf, "action": "dismiss"})
    assert refused.status_code == 400
    assert "Wähle einen Grund zum Verwerfen." in refused.text
    done = german.post(
        f"{CASE}/action",
        data={"csrf": csrf, "action": "dismiss", "reason": "the bot misread the words"},
    )
    assert "Als Fehlalarm verworfen." in done.text
    assert "Dismissed as a false positive." not in done.text
    # What is recorded stays the same in every language: the English phrase.
    last = read(store_path, lambda s: s.events("NG-CRIT00001"))[-1]
    assert last.kind == "dismissed" and last.detail["note"] == "the bot misread the words"


def test_a_refusal_from_the_moderation_service_is_in_the_communitys_language(german):
    csrf = sign_in(german, "alice")
    german.post(f"{CASE}/action", data={"csrf": csrf, "action": "resolve"})
    again = german.post(f"{CASE}/action", data={"csrf": csrf, "action": "acknowledge"})
    assert again.status_code == 409
    assert "Dieser Fall ist bereits erledigt." in again.text and "already" not in again.text


def test_dismissal_reasons_are_shown_in_the_language_and_sent_as_recorded(german):
    sign_in(german, "alice")
    page = german.get(CASE).text
    options = dict(re.findall(r'<option value="([^"]+)" lang="de">([^<]+)</option>', page))
    assert options["the bot misread the words"] == "der Bot hat die Worte falsch gedeutet"
    assert options["other"] == "anderes"


def test_report_rows_follow_each_communitys_language(german):
    sign_in(german, "alice")
    page = german.get("/report").text
    assert "Eröffnete Moderationsfälle" in page and "Moderator cases opened" not in page


def test_without_a_setting_the_console_stays_english(client):
    csrf = sign_in(client, "alice")
    shown = client.post(f"{CASE}/evidence", data={"csrf": csrf, "show": "2"}).text
    assert "Shown only to you." in shown
    page = client.get(CASE).text
    assert '<option value="other" lang="en">other</option>' in page
