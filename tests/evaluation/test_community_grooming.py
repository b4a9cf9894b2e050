"""Grooming in community chat, written by the team blind: cases open, on the right person.

``data/community_grooming.jsonl`` (see ``data/README.md``) holds grooming chats in game
DMs and lobbies, Discord servers, social DMs, livestreams, club groups and stranger chat,
in six languages, written by helpers who never saw the patterns, with benign look-alikes.
Each round was measured blind once (docs/detection.md, "Community chats written blind")
and then guided changes, so together they are a regression set: a chat that stops opening
a case fails here, named by id, and so does a case on anyone but the suspect or a new
case on a benign chat.
"""

import asyncio
from collections import Counter
from pathlib import Path

import pytest

from nudgeguard.evaluation import replay_corpora
from nudgeguard.evaluation.replay import Outcome
from nudgeguard.local.transcript import AgesMode, read_transcripts
from nudgeguard.policy import load_policy

CORPUS = Path(__file__).parent / "data" / "community_grooming.jsonl"
MODES: tuple[AgesMode, ...] = ("unknown", "declared")
#: Grooming chats that open a case, as measured when the set landed (of 206).
CASES = {"unknown": 182, "declared": 185}
#: The benign chats allowed a case, as measured when the benign rounds written blind
#: landed (docs/detection.md, "The seventh round, and benign chats written blind"): two
#: teens planning a school project ("r ur parents home", "can i come over"), a grandparent
#: ("send me a photo in the new uniform", "our little secret"), and Portuguese chats among
#: family read by the learned scorer (informal Portuguese leans towards grooming in it).
#: cge-n-pt-01 (two adults flirting in Portuguese) is quiet since ages said in passing are read.
KNOWN_FALSE = {"bso-en-05", "bso-en-06", "bso-pt-03", "bso-pt-04", "bg-pt-08"}


@pytest.fixture(scope="module")
def outcomes() -> dict[str, list[Outcome]]:
    pack = load_policy("default")
    return {ages: asyncio.run(replay_corpora([CORPUS], pack, ages)) for ages in MODES}


def test_the_set_covers_six_languages_both_kinds_and_benign_look_alikes() -> None:
    chats = list(read_transcripts(CORPUS))
    grooming = [t for t in chats if t.label == "grooming"]
    assert len(grooming) == 246 and len(chats) - len(grooming) == 274
    by_lang = Counter(t.lang for t in grooming)
    assert all(by_lang[lang] >= 20 for lang in ("en", "de", "nl", "es", "fr", "pt")), by_lang
    assert {t.kind for t in grooming} == {"direct", "group"}


@pytest.mark.parametrize("ages", MODES)
def test_grooming_chats_keep_opening_cases(outcomes: dict[str, list[Outcome]], ages: str) -> None:
    grooming = [o for o in outcomes[ages] if o.label == "grooming"]
    missed = sorted(o.id for o in grooming if o.escalated_at is None)
    assert len(grooming) - len(missed) >= CASES[ages], f"no case (ages {ages}): {missed}"


@pytest.mark.parametrize("ages", MODES)
def test_cases_name_the_suspect_and_no_new_benign_chat(
    outcomes: dict[str, list[Outcome]], ages: str
) -> None:
    grooming = [o for o in outcomes[ages] if o.label == "grooming"]
    wrong = sorted(o.id for o in grooming if o.cases and o.subject_truth != "suspect")
    assert not wrong, f"cases on someone other than the suspect (ages {ages}): {wrong}"
    benign = {o.id for o in outcomes[ages] if o.label != "grooming" and o.cases}
    assert benign <= KNOWN_FALSE, f"cases on benign chats (ages {ages}): {sorted(benign)}"
    assert all(o.errors == 0 for o in outcomes[ages])
