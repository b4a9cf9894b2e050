"""Ages and adult lives said in passing, in each language, and what only looks like them.

Two adults in a stranger chat rarely say "i am 23": they say "23 and already tired",
"26 here", "just got off work", "my thesis". Read as adults, their talk is theirs; unread,
it can look like talk aimed at someone of unknown age.
"""

import pytest

from nudgeguard.inbox.events import AgeBand
from nudgeguard.pipeline.age import AgeDetector
from nudgeguard.pipeline.text import normalize


def _band(line: str) -> AgeBand | None:
    found = AgeDetector().infer(normalize(line).text, raw=line)
    return None if found is None else found.age_band


@pytest.mark.parametrize(
    ("line", "band"),
    [
        ("26 here, long day", AgeBand.ADULT),
        ("ok 14 here lol", AgeBand.MINOR),
        ("sai da aula agora, 23 anos e ja to morta", AgeBand.ADULT),
        ("26 aqui. e vc faz o que", AgeBand.ADULT),
        ("13 aqui kkk", AgeBand.MINOR),
        ("pues 24 años y sigo igual", AgeBand.ADULT),
        ("25 aquí, y tú?", AgeBand.ADULT),
        ("bref, 27 ans et toujours fatigué", AgeBand.ADULT),
        ("29 ici mdr", AgeBand.ADULT),
        ("naja, 31 jahre und immer noch müde", AgeBand.ADULT),
        ("24 hier, und bei dir?", AgeBand.ADULT),
        ("tja, 22 jaar en nog steeds moe", AgeBand.ADULT),
        ("12 hier haha", AgeBand.MINOR),
    ],
)
def test_an_age_said_at_the_start_of_a_clause_is_the_authors(line, band):
    assert _band(line) is band


@pytest.mark.parametrize(
    "line",
    [
        "moro aqui faz 20 anos",  # a span of time
        "20 anos atrás era tudo diferente",
        "hace 15 años que vivo aquí",
        "15 años después volvió",
        "il y a 20 ans, oui",
        "20 ans plus tard il est revenu",
        "20 jahre her, echt",
        "wir wohnen seit 12 jahren hier",
        "10 jaar geleden al",
    ],
)
def test_spans_of_time_and_counts_are_not_ages(line):
    assert _band(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "to aqui de tedio dps do trampo",
        "acabei de sair do trabalho",
        "meu tcc ta acabando comigo",
        "salgo del curro a las 8",
        "mi jefe me tiene harta",
        "je sors du taf là",
        "mon loyer a encore augmenté",
        "ich komme gerade von der arbeit",
        "ich studiere in köln",
        "meine miete ist zu hoch",
        "ik kom net uit mijn werk",
        "mijn baas is echt irritant",
    ],
)
def test_an_adult_life_said_in_passing_is_an_adult_cue(line):
    assert _band(line) is AgeBand.ADULT


@pytest.mark.parametrize(
    "line",
    [
        "minha mae chega depois do trabalho",  # a parent's work
        "quando eu for pra faculdade vou morar sozinha",  # a child's future
        "mi madre vuelve del trabajo tarde",
        "ma mère rentre du travail à 19h",
        "meine mutter kommt nach der arbeit",
        "mijn moeder komt na het werk",
        "ik studeer voor mijn toets",  # homework
    ],
)
def test_a_parents_work_or_a_childs_homework_is_not_an_adult_cue(line):
    assert _band(line) is not AgeBand.ADULT
