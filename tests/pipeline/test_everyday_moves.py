"""Grooming moves as people type them in community chat, in six languages, and their near misses.

The lines are the team's own paraphrases of the classes that blind-written community chats
showed the lexicon missing (docs/detection.md, "Community chats written blind"): a secret
kept from a parent in passing ("dont mention it to ur mom"), a cover story for the
parents, whether a parent follows or reads the child's account, holding the child's
pictures, payment demands with a threat, gifts in games and streams, a pick-up. Each
class has near misses that must stay quiet: the advice to tell one's parents, a holiday
album, a streamer thanked for gifted subs.
"""

from __future__ import annotations

import pytest

from nudgeguard.pipeline.detectors.lexicon import LexiconDetector
from nudgeguard.pipeline.text import normalize
from tests.pipeline.messages import message

MOVES: list[tuple[str, str]] = [
    # English
    ("secrecy_request", "just dont mention the lessons at home ok"),
    ("secrecy_request", "your dad doesnt need to know about this"),
    ("secrecy_request", "keep the robux thing between us"),
    ("secrecy_request", "tell your mom youre sleeping at a friends"),
    ("secrecy_request", "better not to mention it, people get jealous"),
    ("supervision_probe", "your parents asleep yet?"),
    ("supervision_probe", "does your mum follow you on here"),
    ("supervision_probe", "does he ever look through your phone"),
    ("platform_migration", "its easier on snap tbh"),
    ("flattery_appearance", "honestly more mature than most adults i know"),
    ("isolation_alienation", "real friends wouldnt ditch you like that"),
    ("gift_offer", "i can gift you the battle pass if you want"),
    ("gift_offer", "ill put a top up on your phone"),
    ("meet_request", "im going to be in your area on saturday"),
    ("sextortion_threat", "block me and the pics go out to everyone"),
    ("sextortion_threat", "tell your parents and i post them"),
    ("sextortion_threat", "i will send the screenshots to all your followers"),
    ("sextortion_threat", "pay or i send your pic to everyone you follow"),
    ("sextortion_threat", "if you log off the video goes online"),
    ("platform_migration", "are you on telegram"),
    ("supervision_probe", "does your dad go thru your dms"),
    ("supervision_probe", "are your parents usually home after dinner?"),
    ("secrecy_request", "she doesnt have to know, say youre at chess club"),
    ("meet_request", "ill park around the corner, not by the gate"),
    ("sextortion_threat", "your whole class gets the link tonight"),
    ("coercion_pressure", "dont even think about blocking me"),
    # German
    ("secrecy_request", "sag es deinen eltern lieber nicht"),
    ("secrecy_request", "erzähl es nicht deiner mama, okay"),
    ("secrecy_request", "muss ja niemand wissen"),
    ("supervision_probe", "lesen deine eltern eigentlich mit wem du schreibst"),
    ("image_request", "schick mir mal ein neues bild"),
    ("flattery_appearance", "du wirkst viel älter als 13"),
    ("meet_request", "ich kann dich nach dem training abholen"),
    ("sextortion_threat", "oder ich schick die bilder an deine klasse"),
    ("sextortion_threat", "zahl 30 euro per paysafecard, sonst geht das bild raus"),
    ("sextortion_threat", "wenn du mich meldest schick ich alles raus"),
    ("secrecy_request", "merkt doch eh keiner"),
    ("gift_offer", "soll ich dir robux kaufen?"),
    # Dutch
    ("secrecy_request", "zeg het maar niet tegen je vader"),
    ("secrecy_request", "hou het even onder ons"),
    ("supervision_probe", "zijn je ouders nu thuis?"),
    ("flattery_appearance", "jij klinkt echt volwassener dan de rest"),
    ("deletion_request", "zet de berichten op verdwijnen"),
    ("sextortion_threat", "ik weet op welke school je zit"),
    ("sextortion_threat", "als je het aan iemand vertelt gaat het online"),
    # Spanish
    ("secrecy_request", "no le digas nada de esto a tu madre"),
    ("supervision_probe", "tus padres te revisan el celular?"),
    ("gift_offer", "quieres pavos? te paso unos cuantos"),
    ("deletion_request", "borra esta conversacion despues"),
    ("sextortion_threat", "si se lo dices a alguien lo publico"),
    ("secrecy_request", "y no le comentes a los demás"),
    # French
    ("secrecy_request", "faut pas le dire à tes parents"),
    ("supervision_probe", "tes parents regardent ton snap ?"),
    ("image_request", "envoie une photo sans le pull"),
    ("sextortion_threat", "sinon j'envoie tout à tes potes"),
    # Portuguese
    ("secrecy_request", "melhor não contar pros seus pais"),
    ("gift_offer", "te dei robux, aproveita"),
    ("meet_request", "eu passo aí e te pego depois da aula"),
    # The chat shown to the people around the child; guilt; a parent kept away (round 7).
    ("sextortion_threat", "i saved screenshots of everything you told me"),
    ("sextortion_threat", "your friends will see our chats tonight"),
    ("sextortion_threat", "id hate for your dad to read what you wrote"),
    ("sextortion_threat", "block me and ill just make another account"),
    ("sextortion_threat", "sonst zeige ich deiner klasse unsere chats"),
    ("sextortion_threat", "dan laat ik je vader even zien wat je schreef"),
    ("sextortion_threat", "entonces le enseño a tu madre los chats"),
    ("sextortion_threat", "sinon je montre à tes parents nos messages"),
    ("sextortion_threat", "senão eu mostro pra sua mãe os prints"),
    ("coercion_pressure", "nach allem, was ich für dich getan habe"),
    ("coercion_pressure", "na alles wat ik voor jou gekocht heb"),
    ("coercion_pressure", "después de todo lo que hice por ti"),
    ("coercion_pressure", "après tout ce que jai fait pour toi"),
    ("coercion_pressure", "i thought you trusted me"),
    ("secrecy_request", "you dont need to lie to her"),
    ("isolation_alienation", "if your parents come along, i cant do it"),
    ("isolation_alienation", "the park at 4, just you."),
    ("gift_offer", "i can buy the battle pass for you"),
    ("gift_offer", "i have tons of robux i never use"),
    ("gift_offer", "saw a little charm today and thought of you"),
    ("supervision_probe", "does your dad look at your ipad"),
    ("platform_migration", "got any other apps? im not on here often"),
    ("location_probe", "where should i send the present?"),
    ("flattery_appearance", "you look so sweet in that photo"),
    # Praise for seeming older, late nights online, a secret safe with the adult, another app.
    ("flattery_appearance", "hablas muy madura para tu edad"),
    ("flattery_appearance", "tu parles comme une grande"),
    ("flattery_appearance", "vc parece bem mais velha"),
    ("supervision_probe", "tus padres te dejan jugar hasta tarde?"),
    ("supervision_probe", "lassen deine eltern dich nachts noch online?"),
    ("supervision_probe", "tes parents te laissent rester en ligne la nuit?"),
    ("supervision_probe", "vinden je ouders het goed dat je zo laat nog online bent?"),
    ("supervision_probe", "seus pais deixam vc ficar acordada de madrugada?"),
    ("secrecy_request", "el secreto está bien guardado conmigo"),
    ("secrecy_request", "unser geheimnis ist bei mir gut aufgehoben"),
    ("secrecy_request", "ton secret est bien gardé avec moi"),
    ("secrecy_request", "ons geheim is veilig bij mij"),
    ("secrecy_request", "nosso segredo fica guardado comigo"),
    ("platform_migration", "usas alguna otra app?"),
    ("platform_migration", "hast du eine andere app?"),
    ("platform_migration", "tu as une autre appli pour parler?"),
    ("platform_migration", "heb je een andere app?"),
    ("platform_migration", "tu tem outro zap?"),
]

