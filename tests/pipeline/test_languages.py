"""Detection in German, Dutch, Portuguese, Spanish and French, and the mismatch rule.

Every line here is a short paraphrase written for the test (none comes from a corpus).
"""

from __future__ import annotations

import pytest

from nudgeguard.inbox.events import AgeBand
from nudgeguard.pipeline.age import AgeDetector
from nudgeguard.pipeline.detectors.anchors import PatternError
from nudgeguard.pipeline.detectors.lexicon import LexiconDetector, parse_lexicon
from nudgeguard.pipeline.language import applies, identify
from nudgeguard.pipeline.text import normalize
from tests.pipeline.messages import message

# One line per language and signal family: what a native speaker might write.
FAMILIES: list[tuple[str, str, str]] = [
    # German
    ("de", "age_probe", "und wie alt bist du eigentlich?"),
    ("de", "secrecy_request", "erzähl das bitte niemandem, ok?"),
    ("de", "secrecy_request", "das bleibt unser kleines geheimnis"),
    ("de", "platform_migration", "hast du whatsapp? dann schreib ich dir da"),
    ("de", "image_request", "schick mir doch mal ein foto von dir"),
    ("de", "image_request", "zeig mir mal deinen körper"),
    ("de", "meet_request", "wollen wir uns mal treffen am wochenende?"),
    ("de", "supervision_probe", "bist du gerade allein zu hause?"),
    # Dutch
    ("nl", "age_probe", "hoe oud ben je eigenlijk?"),
    ("nl", "secrecy_request", "zeg het tegen niemand, goed?"),
    ("nl", "secrecy_request", "dit blijft ons geheimpje hoor"),
    ("nl", "platform_migration", "heb je snapchat? dan praten we daar verder"),
    ("nl", "image_request", "stuur me eens een foto van jezelf"),
    ("nl", "image_request", "laat me eens je lichaam zien"),
    ("nl", "meet_request", "zullen we een keer afspreken in de stad?"),
    ("nl", "supervision_probe", "ben je alleen thuis vanavond?"),
    # Portuguese
    ("pt", "age_probe", "quantos anos vc tem?"),
    ("pt", "secrecy_request", "não conta pra ninguém tá bom"),
    ("pt", "secrecy_request", "isso fica só entre a gente"),
    ("pt", "platform_migration", "me passa seu whats que a gente conversa lá"),
    ("pt", "image_request", "manda uma foto sua pra mim"),
    ("pt", "image_request", "me mostra seu corpo, você é muito linda"),
    ("pt", "meet_request", "vamos nos encontrar no sábado? a gente pode se ver pessoalmente"),
    ("pt", "supervision_probe", "você está sozinha em casa agora?"),
    # Spanish
    ("es", "age_probe", "oye y cuántos años tienes?"),
    ("es", "secrecy_request", "no se lo digas a nadie por favor"),
    ("es", "secrecy_request", "esto queda entre tú y yo"),
    ("es", "platform_migration", "pásame tu whatsapp y hablamos mejor"),
    ("es", "image_request", "mándame una foto tuya porfa"),
    ("es", "image_request", "anda, enséñame tus piernas, que eres muy guapa"),
    ("es", "meet_request", "quieres quedar este finde? podemos vernos en el parque"),
    ("es", "supervision_probe", "estás sola en casa ahora?"),
    # French
    ("fr", "age_probe", "tu as quel âge au fait ?"),
    ("fr", "secrecy_request", "ne dis rien à personne d'accord"),
    ("fr", "secrecy_request", "ça reste entre nous deux"),
    ("fr", "platform_migration", "tu as snap ? ajoute-moi sur snap"),
    ("fr", "image_request", "envoie-moi une photo de toi"),
    ("fr", "image_request", "montre-moi ton corps"),
    ("fr", "meet_request", "ça te dit qu'on se voie en vrai samedi ?"),
    ("fr", "supervision_probe", "tu es toute seule à la maison ?"),
    # Asking whether the parents read the phone, and turning the child against them.
    ("de", "supervision_probe", "schauen deine eltern in dein handy?"),
    ("nl", "supervision_probe", "kijken je ouders op je telefoon?"),
    ("pt", "isolation_alienation", "seus pais não te entendem, só eu te entendo"),
    ("es", "isolation_alienation", "tus padres no te entienden, nadie te entiende como yo"),
    ("fr", "isolation_alienation", "tes parents ne te comprennent pas, il n'y a que moi"),
    ("fr", "sexual_desensitization", "qu'est-ce que tu portes là ?"),
    # Deleting the chat the two of them had, in each language.
    ("de", "deletion_request", "lösch unseren chat, ok?"),
    ("pt", "deletion_request", "apaga nossa conversa tá"),
    ("es", "deletion_request", "borra nuestro chat, que nadie lo vea"),
    ("fr", "deletion_request", "supprime notre conversation, personne doit la voir"),
    ("es", "video_call_request", "prende tu cámara"),
    # Threats to show the pictures to others, in each language.
    ("de", "sextortion_threat", "schick mehr, sonst zeig ich deine bilder deinen eltern"),
    ("de", "sextortion_threat", "wenn du es nicht schickst zeig ich es allen"),
    ("nl", "sextortion_threat", "stuur meer anders stuur ik je fotos naar je ouders"),
    ("nl", "sextortion_threat", "als je het niet stuurt laat ik het aan iedereen zien"),
    ("pt", "sextortion_threat", "se vc não mandar eu mostro pra todo mundo"),
    ("es", "sextortion_threat", "si no me lo mandas se lo enseño a todos"),
    ("fr", "sextortion_threat", "je vais envoyer tes photos à tes parents"),
    ("fr", "sextortion_threat", "si tu ne l'envoies pas je le montre à tout le monde"),
    # Game currency and items offered as gifts, in each language.
    ("de", "gift_offer", "ich schenk dir robux wenn du willst"),
    ("nl", "gift_offer", "ik koop een skin voor je"),
    ("pt", "gift_offer", "eu te dou robux se vc quiser"),
    ("es", "gift_offer", "te compro el pase de batalla"),
    ("fr", "gift_offer", "je peux t'offrir un skin pour ton anniversaire"),
]


