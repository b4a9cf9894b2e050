"""Asking for a child to abuse, for sexual images of children, or about sex with children.

One such line is grave whoever it is said to (often an adult: a parent asked for their own
child), so it opens a critical case by itself, in each of the six languages. Every line is
a paraphrase written for the test (none comes from a corpus). Ordinary talk about children,
and talk against abuse, stays quiet.
"""

from __future__ import annotations

import pytest

from nudgeguard.engine import Engine
from nudgeguard.inbox.events import ConversationKind
from nudgeguard.pipeline.detectors.lexicon import LexiconDetector
from nudgeguard.pipeline.language import identify
from nudgeguard.pipeline.text import normalize
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

SID = "child_abuse_interest"

ASKS: list[tuple[str, str]] = [
    ("en", "do you have a daughter for me to fuck"),
    ("en", "bring your little sister so i can have sex with her"),
    ("en", "got any child porn to trade?"),
    ("en", "send me nudes of your daughter"),
    ("en", "are you into pedo stuff"),
    ("pt", "se eu te pagar vc arruma uma menor de idade pra eu comer?"),
    ("pt", "vc tem uma filha bem novinha pra brincar com um homem de 40 anos?"),
    ("pt", "vc curte incesto e pedo?"),
    ("pt", "tem pornografia infantil pra trocar?"),
    ("pt", "manda nudes da sua irmãzinha"),
    ("es", "tienes una hija de 10 años para follármela?"),
    ("es", "busco porno infantil, tienes?"),
    ("es", "te gusta la pedofilia?"),
    ("es", "mándame nudes de tu hermanita"),
    ("fr", "tu as une fille de 12 ans pour que je puisse la baiser"),
    ("fr", "envoie moi des nudes de ta petite soeur"),
    ("fr", "tu aimes la pédophilie ?"),
    ("de", "hast du eine tochter zum ficken"),
    ("de", "stehst du auf kleine mädchen"),
    ("de", "hast du kinderpornos?"),
    ("de", "schick mir nacktbilder von deiner tochter"),
    ("nl", "heb je een dochter om te neuken"),
    ("nl", "val je op kleine meisjes"),
    ("nl", "heb je kinderporno"),
    ("nl", "stuur naaktfotos van je zusje"),
]

ORDINARY = [
    "can you bring the kids to play with mine on saturday",
    "my daughter wants to play with your son",
    "do you like kids?",
    "i hate pedos, they should be locked up",
    "r u a pedophile? lol",
    "cp file.txt /tmp and try again",
    "uma menina para brincar com minha filha",
    "pornografia infantil é crime, denuncie",
    "eu gosto de crianças, sou professora",
    "mi hija quiere jugar con tu hijo",
    "la pornografía infantil es un delito",
    "que pedo wey, todo bien?",
    "les enfants sont à l'école jusqu'à midi",
    "magst du kinder?",
    "hou je van kinderen?",
    "mijn dochter gaat naar school",
    # Adults whose children are out of the way: about the children, not about them.
    "the kids are finally asleep so i can fuck you properly",
    "bring the kids to your mum's so i can have sex with you",
    "as crianças saíram, agora dá pra transar",
    "traz as crianças pra comer pizza",
    "leva as crianças na vó pra eu comer você",
    "los niños se durmieron, ahora para follar tranquilos",
    "les enfants sont chez mamie, pour baiser c'est parfait",
    "die kinder schlafen endlich, damit ich dich ficken kann",
    "de kinderen slapen, tijd om te neuken",
]


@pytest.mark.parametrize(("lang", "line"), ASKS, ids=[f"{x}-{i}" for i, (x, _) in enumerate(ASKS)])
def test_the_ask_is_read_in_its_language(lang, line):
    assert identify(line) in (lang, None)
    assert SID in LexiconDetector().find(normalize(line).text, line)


@pytest.mark.parametrize("line", ORDINARY)
def test_ordinary_talk_about_children_and_against_abuse_stays_quiet(line):
    assert SID not in LexiconDetector().find(normalize(line).text, line)


DISGUISED = [
    "do you have a d4ught3r for me to fuck",  # leetspeak
    "are you into p e d o",  # spaced out
    "hast du kinder\u200bpornos",  # a zero-width space inside the word
    "\u0430re you into ped\u043e",  # Cyrillic a and o
    "vc curte p3do?",
    "got any ch1ld p0rn",
]


@pytest.mark.parametrize("line", DISGUISED)
def test_a_disguised_ask_is_read_and_marked_as_evasion(line):
    (signal,) = [s for s in LexiconDetector().detect(normalize(line), None) if s.id == SID]
    assert signal.evasion


async def _first_line_case(line: str, target_age: str = "unknown") -> tuple[Engine, FakeAdapter]:
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter])
    await engine.start(background=False)
    chat = Scenario(engine, kind=ConversationKind.DIRECT)
    asker, other = person("asker"), person("other", target_age)
    await chat.say(other, "oi")
    await chat.say(asker, line, to=other)
    await engine.outbox.drain()
    return engine, adapter


@pytest.mark.parametrize("line", [ASKS[0][1], ASKS[6][1], ASKS[17][1]])
async def test_one_such_line_opens_a_critical_case_about_the_asker(line):
    engine, adapter = await _first_line_case(line)
    try:
        (case,) = await engine.cases.list_cases()
        assert case.subject == engine.pseudonyms.pseudonym("fake", "asker")
        assert case.severity.value == "critical"
        assert [n.recipient_id for n, _ in adapter.nudges] == ["other"]
    finally:
        await engine.stop()


async def test_said_to_a_known_adult_the_case_opens_and_no_one_is_nudged():
    engine, adapter = await _first_line_case(ASKS[0][1], target_age="adult")
    try:
        (case,) = await engine.cases.list_cases()
        assert case.severity.value == "critical"
        assert adapter.nudges == []
    finally:
        await engine.stop()


async def test_talk_against_abuse_opens_no_case():
    engine, adapter = await _first_line_case("i hate pedos, they should be locked up")
    try:
        assert await engine.cases.list_cases() == []
        assert adapter.alerts == []
    finally:
        await engine.stop()
