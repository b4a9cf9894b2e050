"""Portuguese chat phrasings of age, secrecy, supervision and meeting moves.

Brazilian chat abbreviates ("qntos anos", "vc tá em que ano"), turns word order around
("segredo nosso") and asks to meet in many ways ("vamos nos ver", "quer sair comigo",
"te busco na escola"). Every line is a paraphrase written for the test (none comes from a
corpus); the everyday lines must stay quiet.
"""

from __future__ import annotations

import pytest

from nudgeguard.inbox.events import AgeBand
from nudgeguard.pipeline.age import AgeDetector
from nudgeguard.pipeline.detectors.lexicon import LexiconDetector
from nudgeguard.pipeline.language import identify
from nudgeguard.pipeline.text import normalize
from tests.pipeline.messages import message

MOVES: list[tuple[str, str]] = [
    ("age_probe", "oi tudo bem? qntos anos vc tem"),
    ("age_probe", "e vc tem qnts?"),
    ("age_probe", "vc tá em que ano da escola"),
    ("secrecy_request", "isso é segredo nosso viu"),
    ("supervision_probe", "ta sozinha ai?"),
    ("meet_request", "vamos nos ver amanhã depois da aula?"),
    ("meet_request", "quer sair comigo sábado"),
    ("meet_request", "posso te buscar na escola amanhã"),
    ("meet_request", "a gente podia se encontrar no shopping"),
    ("meet_request", "queria te conhecer pessoalmente"),
]

EVERYDAY = [
    "a gente se vê na aula amanhã",
    "quantas horas você dormiu?",
    "minha mãe vai me buscar às cinco",
    "vou sair com os meninos hoje",
    "qual ano saiu esse filme?",
]


@pytest.mark.parametrize(("sid", "line"), MOVES, ids=[f"{s}-{i}" for i, (s, _) in enumerate(MOVES)])
def test_a_portuguese_phrasing_of_a_grooming_move_is_read(sid, line):
    assert identify(line) in ("pt", None)
    assert sid in LexiconDetector().find(normalize(line).text, line)


@pytest.mark.parametrize("line", EVERYDAY)
def test_everyday_portuguese_about_school_and_meeting_friends_stays_quiet(line):
    found = LexiconDetector().find(normalize(line).text, line)
    assert not {"meet_request", "age_probe", "secrecy_request"} & set(found)


def test_an_abbreviated_age_question_makes_a_bare_number_in_reply_an_age():
    detector = AgeDetector()
    question = "vc tem qnts anos?"
    detector.detect(normalize(question), message("a", question))
    (signal,) = detector.detect(normalize("12"), message("b", "12"))
    assert signal.age_band is AgeBand.MINOR