def _signals(line: str) -> dict[str, tuple[float, int, int]]:
    return LexiconDetector().find(normalize(line).text, line)


@pytest.mark.parametrize(
    ("lang", "sid", "line"), FAMILIES, ids=[f"{a}-{b}" for a, b, _ in FAMILIES]
)
def test_each_language_has_each_signal_family(lang, sid, line):
    assert identify(line) == lang
    assert sid in _signals(line)


# A condition and pictures in one line, but no threat: an invitation, a holiday, a plan.
@pytest.mark.parametrize(
    "line",
    [
        "wenn du nicht kommst zeig ich dir die bilder morgen",
        "ich zeige die fotos vom urlaub allen",
        "als je niet komt stuur ik je de fotos morgen",
        "si no vienes te mando las fotos por correo",
        "si no puedes venir se lo digo a todos",
        "si tu ne viens pas je te montre les photos demain",
        "se vc não puder vir eu mando as fotos amanhã",
    ],
)
def test_a_condition_with_pictures_is_no_threat(line):
    assert "sextortion_threat" not in _signals(line)


def test_a_present_for_someone_else_is_no_gift_offer():
    assert "gift_offer" not in _signals("ik koop een cadeau voor je moeder")


@pytest.mark.parametrize(
    ("line", "lang"),
    [
        ("ich habe heute keine zeit, vielleicht morgen", "de"),
        ("ik heb vandaag geen tijd, misschien morgen", "nl"),
        ("eu não tenho tempo hoje, talvez amanhã", "pt"),
        ("hoy no tengo tiempo, quizás mañana", "es"),
        ("je nai pas le temps aujourdhui, peut-être demain", "fr"),
        ("i dont have time today, maybe tomorrow", "en"),
    ],
)
def test_ordinary_sentences_are_told_apart(line, lang):
    assert identify(line) == lang


# Short requests whose one shared word ("tu" is French, Spanish and Portuguese) used to
# decide the vote for French, which held the Spanish pattern back.
@pytest.mark.parametrize(
    "line", ["muéstrame tu cuerpo", "enséñame tu cuerpo", "muestrame tu foto", "una foto tuya"]
)
def test_short_spanish_requests_are_spanish(line):
    assert identify(line) == "es"


def test_a_short_spanish_body_request_is_a_picture_request():
    assert "image_request" in _signals("muéstrame tu cuerpo")


@pytest.mark.parametrize("line", ["ok", "lol", "hmm", "14", ":)", ""])
def test_lines_too_short_to_tell_are_ambiguous(line):
    assert identify(line) is None


