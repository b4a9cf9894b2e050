"""Age inference: self-disclosure, adult cues and the guards against ordinary numbers."""

import pytest

from nudgeguard.inbox.events import AgeBand, MessageEvent, Participant
from nudgeguard.pipeline.age import AgeDetector
from nudgeguard.pipeline.text import normalize


def _infer(text, answering=False):
    return AgeDetector().infer(normalize(text).text, answering=answering)


@pytest.mark.parametrize(
    "line",
    [
        "im 13",
        "i'm 13 yo",
        "13yo",
        "8th grade",
        "im in 7th grade",
        "14/f/somewhere",
        "im thirteen",
        "im a junior in high school",
        "im really only 14",
        "me 14 f",
    ],
)
def test_minor_self_disclosure(line):
    found = _infer(line)
    assert found is not None
    assert found.id == "minor_self_disclosure"
    assert found.age_band is AgeBand.MINOR
    assert 0 < found.confidence <= 1


@pytest.mark.parametrize(
    "line",
    [
        "im 25",
        "i am 31 years old",
        "im in college",
        "i drive",
        "age is just a number",
        "im older than you but thats ok",
        "im actually 23",
        "do you like older guys?",
        "do you mind my age",
    ],
)
def test_adult_cues(line):
    found = _infer(line)
    assert found is not None
    assert found.id == "adult_age_cue"
    assert found.age_band is AgeBand.ADULT


@pytest.mark.parametrize(
    "line",
    [
        "12 hours in",
        "12/10",
        "when i was 12",
        "my brother is 12",
        "its 12:30",
        "im 5'2",
        "im 12 hours into this game",
        "my sister is in 8th grade",
        "he is 14",
        "im just 2 blocks away",
        # Durations, differences, the future and kinds of people are not the speaker's age.
        "we were married for a total of 8 years",
        "but im 10 years older",
        "keep it til im 18",
        "not till im like 30",
        "14 years old?",
        "14 year old girls are more mature",
        # "me" is "i am" in "me 14 f", not after a verb.
        "you told me like 42 or something",
        "give me 20 minutes",
    ],
)
def test_ordinary_numbers_are_not_ages(line):
    assert _infer(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "maybe when i go to college",
        "by the time i am in college",
        "i cant wait till i can drive",
        "i like older guys",
        "nah i dont mind the age thing",
        "he says im old enough",
    ],
)
def test_what_a_child_says_of_the_future_or_of_older_people_is_not_an_adult_cue(line):
    found = _infer(line)
    assert found is None or found.age_band is not AgeBand.ADULT


def test_strong_cue_beats_weak_cue():
    found = _infer("im 15 and my mom wont let me")
    assert found.confidence >= 0.9


def _event(author, text, n):
    return MessageEvent(
        platform="test",
        community_id="c",
        conversation_id="d",
        conversation_kind="direct",
        message_id=str(n),
        author=Participant(id=author),
        text=text,
        ts=float(n),
    )


def test_bare_number_counts_only_as_an_answer_to_an_age_question():
    det = AgeDetector()
    assert det.detect(normalize("14"), _event("a", "14", 0)) == []
    det.detect(normalize("how old r u"), _event("b", "how old r u", 1))
    found = det.detect(normalize("14"), _event("a", "14", 2))
    assert [s.age_band for s in found] == [AgeBand.MINOR]


@pytest.mark.parametrize("guess", ["25?", "25 i guess", "30 maybe", "25 im not good at guessing"])
def test_a_guess_at_the_askers_age_is_not_an_answer(guess):
    det = AgeDetector()
    det.detect(normalize("how old do you think i am"), _event("b", "how old r u", 1))
    assert det.detect(normalize(guess), _event("a", guess, 2)) == []


def test_an_age_said_as_a_joke_counts_for_less_than_a_plain_one():
    plain, joke = _infer("im 14"), _infer("im 20 lol")
    assert joke.age_band is AgeBand.ADULT
    assert joke.confidence < plain.confidence


def test_the_asker_does_not_answer_their_own_question():
    det = AgeDetector()
    det.detect(normalize("how old r u"), _event("b", "how old r u", 1))
    assert det.detect(normalize("14"), _event("b", "14", 2)) == []


