"""The lexicon detector: taxonomy coverage, false-positive guards, evasion flags."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard.inbox.events import MessageEvent, Participant
from nudgeguard.pipeline.detectors import Detector, default_detectors
from nudgeguard.pipeline.detectors.anchors import PatternError
from nudgeguard.pipeline.detectors.lexicon import LexiconDetector, parse_lexicon
from nudgeguard.pipeline.signals import TAXONOMY
from nudgeguard.pipeline.text import normalize

DET = LexiconDetector()


def _ids(text):
    return {s.id for s in DET.detect(normalize(text), None)}


# Short paraphrases written for the tests, one or more per taxonomy id.
POSITIVE = [
    ("age_probe", "how old r u"),
    ("age_probe", "what grade are you in"),
    ("age_probe", "asl?"),
    ("age_probe", "are you really 13?"),
    ("location_probe", "where do u live"),
    ("location_probe", "which school do you go to"),
    ("supervision_probe", "r u home alone rn"),
    ("supervision_probe", "are ur parents home"),
    ("supervision_probe", "do ur parents check ur phone"),
    ("supervision_probe", "r u a cop?"),
    ("supervision_probe", "is this a sting"),
    ("secrecy_request", "dont tell anyone about us"),
    ("secrecy_request", "this is just between you and me"),
    ("secrecy_request", "ur parents wouldnt understand"),
    ("platform_migration", "add me on snap"),
    ("platform_migration", "whats ur kik"),
    ("platform_migration", "dm me"),
    ("platform_migration", "whats ur insta"),
    ("platform_migration", "ur number?"),
    ("gift_offer", "ill buy u robux"),
    ("gift_offer", "want a gift card"),
    # Pictures or "them" shown to people who matter to the child.
    ("sextortion_threat", "im gonna send them to your mom"),
    ("sextortion_threat", "ill leak your pics to your school"),
    ("sextortion_threat", "send your nudes to your dad"),
    # A refusal followed by exposure, with the pictures named or left unsaid.
    ("sextortion_threat", "if you dont send it i will show everyone"),
    ("sextortion_threat", "if u dont send me more i will show ur mom"),
    ("sextortion_threat", "if you dont pay i will post them"),
    ("sextortion_threat", "send it or i post your pics"),
    # Gifting in a game: the item may carry a word of its own ("the dragon skin").
    ("gift_offer", "ill gift u the dragon skin for ur bday"),
    ("gift_offer", "i can gift you a battle pass"),
    ("gift_offer", "ill get you a new skin if u add me"),
    ("flattery_appearance", "ur so pretty"),
    ("flattery_appearance", "so mature for ur age"),
    ("flattery_appearance", "u dont act 14 at all"),
    ("flattery_appearance", "too bad ur not older"),
    ("love_bombing", "ur my everything"),
    ("love_bombing", "what would u like to do on a date?"),
    ("love_bombing", "what kind of guys do u like"),
    ("love_bombing", "no one gets u like i do"),
    ("isolation_alienation", "ur friends are fake"),
    ("isolation_alienation", "only i understand you"),
    ("image_request", "send me a pic"),
    ("image_request", "got any more pics"),
    ("image_request", "one just for me"),
    ("image_request", "show me more"),
    ("image_request", "show me urself"),
    ("sexual_desensitization", "u wouldnt know what to do with it"),
    ("sexual_desensitization", "have u ever made out with a guy"),
    ("flattery_appearance", "ur so cute petite girl"),  # not "cute pet"
    ("supervision_probe", "what time does ur mom get home"),
    ("platform_migration", "i want to hear ur voice"),
    ("meet_request", "wanna see me?"),
    ("meet_request", "can u sneak over tonight"),
    ("meet_request", "cant wait till we meet"),
    ("supervision_probe", "u alone now?"),
    ("sexual_desensitization", "wanna take a shower with me"),
    ("video_call_request", "hop on cam"),
    ("video_call_request", "turn ur camera on"),
    ("sexual_desensitization", "what r u wearing"),
    ("sexual_desensitization", "everyone ur age does it"),
    ("coercion_pressure", "if u loved me u would"),
    ("coercion_pressure", "dont be a baby"),
    ("meet_request", "lets meet up this weekend"),
    ("meet_request", "i can pick u up after school"),
    ("meet_request", "when can u hang out"),
    ("meet_request", "r u allowed to come over"),
    ("sextortion_threat", "send more or ill post them"),
    ("sextortion_threat", "ill send ur pics to ur family"),
    ("child_pii_disclosure", "my address is on the main road"),
    ("child_pii_disclosure", "call me 555 123 4567"),
    ("deletion_request", "delete our chat"),
    ("deletion_request", "turn on disappearing messages"),
    ("image_request", "show me your body"),
    ("meet_request", "whats a good place to meet"),
    ("meet_request", "ill be in a blue car"),
    ("meet_request", "wear ur red hoodie so i can find you"),
    ("meet_request", "cant wait to see you tomorrow"),
    ("image_request", "can u show me ur legs"),
]


@pytest.mark.parametrize(("sid", "line"), POSITIVE)
def test_taxonomy_examples_are_found(sid, line):
    assert sid in _ids(line)


def test_every_scored_signal_has_patterns():
    keys = {p.key for p in DET.lexicon.patterns}
    learned = {"learned_grooming", "learned_conversation"}
    missing = set(TAXONOMY) - keys - {"minor_self_disclosure", "adult_age_cue"} - learned
    assert not missing


@pytest.mark.parametrize(
    ("line", "sid"),
    [
        ("12 hours in and still going", "age_probe"),
        ("can you send a pic of your setup", "image_request"),
        ("here is a pic of my setup", "image_request"),
        ("dm me for the price", "platform_migration"),
        ("dont tell anyone about the surprise party", "secrecy_request"),
        ("ill leak your coords in minecraft", "sextortion_threat"),
        ("your dog is so cute", "flattery_appearance"),
        ("oops delete that, wrong chat", "deletion_request"),
        ("see you at the team meeting", "meet_request"),
        ("nice to meet ya", "meet_request"),
        ("great to meet ya, im new here", "meet_request"),
        ("is this a trap card lol", "supervision_probe"),
        ("my phone died, so the call dropped", "platform_migration"),
        ("this plan wont tie up your phone line", "platform_migration"),
        ("let me show you how to format a cv", "sexual_desensitization"),
        ("talking it through helps me get it off my chest", "sexual_desensitization"),
        ("it rained all day and my shoes are wet", "sexual_desensitization"),
        # Everyday service talk: documents and goods, not pictures of someone.
        ("could you show me your passport please", "image_request"),
        ("can i see your boarding pass", "image_request"),
        ("would you show me some table cloths", "image_request"),
        ("do you have any pics of the kitchen", "image_request"),
        # Plans that are not a meeting between the two.
        ("whats a good place to eat", "meet_request"),
        ("ill be in the car in 5 min", "meet_request"),
        ("cant wait to see the movie tomorrow", "meet_request"),
        ("what car should i buy", "meet_request"),
        # Delivering something, or a form to sign: no threat to the reader.
        ("ill send it to your email now", "sextortion_threat"),
        ("ill forward it to your manager", "sextortion_threat"),
        ("please show this to your parents and get it signed", "sextortion_threat"),
        ("can you send it to everyone in the group", "sextortion_threat"),
        ("send them to your mom for the permission slip", "sextortion_threat"),
        # Conditions that are no threats: a plan, a meeting, something said later.
        (
            "if you dont have time i will show everyone the video at the meeting",
            "sextortion_threat",
        ),
        ("if you dont like it ill show you another one", "sextortion_threat"),
        ("if you dont come ill send the pics from the trip to everyone", "sextortion_threat"),
        ("or i post it later", "sextortion_threat"),
        # A move in a game, not a present: only items take a word in between.
        ("ill get you the red card next round", "gift_offer"),
        ("ill give you the first game, then we play for real", "gift_offer"),
        ("let me get you a glass of water", "gift_offer"),
        # Game gear and car care: "body" of a thing, not of the person.
        ("show me your body armor build", "image_request"),
        ("show me your body paint job on the car", "image_request"),
        # Effort and taste, not sex; "made out" as in worked out.
        ("you worked hard on your english", "sexual_desensitization"),
        ("dont be so hard on yourself", "sexual_desensitization"),
        ("what a great taste you have", "sexual_desensitization"),
        ("have you made out how much we will spend", "sexual_desensitization"),
        ("i dont know what to do with it anymore", "sexual_desensitization"),
    ],
)
def test_false_positive_guards(line, sid):
    assert sid not in _ids(line)


@pytest.mark.parametrize(
    "line",
    [
        "hey whats up",
        "lol that game was great",
        "can you send me the file tomorrow?",
        "12/10 would play again",
        "when i was 12 i had a bike",
        "lets decide what to order",
    ],
)
def test_ordinary_chat_is_quiet(line):
    assert _ids(line) == set()


def test_obfuscated_match_sets_evasion():
    found = {s.id: s for s in DET.detect(normalize("s3nd me a p1c"), None)}
    assert found["image_request"].evasion
    plain = {s.id: s for s in DET.detect(normalize("send me a pic"), None)}
    assert not plain["image_request"].evasion


def test_signals_carry_spans_and_confidence():
    text = normalize("hey, how old r u?")
    (sig,) = [s for s in DET.detect(text, None) if s.id == "age_probe"]
    start, end = sig.span
    assert text.text[start:end].startswith("how old")
    assert 0 < sig.confidence <= 1
    assert sig.source == "lexicon"


def test_one_signal_per_id_per_message():
    found = DET.detect(normalize("send me a pic, send more pics"), None)
    assert [s.id for s in found].count("image_request") == 1


def test_bad_lexicon_data_gives_clear_errors():
    with pytest.raises(PatternError, match="unknown signal"):
        parse_lexicon({"signals": {"not_a_signal": ["abc"]}})
    with pytest.raises(PatternError, match="anchor"):
        parse_lexicon({"signals": {"age_probe": ["[a-z]+"]}})
    with pytest.raises(PatternError, match="invalid"):
        parse_lexicon({"signals": {"age_probe": ["how old ("]}})
    with pytest.raises(PatternError, match="macro"):
        parse_lexicon({"signals": {"age_probe": ["<NOPE> old"]}})


def test_both_matchers_agree():
    alt = LexiconDetector(backend="alternation")
    for _, line in POSITIVE:
        n = normalize(line)
        assert {s.id for s in alt.detect(n, None)} == {s.id for s in DET.detect(n, None)}


def test_default_detectors_follow_the_protocol():
    dets = default_detectors()
    assert {d.name for d in dets} == {"lexicon", "age", "learned"}
    ev = MessageEvent(
        platform="t",
        community_id="c",
        conversation_id="d",
        message_id="1",
        author=Participant(id="a"),
        text="im 13",
        ts=0.0,
    )
    for d in dets:
        assert isinstance(d, Detector)
        assert isinstance(d.detect(normalize(ev.text), ev), list)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_detectors_never_crash_on_any_unicode(raw):
    ev = MessageEvent(
        platform="t",
        community_id="c",
        conversation_id="d",
        message_id="1",
        author=Participant(id="a"),
        text=raw,
        ts=0.0,
    )
    text = normalize(ev.text)
    for det in default_detectors():
        for sig in det.detect(text, ev):
            assert sig.id in TAXONOMY
            assert 0 < sig.confidence <= 1
            assert 0 <= sig.span[0] <= sig.span[1] <= len(text.text)