# The mismatch rule: a word that means one thing in one language and something innocent in
# another fires only in its own language.
@pytest.mark.parametrize(
    ("line", "lang", "sid"),
    [
        # French slang for a body part; in English, something to eat.
        ("shall we grab a bite after work? i know a good place", "en", "sexual_desensitization"),
        # Portuguese slang for a body part; in Spanish, "I paint".
        ("yo pinto cuadros los fines de semana con mi abuela", "es", "sexual_desensitization"),
        # Dutch slang for a body part; as a German word it is only the spade of a card
        # deck: a German line with it stays German.
        ("wir haben karten gespielt und ich hatte nur pik", "de", "sexual_desensitization"),
    ],
)
def test_a_word_of_another_language_does_not_fire(line, lang, sid):
    assert identify(line) == lang
    assert sid not in _signals(line)


# "vc" is a video call in English chat and "você" in Portuguese: a Portuguese line whose
# language cannot be told (it has too few listed words) is no call request.
@pytest.mark.parametrize("line", ["entao vc me odeia", "entao vc me ama?", "nossa vc me assustou"])
def test_portuguese_vc_me_is_no_call_request(line):
    assert "video_call_request" not in _signals(line)


@pytest.mark.parametrize(
    "line", ["can you vc me?", "will you vc me tonight?", "do you want to vc me later babe"]
)
def test_an_english_vc_me_is_a_call_request(line):
    assert "video_call_request" in _signals(line)


def test_the_same_word_fires_in_its_own_language():
    line = "você já viu um pinto de verdade?"
    assert identify(line) == "pt"
    assert "sexual_desensitization" in _signals(line)


def test_english_patterns_stay_out_of_other_languages():
    # English "will" is a German verb ("want"); no English pattern reads German grammar.
    lexicon = parse_lexicon({"signals": {"meet_request": ["ich will dich sehen"]}})
    detector = LexiconDetector(lexicon)
    german = "ich will dich sehen, aber ich habe keine zeit"
    assert identify(german) == "de"
    assert detector.find(normalize(german).text, german) == {}
    # Without the raw text (language unknown) every pattern applies.
    assert "meet_request" in detector.find(normalize(german).text)


def test_a_pattern_tagged_any_fires_in_every_language():
    lexicon = parse_lexicon(
        {"lang": "de", "signals": {"platform_migration": [{"re": "snapchat", "lang": "any"}]}}
    )
    line = "do you have snapchat or not, tell me"
    assert identify(line) == "en"
    assert "platform_migration" in LexiconDetector(lexicon).find(normalize(line).text, line)


def test_an_unknown_language_is_refused():
    with pytest.raises(PatternError, match="language"):
        parse_lexicon({"lang": "xx", "signals": {"age_probe": ["wie alt"]}})


def test_applies():
    assert applies(None, "de") and applies("de", None) and applies("de", "de")
    assert not applies("de", "nl")


@pytest.mark.parametrize(
    ("line", "band"),
    [
        ("ich bin 13 und du?", AgeBand.MINOR),
        ("ik ben 13 jaar", AgeBand.MINOR),
        ("tenho 12 anos e vc", AgeBand.MINOR),
        ("tengo 12 años y tú?", AgeBand.MINOR),
        ("j'ai 12 ans et toi", AgeBand.MINOR),
        ("ich bin in der 7. klasse", AgeBand.MINOR),
        ("ik ben 34 jaar oud", AgeBand.ADULT),
        ("tengo 41 años", AgeBand.ADULT),
        ("alter ist doch nur eine zahl", AgeBand.ADULT),
        ("l'âge n'est qu'un chiffre", AgeBand.ADULT),
    ],
)
def test_age_statements_in_each_language(line, band):
    found = AgeDetector().infer(normalize(line).text, raw=line)
    assert found is not None and found.age_band is band


@pytest.mark.parametrize(
    "line",
    [
        "ich bin 13 stunden gefahren",  # a duration
        "tengo 12 euros en el bolsillo",  # money
        "j'ai 15 minutes de retard",  # minutes
        "ik ben 10 kilo afgevallen",  # weight
        "eu so tenho 60 no pix",  # money: "I only have 60"
    ],
)
def test_numbers_that_are_not_ages(line):
    assert AgeDetector().infer(normalize(line).text, raw=line) is None


