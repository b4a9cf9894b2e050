"""The learned scorer's conversation model: both people's lines read together.

Lines are short paraphrases written for the test."""

import json

from nudgeguard.pipeline.detectors import LearnedDetector
from nudgeguard.pipeline.detectors.learned import (
    CONVERSATION_MIN_LINES,
    CONVERSATION_SIGNAL,
    conversation_signal,
    explanation,
)
from nudgeguard.pipeline.detectors.scorer_model import CONVERSATION_FILE, load_model
from nudgeguard.pipeline.signals import Signal
from nudgeguard.pipeline.text import normalize
from nudgeguard.state.store import PairState
from nudgeguard.state.stores.codec import pair_dump, pair_load
from tests.pipeline.test_learned import (
    EVERYDAY_SIDE,
    GROOMING_SIDE,
    RISKY,
    _event,
    _model,
    _replay,
)

PUSH = Signal("learned_grooming", confidence=0.5, source="learned", conversation_logit=0.5)


def _pair(lines: int, side: float, together: float) -> PairState:
    return PairState(learned_sum=side, learned_lines=lines, conversation_sum=together)


def test_the_conversation_counts_once_both_peoples_lines_together_pass_its_threshold():
    # 6 + 4 lines, summed 3.5 + 0.2 in units of the model's margin: 3.7 >= sqrt(10).
    signal = conversation_signal(_pair(6, 1.0, 3.5), _pair(4, 0.0, 0.2), PUSH)
    assert signal is not None and signal.id == CONVERSATION_SIGNAL
    assert conversation_signal(_pair(6, 1.0, 2.9), _pair(4, 0.0, 0.2), PUSH) is None


def test_fewer_lines_than_the_minimum_say_too_little_however_strong():
    few = CONVERSATION_MIN_LINES - 1
    assert conversation_signal(_pair(few, 9.0, 9.0), PairState(), PUSH) is None
    assert conversation_signal(_pair(few, 9.0, 9.0), _pair(1, 0.0, 0.0), PUSH) is not None


def test_it_is_never_about_the_person_whose_side_reads_less_like_a_suspects():
    child, suspect = _pair(5, -1.0, 2.0), _pair(5, 2.0, 2.0)
    assert conversation_signal(child, suspect, PUSH) is None
    assert conversation_signal(suspect, child, PUSH) is not None


def test_an_author_whose_own_side_reads_ordinary_gets_no_conversation_signal():
    # On top of a lower side and in a conversation past its threshold, but the author's
    # own side is under the floor (0.3 / sqrt(6) = 0.12 of the side threshold).
    assert conversation_signal(_pair(6, 0.3, 9.0), _pair(4, -2.0, 0.2), PUSH) is None
    assert conversation_signal(_pair(6, 0.7, 9.0), _pair(4, -2.0, 0.2), PUSH) is not None


def test_a_message_that_pulls_the_conversation_back_counts_for_nothing():
    pull = Signal("learned_grooming", confidence=0.5, source="learned", conversation_logit=-0.1)
    assert conversation_signal(_pair(8, 2.0, 9.0), _pair(8, 0.0, 9.0), pull) is None


def test_its_explanation_names_the_conversation_models_strongest_ngrams():
    detector = LearnedDetector(
        _model({RISKY: 3.0}), conversation=_model({"at practice": 3.0}, bias=-1.0)
    )
    text = normalize("keep it quiet at practice")
    (signal,) = detector.detect(text, _event(text.text))
    assert signal.logit > 0 and signal.conversation_logit > 0
    assert set(explanation(signal)[1]) <= {"keep", "it", "quiet", "keep it", "it quiet"}
    assert set(explanation(signal, together=True)[1]) <= {"at", "practice", "at practice"}


def test_a_side_model_given_alone_runs_without_a_conversation_model():
    detector = LearnedDetector(_model({RISKY: 3.0}))
    (signal,) = detector.detect(normalize(RISKY), _event(RISKY))
    assert detector.conversation is None and signal.conversation_logit == 0.0


def test_the_bundled_conversation_model_reads_a_grooming_chat_above_an_everyday_one():
    detector = LearnedDetector()
    assert detector.conversation is not None
    assert load_model(bundled=CONVERSATION_FILE).meta["seed"] == 19

    def together(lines: list[str]) -> float:
        total = 0.0
        for text in lines:
            (signal,) = detector.detect(normalize(text), _event(text))
            total += signal.conversation_logit
        return total / len(lines) ** 0.5

    child = ["hi", "im 13", "ok", "why", "my mom is at work", "lol", "idk", "ok i guess"]
    assert together(GROOMING_SIDE + child) > 1.0 > together(EVERYDAY_SIDE + EVERYDAY_SIDE)


def test_a_stored_pair_keeps_its_conversation_sum():
    pair = PairState(learned_sum=1.0, learned_lines=3, conversation_sum=2.71828)
    assert pair_load(json.loads(pair_dump(pair, 0.0))).conversation_sum == 2.72


# A side model that alone never reaches its threshold within the chat (each line adds
# 0.17 of its margin), and a conversation model that reads the same lines more strongly.
WEAK_SIDE = {RISKY: 0.1}
STRONG_TOGETHER = {RISKY: 0.3}


def _chat(turns: int) -> list[tuple[str, str]]:
    lines = []
    for i in range(turns):
        lines += [("a", f"{RISKY} {i}"), ("b", f"ok sure {i}")]
    return lines


async def test_a_chat_no_side_alone_gives_away_opens_a_case_about_the_right_person():
    detector = LearnedDetector(_model(WEAK_SIDE), conversation=_model(STRONG_TOGETHER))
    decisions = await _replay(detector, _chat(10))
    first = next(i for i, d in enumerate(decisions) if d is not None and d.actions)
    case = decisions[first]
    # a's first line is aimed at nobody yet, so the ninth is a's eighth scored line: 8
    # lines worth 0.5 each over 16 lines together (4 / sqrt(16) = 1). Not a line before.
    assert first == 16
    assert (case.actor_id, case.target_id) == ("a", "b")
    assert [s.id for s in case.signals] == [CONVERSATION_SIGNAL]
    assert case.wants("escalate") is not None and case.wants("nudge_child") is not None
    assert CONVERSATION_SIGNAL in case.explain() and "quiet" not in case.explain()
    # The person it is about gets no warning, and b is never made the subject.
    assert case.wants("warn_sender") is None
    assert all(d is None or d.actor_id == "a" or not d.signals for d in decisions)


async def test_the_same_chat_opens_nothing_without_the_conversation_model():
    decisions = await _replay(LearnedDetector(_model(WEAK_SIDE)), _chat(10))
    assert not any(d is not None and d.actions for d in decisions)