def test_a_repeated_text_gets_the_same_answer_as_the_first_time():
    # Texts with numbers or cues are cached; the cache must keep "answering" apart.
    lines = ["14", "im 13", "ok", "how old r u", "im 24 but age is just a number", "lol"]
    det = AgeDetector()
    first = [det.detect(normalize(line), _event("a", line, 0)) for line in lines]
    again = [det.detect(normalize(line), _event("a", line, 1)) for line in lines]
    fresh = [AgeDetector().detect(normalize(line), _event("a", line, 0)) for line in lines]
    assert first == again == fresh
    det.detect(normalize("how old r u"), _event("b", "how old r u", 2))
    answered = det.detect(normalize("14"), _event("a", "14", 3))
    assert [s.age_band for s in answered] == [AgeBand.MINOR]
    assert det.detect(normalize("14"), _event("b", "14", 4)) == []  # the asker's own


def test_answer_window_expires():
    det = AgeDetector()
    det.detect(normalize("asl"), _event("b", "asl", 0))
    for i in range(1, 8):
        det.detect(normalize("ok"), _event("a", "ok", i))
    assert det.detect(normalize("14"), _event("a", "14", 9)) == []


def test_memory_is_bounded():
    det = AgeDetector(max_conversations=10)
    for i in range(50):
        ev = MessageEvent(
            platform="t",
            community_id="c",
            conversation_id=str(i),
            message_id=str(i),
            author=Participant(id="x"),
            text="asl",
            ts=0.0,
        )
        det.detect(normalize("asl"), ev)
    assert len(det._asked) == 10


@pytest.mark.parametrize(
    ("line", "band"),
    [
        ("ur 13 right?", AgeBand.MINOR),
        ("r u really 14?", AgeBand.MINOR),
        ("ur 34?", AgeBand.ADULT),
        ("ur 13 really", AgeBand.MINOR),
    ],
)
def test_an_age_stated_for_the_other_person_is_about_them(line, band):
    signals = AgeDetector().detect(normalize(line), _event("a", line, 0))
    (other,) = [s for s in signals if s.about_target]
    assert other.age_band is band
    assert not [s for s in signals if not s.about_target]


@pytest.mark.parametrize(
    "line", ["your 13 year old son", "you are 10 points ahead", "your 15 minutes"]
)
def test_numbers_near_you_that_are_not_ages(line):
    assert AgeDetector().detect(normalize(line), _event("a", line, 0)) == []


def test_saying_the_other_is_13_does_not_make_the_author_13():
    line = "you are only 13 years old and im 30"
    (own,) = [
        s for s in AgeDetector().detect(normalize(line), _event("a", line, 0)) if not s.about_target
    ]
    assert own.age_band is AgeBand.ADULT


def test_a_grade_asked_of_the_other_person_is_not_the_askers_grade():
    line = "r u in 8th grade?"
    (signal,) = AgeDetector().detect(normalize(line), _event("a", line, 0))
    assert signal.about_target and signal.age_band is AgeBand.MINOR


def test_a_number_answering_a_question_about_someone_else_is_not_an_age():
    det = AgeDetector()
    det.detect(normalize("how old is he?"), _event("a", "how old is he?", 0))
    assert det.detect(normalize("18"), _event("b", "18", 1)) == []
    det.detect(normalize("how old are ya"), _event("a", "how old are ya", 2))
    assert det.detect(normalize("18"), _event("b", "18", 3))[0].age_band is AgeBand.ADULT


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("what grade r u in", "7th"),
        ("which grade are you in now", "in 8th"),
        ("what year are you in", "year 7"),
        ("how old r u", "6th grade"),
    ],
)
def test_a_grade_alone_answering_a_grade_or_age_question_is_a_minor(question, answer):
    det = AgeDetector()
    det.detect(normalize(question), _event("b", question, 1))
    found = det.detect(normalize(answer), _event("a", answer, 2))
    assert [s.age_band for s in found] == [AgeBand.MINOR]


@pytest.mark.parametrize("answer", ["7th place lol", "3rd try", "1st?"])
def test_a_rank_or_a_try_is_not_a_grade(answer):
    det = AgeDetector()
    det.detect(normalize("what grade r u in"), _event("b", "what grade r u in", 1))
    assert det.detect(normalize(answer), _event("a", answer, 2)) == []


@pytest.mark.parametrize("line", ["we finish at 3, im in year 7", "im a year 9 lol"])
def test_a_british_school_year_is_a_minor(line):
    assert _infer(line).age_band is AgeBand.MINOR


@pytest.mark.parametrize("line", ["im a year 10 years older", "i was in year 8 when we met"])
def test_a_school_year_that_is_not_the_authors_now_is_not_read(line):
    found = _infer(line)
    assert found is None or found.age_band is not AgeBand.MINOR