@pytest.mark.parametrize(
    ("line", "band"),
    [
        ("vc tem 13 anos né?", AgeBand.MINOR),
        ("tu tens 12 anos", AgeBand.MINOR),
        ("tienes 14 años verdad?", AgeBand.MINOR),
        ("tu as 13 ans ?", AgeBand.MINOR),
        ("t'as 12 ans toi", AgeBand.MINOR),
        ("du bist erst 13?", AgeBand.MINOR),
        ("ben je echt 14?", AgeBand.MINOR),
        ("você tem 35 anos?", AgeBand.ADULT),
        ("jij bent 40?", AgeBand.ADULT),
        # The number and its unit also read as a statement of one's own age ("12 jahre alt"):
        # said of the other person, they are not the author's.
        ("bist du 12 jahre alt?", AgeBand.MINOR),
        ("ben je 12 jaar oud?", AgeBand.MINOR),
        ("vc tem 12 aninhos?", AgeBand.MINOR),
    ],
)
def test_an_age_said_of_the_person_addressed_is_about_them(line, band):
    signals = AgeDetector().detect(normalize(line), message("a", line))
    (about_them,) = [s for s in signals if s.about_target]
    assert about_them.id == "age_probe" and about_them.age_band is band
    assert not [s for s in signals if not s.about_target]  # nothing said of the author


@pytest.mark.parametrize(
    "line",
    [
        "vc tem 20 minutos pra chegar",  # minutes
        "tienes 5 minutos",
        "tu as 2 heures de retard",
        "du bist 20 minuten zu spät",
        "je bent 10 minuten te laat",
        "tens 14 dias de férias",  # days, and no "anos"
    ],
)
def test_a_duration_said_to_someone_is_not_their_age(line):
    assert AgeDetector().detect(normalize(line), message("a", line)) == []


@pytest.mark.parametrize(
    "line",
    [
        "if u were 16 it would be all legal",
        "wait till ur 18 and we can meet",
        "wenn du 18 wärst, wäre das kein problem",
        "tot je 18 bent wacht ik",
        "quando vc fizer 18 a gente namora",
        "cuando cumplas 18 nos vemos",
        "si tu avais 18 ans ce serait différent",
    ],
)
def test_an_age_the_person_addressed_has_not_reached_makes_them_younger(line):
    # "If you were 18" says the person is under 18: a minor, whatever the number's own band.
    signals = AgeDetector().detect(normalize(line), message("a", line))
    (about_them,) = [s for s in signals if s.about_target]
    assert about_them.id == "age_probe" and about_them.age_band is AgeBand.MINOR


@pytest.mark.parametrize(
    "line",
    [
        "when you were 16 you were wild",  # the past: they are older now
        "if you were 25 you would know",  # under 25 is not under 18
    ],
)
def test_an_age_passed_or_an_adult_age_not_reached_says_nothing_of_a_minor(line):
    signals = AgeDetector().detect(normalize(line), message("a", line))
    assert not [s for s in signals if s.age_band is AgeBand.MINOR]


@pytest.mark.parametrize(
    "line",
    [
        "ur jailbait lol",
        "i could go to jail for talking to you",
        "the age thing doesnt matter",
        "ich könnte dafür in den knast kommen",
        "het leeftijdsverschil maakt niet uit",
        "eu posso ser preso por sua causa",
        "podría ir a la cárcel por ti",
        "la différence d'âge ne compte pas",
    ],
)
def test_knowing_the_age_gap_is_a_crime_is_an_adults_cue(line):
    (own,) = AgeDetector().detect(normalize(line), message("a", line))
    assert own.id == "adult_age_cue" and own.age_band is AgeBand.ADULT


@pytest.mark.parametrize(
    "line",
    [
        "mein bruder ist 12 jahre alt",
        "sie ist erst 12 jahre alt",
        "mijn zusje is 12 jaar oud",
        "hij is 12 jaar oud",
        "minha irmã tem 12 aninhos",
        "ela tem 12 anos",
        "mi hermano tiene 12 años",
        "ma petite soeur a 12 ans",
    ],
)
def test_someone_elses_age_is_not_the_authors(line):
    # An adult who says their child's age must not read as a minor: the rules between
    # minors are laxer, and a known minor is never a case's subject.
    assert AgeDetector().detect(normalize(line), message("a", line)) == []


@pytest.mark.parametrize(
    "line",
    [
        "mein bruder ist 15 und ich bin 12",
        "ma soeur a 15 ans et j'ai 12 ans",
        "mi hermano tiene 15 y yo tengo 12",
        "my brother is 15 and im 12",
        "my sister is 15. im 12",
    ],
)
def test_ones_own_age_after_a_siblings_still_counts(line):
    (own,) = AgeDetector().detect(normalize(line), message("a", line))
    assert own.id == "minor_self_disclosure" and not own.about_target


