"""Every language's nudge catalog is complete, readable for children, and not English."""

from __future__ import annotations

import re
import statistics
from importlib import resources
from typing import Any

import pytest
import textstat
import yaml

from nudgeguard import legend
from nudgeguard.delivery.nudges import catalog
from nudgeguard.locales import SUPPORTED_LOCALES

OTHERS = [lang for lang in SUPPORTED_LOCALES if lang != "en"]
WORDING = ("buttons", "followups", "teen", "under13", "sender", "checks", "responses", "moderator")
# Fixed texts for moderators outside the chat: the report, the console, Discord's commands.
SECTIONS = ("report", "console", "commands")

# textstat's hyphenation dictionaries (pyphen) per catalog language.
TEXTSTAT_LANG = {"de": "de_DE", "nl": "nl_NL", "es": "es_ES", "fr": "fr_FR", "pt": "pt_BR"}
# textstat has Flesch constants for de (Amstad), nl (Douma), es (Fernandez-Huerta) and fr
# (Kandel-Moles), not for Portuguese: Martins et al. (1996) adapt English Flesch by +42.
FLESCH_SHIFT = {"pt": 42.0}

# Words common in English sentences that none of the other five languages uses (so not
# "is", "we" or "of", which are Dutch too, nor "okay").
_ENGLISH_WORDS = (
    "the you your you're to and that this with are be can don't won't if have it for"
    " not anyone someone what who never always they them their there it's from at on"
    " just feel tell trouble"
)
ENGLISH_ONLY = frozenset(_ENGLISH_WORDS.split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def raw(lang: str) -> dict[str, Any]:
    text = resources.files("nudgeguard.delivery.nudges").joinpath(f"{lang}.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def all_texts(lang: str) -> list[str]:
    data = raw(lang)
    out = list(data["buttons"].values()) + list(data["followups"].values())
    out += list(data["sender"].values()) + list(data["checks"].values())
    out += list(data["responses"].values()) + platform_followups(lang)
    # Placeholders ({who}, {count}) are code, not wording.
    for section in ("moderator", *SECTIONS):
        out += [re.sub(r"\{\w+\}", "", t) for t in data[section].values()]
    out += list(data.get("stages", {}).values()) + list(data.get("signals", {}).values())
    for copy in ("teen", "under13"):
        out += [t for variants in data[copy].values() for t in variants]
    return out


def platform_followups(lang: str) -> list[str]:
    return [t for texts in raw(lang)["platform_followups"].values() for t in texts.values()]


def child_texts(lang: str, copy: str) -> list[str]:
    return [t for variants in raw(lang)[copy].values() for t in variants]


def english_ratio(text: str) -> float:
    """Share of words that are English-only function words."""
    words = [w.lower() for w in _WORD.findall(text)]
    return sum(w in ENGLISH_ONLY for w in words) / len(words) if words else 0.0


def flesch(lang: str, text: str) -> float:
    textstat.set_lang(TEXTSTAT_LANG[lang])
    score: float = textstat.flesch_reading_ease(text)
    return score + FLESCH_SHIFT.get(lang, 0.0)


@pytest.mark.parametrize("lang", OTHERS)
def test_catalog_has_every_key_of_english(lang: str) -> None:
    en, other = raw("en"), raw(lang)
    assert other["locale"] == lang
    for section in (*WORDING, *SECTIONS):
        missing = sorted(set(en[section]) - set(other[section]))
        extra = sorted(set(other[section]) - set(en[section]))
        assert not missing, f"{lang}.yaml {section}: missing {missing}"
        assert not extra, f"{lang}.yaml {section}: not in en.yaml {extra}"
    for platform, texts in en["platform_followups"].items():
        assert set(other["platform_followups"].get(platform, {})) == set(texts), (
            f"{lang}.yaml platform_followups.{platform} differs from en.yaml"
        )
        assert set(texts) <= set(en["followups"]), "a platform follow-up needs a generic one"
    for copy in ("teen", "under13"):
        for family, variants in other[copy].items():
            assert variants and all(isinstance(v, str) and v.strip() for v in variants), (
                f"{lang}.yaml {copy}.{family} has no wording"
            )


@pytest.mark.parametrize("lang", SUPPORTED_LOCALES)
def test_catalog_loads_and_serves_every_family(lang: str) -> None:
    cat = catalog(lang)
    assert cat.locale == lang
    for family in catalog("en").families():
        for copy in ("teen", "under13"):
            assert cat.child_text(family, copy, 0) == raw(lang)[copy][family][0]
        labels = [b.label for b in cat.buttons(family, "GB")]
        assert labels and all(label in raw(lang)["buttons"].values() for label in labels)


@pytest.mark.parametrize("lang", OTHERS)
def test_no_english_sentences_outside_en(lang: str) -> None:
    offenders = [t for t in all_texts(lang) if english_ratio(t) >= 0.2]
    assert not offenders, f"{lang}.yaml reads as English: {offenders}"


def test_english_check_catches_english() -> None:
    # The check above must be able to fail: every English child text trips it.
    texts = child_texts("en", "teen") + child_texts("en", "under13")
    caught = [t for t in texts if english_ratio(t) >= 0.2]
    assert len(caught) == len(texts)


@pytest.mark.parametrize("lang", OTHERS)
def test_child_sentences_are_short(lang: str) -> None:
    for copy in ("teen", "under13"):
        for text in child_texts(lang, copy):
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
            assert 1 <= len(sentences) <= 3, f"{lang} {copy}: {len(sentences)} sentences"
            assert len(text) <= 220, f"{lang} {copy}: {len(text)} characters"


@pytest.mark.parametrize("lang", OTHERS)
def test_child_wording_is_easy_to_read(lang: str) -> None:
    for copy, floor, mean_floor in (("teen", 50.0, 70.0), ("under13", 55.0, 75.0)):
        scores = {t: flesch(lang, t) for t in child_texts(lang, copy)}
        hard = {t[:50]: round(s) for t, s in scores.items() if s < floor}
        assert not hard, f"{lang} {copy}: hard to read {hard}"
        assert statistics.mean(scores.values()) >= mean_floor
    followups = list(raw(lang)["followups"].values()) + list(raw(lang)["checks"].values())
    followups += list(raw(lang)["responses"].values()) + platform_followups(lang)
    assert min(flesch(lang, t) for t in followups) >= 45.0


def test_german_school_grade() -> None:
    # Wiener Sachtextformel: the German school grade a text suits (4 = easy, 15 = hard).
    textstat.set_lang("de_DE")
    for copy, ceiling in (("teen", 6.0), ("under13", 5.0)):
        grades = [textstat.wiener_sachtextformel(t, 1) for t in child_texts("de", copy)]
        assert statistics.mean(grades) <= ceiling


def test_readability_check_can_fail() -> None:
    officialese = (
        "Die Weitergabe personenbezogener Informationen an unbekannte Kommunikationspartner"
        " widerspricht grundsätzlich den Nutzungsbedingungen der Plattformbetreiberin."
    )
    assert flesch("de", officialese) < 50.0


@pytest.mark.parametrize("lang", OTHERS)
def test_catalog_names_every_stage_and_signal(lang: str) -> None:
    other = raw(lang)
    for section, english in (("stages", legend.STAGES), ("signals", legend.SIGNALS)):
        assert sorted(other[section]) == sorted(english), f"{lang}.yaml {section}"
        assert all(isinstance(v, str) and v.strip() for v in other[section].values())


@pytest.mark.parametrize("lang", OTHERS)
@pytest.mark.parametrize("section", ["moderator", *SECTIONS])
def test_moderator_texts_keep_their_placeholders(lang: str, section: str) -> None:
    # A translation that drops or renames {count} would break the alert it words.
    def fields(text: str) -> set[str]:
        return set(re.findall(r"\{(\w+)\}", text))

    en, other = raw("en")[section], raw(lang)[section]
    changed = [k for k, text in en.items() if fields(other[k]) != fields(text)]
    assert not changed, f"{lang}.yaml {section}: placeholders differ in {changed}"


@pytest.mark.parametrize("lang", OTHERS)
def test_discord_command_texts_fit_discord_limits(lang: str) -> None:
    # Discord refuses the whole command list when one description passes 100 characters
    # or a menu name passes 32.
    texts = raw(lang)["commands"]
    assert len(texts["check_menu"]) <= 32
    assert all(1 <= len(t) <= 100 for t in texts.values())


def test_moderator_wording_and_names_follow_the_language() -> None:
    de = catalog("de")
    assert de.moderator_text("evidence_title", case="c-1") == "Beweise zu Fall c-1"
    assert catalog("en").moderator_text("acknowledge") == "Acknowledge"
    assert legend.stage_label("FF", "de") == "FF (Freundschaft aufbauen)"
    meet = legend.signal_label("meet_request", "pt-BR")
    assert meet == "meet_request (pede para se encontrar pessoalmente)"
    # English names stay the source; a name no catalog has is shown as its code.
    assert legend.stage_label("FF") == "FF (friendship forming)"
    assert legend.signal_label("not_a_signal", "fr") == "not_a_signal"


def test_a_missing_name_or_label_falls_back_to_english() -> None:
    de = catalog("de")
    saved = (dict(de.stage_names), dict(de._moderator))
    try:
        del de.stage_names["FF"]
        del de._moderator["cancel"]
        assert legend.stage_label("FF", "de") == "FF (friendship forming)"
        assert de.moderator_text("cancel") == "Cancel"
    finally:
        de.stage_names.update(saved[0])
        de._moderator.update(saved[1])