QUIET: list[tuple[str, str]] = [
    # Telling a parent is what a child should do.
    ("secrecy_request", "sag es deinen eltern"),
    ("secrecy_request", "vertel het aan je ouders"),
    ("secrecy_request", "zeg het tegen je moeder"),
    ("secrecy_request", "dis-le à ta mère"),
    # Photos of a trip, held and sent on.
    ("sextortion_threat", "i have the pics from the trip and will send them"),
    ("sextortion_threat", "ich habe die bilder vom urlaub und schicke sie morgen"),
    ("sextortion_threat", "ik heb de fotos van de vakantie en stuur ze morgen"),
    ("sextortion_threat", "tengo las fotos del viaje y te las paso"),
    ("sextortion_threat", "tenho as fotos da festa e te mando"),
    # Support for someone who tells; sharing a giveaway.
    ("sextortion_threat", "tell someone and it gets better"),
    ("sextortion_threat", "share the giveaway with your followers"),
    # A stream thanking its viewers.
    ("gift_offer", "thanks for the gifted subs everyone"),
    # Screenshots of a bug, a school's messages, a messy room, a welcome.
    ("sextortion_threat", "i have screenshots of the error if you need them"),
    ("sextortion_threat", "show your parents the messages from school"),
    ("sextortion_threat", "your mom will read the messages from the teacher"),
    ("sextortion_threat", "id hate for your mom to see this mess lol"),
    ("sextortion_threat", "zeig deinen eltern die nachrichten von der schule"),
    ("sextortion_threat", "laat je moeder maar zien wat je gemaakt hebt"),
    ("coercion_pressure", "i thought we were meeting at 5"),
    ("secrecy_request", "thanks, dont mention it"),
    ("isolation_alienation", "who is coming? just you?"),
    ("gift_offer", "ill get one for you at the store"),
    ("location_probe", "where can i send the files"),
    ("location_probe", "whats it called, the song from the ad"),
    # Safety advice and a tutor keeping to the platform (benign support chats, written blind).
    ("location_probe", "its best not to tell people online what school you go to"),
    ("secrecy_request", "better never to share where you live with strangers"),
    ("platform_migration", "i dont use personal numbers or social media with students"),
    ("image_request", "thats the mistake i saw in your photos"),
    # A friend telling what a stranger asked; a Pix payment (Brazil).
    ("supervision_probe", "wait he asked if you were home alone??"),
    ("location_probe", "she keeps asking what school u go to"),
    ("secrecy_request", "and he told you not to tell your parents, thats so weird"),
    ("image_request", "vou mandar um pix pra vc comprar lanche"),
    # Another app for something else.
    ("platform_migration", "tienes otra app para editar videos?"),
    ("platform_migration", "hast du eine andere app zum schneiden?"),
]


@pytest.fixture(scope="module")
def lexicon() -> LexiconDetector:
    return LexiconDetector()


def _signals(detector: LexiconDetector, line: str) -> set[str]:
    return {s.id for s in detector.detect(normalize(line), message("a", line))}


@pytest.mark.parametrize(("sid", "line"), MOVES)
def test_an_everyday_move_is_read(lexicon: LexiconDetector, sid: str, line: str) -> None:
    assert sid in _signals(lexicon, line)


@pytest.mark.parametrize(("sid", "line"), QUIET)
def test_its_near_miss_stays_quiet(lexicon: LexiconDetector, sid: str, line: str) -> None:
    assert sid not in _signals(lexicon, line)