def test_the_authors_own_age_and_the_one_said_of_the_other_stay_apart():
    line = "eu tenho 25 e vc tem 13 anos"
    signals = AgeDetector().detect(normalize(line), message("a", line))
    assert {(s.about_target, s.age_band) for s in signals} == {
        (False, AgeBand.ADULT),
        (True, AgeBand.MINOR),
    }


async def test_an_age_said_of_the_child_in_portuguese_makes_them_a_stated_minor():
    from nudgeguard.engine import Engine
    from nudgeguard.inbox.events import ConversationKind
    from nudgeguard.policy import load_policy
    from nudgeguard.testing import FakeAdapter, Scenario, person

    kid, adult = person("kid"), person("adult")
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    try:
        chat = Scenario(engine, kind=ConversationKind.DIRECT)
        await chat.say(kid, "oi tudo bem?")
        before = await chat.say(adult, "tudo e vc? o que vc gosta de fazer", to=kid)
        await chat.say(adult, "vc tem 13 anos né?", to=kid)
        after = await chat.say(adult, "legal, eu gosto de jogar tambem", to=kid)
        assert before is not None and before.target_band is AgeBand.UNKNOWN
        assert after is not None and after.target_band is AgeBand.MINOR
    finally:
        await engine.stop()


def test_a_foreign_age_question_makes_a_bare_number_an_answer():
    detector = AgeDetector()

    question = "und wie alt bist du?"
    detector.detect(normalize(question), message("a", question))
    (signal,) = detector.detect(normalize("13"), message("b", "13"))
    assert signal.age_band is AgeBand.MINOR


@pytest.mark.parametrize(
    "lines",
    [
        [
            "ich bin 13 und du?",
            "wie alt bist du denn wirklich?",
            "bist du gerade allein zu hause?",
            "erzähl das bitte niemandem, das bleibt unter uns",
            "hast du whatsapp? schreib mir da",
            "wollen wir uns mal treffen? ich kann dich abholen",
        ],
        [
            "tengo 12 años y tú?",
            "cuántos años tienes de verdad?",
            "estás sola en casa ahora?",
            "no se lo digas a nadie, es nuestro secreto",
            "pásame tu whatsapp y hablamos",
            "quieres quedar el sábado? te paso a buscar",
        ],
    ],
    ids=["de", "es"],
)
async def test_a_conversation_in_another_language_opens_a_case_about_the_adult(lines):
    from nudgeguard.engine import Engine
    from nudgeguard.inbox.events import ConversationKind
    from nudgeguard.policy import load_policy
    from nudgeguard.testing import FakeAdapter, Scenario, person

    kid, adult = person("kid"), person("adult")
    engine = Engine(load_policy("default"), adapters=[FakeAdapter()])
    await engine.start(background=False)
    try:
        chat = Scenario(engine, kind=ConversationKind.DIRECT)
        await chat.say(kid, lines[0])
        for line in lines[1:]:
            await chat.say(adult, line, to=kid)
        (case,) = await engine.cases.list_cases()
        assert case.subject == engine.pseudonyms.pseudonym("fake", adult.id)
    finally:
        await engine.stop()


def test_without_the_statistical_model_the_word_vote_still_decides(monkeypatch):
    from nudgeguard.pipeline import language

    monkeypatch.setattr(language, "_identifier", lambda: None)
    monkeypatch.setattr(language, "_cache", language.BoundedCache(16))
    assert language.identify("ich habe heute keine zeit, vielleicht morgen") == "de"
    # Long enough for the model, but no listed word: without the model it stays unclear.
    assert language.identify("zeitnah antworten, bitteschön") is None


def test_without_py3langid_installed_the_word_vote_still_decides(monkeypatch):
    import sys

    from nudgeguard.pipeline import language

    # An install without the model's package: importing it fails.
    monkeypatch.setitem(sys.modules, "py3langid", None)
    monkeypatch.setitem(sys.modules, "py3langid.langid", None)
    monkeypatch.setattr(language, "_cache", language.BoundedCache(16))
    monkeypatch.setattr(language, "_last", [None, None])
    language._identifier.cache_clear()
    try:
        assert language._identifier() is None
        language.warm()  # no error either
        assert language.identify("eu não tenho tempo hoje, talvez amanhã") == "pt"
        assert language.identify("tengo 12 años y tú?") == "es"
        assert "secrecy_request" in _signals("erzähl das bitte niemandem, ok?")
    finally:
        language._identifier.cache_clear()


