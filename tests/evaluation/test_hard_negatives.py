"""The team's benign hard negatives from community chat open no case and nudge no one.

``data/community_hard_negatives.jsonl`` (see ``data/README.md``) holds game lobbies, game
DMs, livestream chat, game and customer support, and school groups, written by the team,
full of near-misses ("add me on discord", "dont tell anyone the secret level", "keep your
password private", "are your parents home to approve the purchase?"). It is a regression
set: a new false alarm on it fails here, naming conversation ids only.
"""

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from nudgeguard.evaluation import replay_corpora
from nudgeguard.evaluation.replay import Outcome
from nudgeguard.local.transcript import AgesMode, read_transcripts
from nudgeguard.policy import load_policy

CORPUS = Path(__file__).parent / "data" / "community_hard_negatives.jsonl"
LANGUAGES = ("en", "de", "nl", "es", "fr", "pt")
MODES: tuple[AgesMode, ...] = ("unknown", "declared")


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[Outcome]]:
    pack = load_policy("default")
    return {ages: asyncio.run(replay_corpora([CORPUS], pack, ages)) for ages in MODES}


def test_the_corpus_covers_the_kinds_and_languages_it_claims() -> None:
    chats = list(read_transcripts(CORPUS))
    assert len(chats) >= 60
    assert {t.label for t in chats} == {"normal"}
    assert all(10 <= len(t.messages) <= 60 for t in chats)
    assert {t.kind for t in chats} == {"direct", "group"}
    by_lang = Counter(t.lang for t in chats)
    assert all(by_lang[lang] >= 4 for lang in LANGUAGES), by_lang
    sources = {t.source for t in chats}
    assert {"game lobby", "game dm", "livestream chat", "game support", "school group"} <= sources


@pytest.mark.parametrize("ages", MODES)
def test_no_benign_chat_opens_a_case(outcomes: dict[str, list[Outcome]], ages: str) -> None:
    fired = sorted(o.id for o in outcomes[ages] if o.cases)
    assert not fired, f"cases opened on benign chats (ages {ages}): {fired}"
    assert all(o.errors == 0 for o in outcomes[ages])


@pytest.mark.parametrize("ages", MODES)
def test_no_benign_chat_nudges_anyone(outcomes: dict[str, list[Outcome]], ages: str) -> None:
    fired = sorted(o.id for o in outcomes[ages] if o.nudges)
    assert not fired, f"nudges on benign chats (ages {ages}): {fired}"