# -- the nudge follows the language the child writes in --------------------------------
async def _child_nudge(child_lines, adult_lines, languages=None) -> str:
    from nudgeguard.engine import Engine
    from nudgeguard.policy import load_policy
    from nudgeguard.testing import FakeAdapter, Scenario, person

    kid, adult = person("kid", AgeBand.MINOR), person("adult")
    fake = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[fake], languages=languages)
    await engine.start(background=False)
    try:
        chat = Scenario(engine)
        for line in child_lines:
            await chat.say(kid, line)
        for line in adult_lines:
            await chat.say(adult, line, to=kid)
        nudges = fake.nudges_to(kid.id)
        assert nudges, "the child got no nudge"
        return nudges[0].text
    finally:
        await engine.stop()


def _in_catalog(text: str, lang: str) -> bool:
    from nudgeguard.delivery.nudges import catalog

    cat = catalog(lang)
    return any(
        text in variants for copy in ("teen", "under13") for variants in cat.copy(copy).values()
    )


_ADULT_DE = [
    "wie alt bist du denn wirklich?",
    "bist du gerade allein zu hause?",
    "erzähl das bitte niemandem, das bleibt unter uns",
    "schick mir doch mal ein foto von dir",
]
_ADULT_EN = [
    "how old are you really?",
    "are you home alone right now?",
    "dont tell anyone about us, its our secret",
    "send me a pic of you",
]


async def test_a_nudge_is_worded_in_the_language_of_the_chat():
    text = await _child_nudge(["hallo, ich bin neu hier und ich habe keine ahnung"], _ADULT_DE)
    assert _in_catalog(text, "de")


async def test_a_nudge_follows_the_child_not_the_adult():
    # The adult writes English; the child writes Spanish with accents: the child's language.
    child = ["hola, yo no hablo muy bien inglés, perdón", "sí, tengo 12 años"]
    text = await _child_nudge(child, _ADULT_EN)
    assert _in_catalog(text, "es")


async def test_a_configured_language_still_comes_before_the_written_one():
    from nudgeguard.locales import LanguageSettings

    text = await _child_nudge(
        ["hallo, ich bin neu hier und ich habe keine ahnung"],
        _ADULT_DE,
        LanguageSettings(default="fr"),
    )
    assert _in_catalog(text, "fr")


# -- accented letters: RE2 (every detector pattern runs on it) knows only ASCII for \w and
# \b, so a pattern that leaned on them would silently stop matching these lines.
@pytest.mark.parametrize(
    ("line", "sid"),
    [
        ("bist du noch minderjährig? du wirkst größer", "age_probe"),
        ("wann kommen deine eltern zurück? größer wird's nicht", "supervision_probe"),
        ("erzähl es bitte niemandem, schön?", "secrecy_request"),
        ("laten we privé chatten, nog één vraag", "platform_migration"),
        ("dit blijft tussen ons tweeën, één keer maar", "secrecy_request"),
        ("você não conta pra ninguém, tá? é nosso segredo", "secrecy_request"),
        ("manda um vídeo pra mim, não esquece", "image_request"),
        ("¿cuántos años tienes? pareces muy pequeña", "age_probe"),
        ("¿dónde vives? mañana paso por tu colegio", "location_probe"),
        ("tu vas encore à l'école ? tu es en sixième ?", "age_probe"),
        ("tu habites où ? je fais le ménage là", "location_probe"),
        ("envoie-moi une vidéo, ta mère ne saura rien", "image_request"),
    ],
)
def test_patterns_with_accented_words_match(line, sid):
    assert sid in _signals(line)


@pytest.mark.parametrize(
    "line",
    [
        "tengo 13 años, mañana cumplo 14",
        "tenho só 13 anos, não conta",
        "j'ai déjà 13 ans, ménage fini",
        "ich werde nächste woche 14, größer als du",
        "ik ben pas 13 jaar, één ding nog",
        # A unit's letters followed by an accented one are another word: still an age.
        "tengo 13 minúsculas",
        "j'ai 13 hérissons",
    ],
)
def test_ages_stated_among_accented_words(line):
    found = AgeDetector().infer(normalize(line).text, raw=line)
    assert found is not None and found.age_band is AgeBand.MINOR


@pytest.mark.parametrize(
    "line", ["j'ai 13 €", "tengo 13 €", "ich bin 13 € los", "ik ben 13 € kwijt", "j'ai 13 h"]
)
def test_a_sum_or_an_hour_after_the_number_is_no_age(line):
    assert AgeDetector().infer(normalize(line).text, raw=line) is None
