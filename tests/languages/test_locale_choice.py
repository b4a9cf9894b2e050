"""Which language a child gets, country codes, helplines, and the review commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from nudgeguard.cli import main
from nudgeguard.config import ConfigError, load_config
from nudgeguard.countries import CountryError, country_code
from nudgeguard.delivery.nudges import Helpline, catalog, child_helpline, helplines, in_locale
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand, MessageEvent
from nudgeguard.locales import SUPPORTED_LOCALES, LanguageSettings, choose_locale, locale_setting
from nudgeguard.policy import load_policy, parse_policy
from nudgeguard.policy.explain import explain
from nudgeguard.testing import FakeAdapter, Scenario, person
from tests.core.keyword_detector import KeywordDetector

REQUIRED = [
    "GB",
    "IE",
    "US",
    "CA",
    "AU",
    "NZ",
    "DE",
    "AT",
    "CH",
    "NL",
    "BE",
    "FR",
    "ES",
    "PT",
    "BR",
    "MX",
    "INTL",
]
GROOMER = person("stranger")
CHILD = person("kid", AgeBand.MINOR)


# -- choose_locale ---------------------------------------------------------------------
def test_platform_signal_wins_then_channel_then_community_then_written() -> None:
    assert choose_locale("de-DE", "fr", "es", "nl") == "de"
    assert choose_locale(None, "fr", "es", "nl") == "es"
    assert choose_locale(None, "fr", None, "nl") == "fr"
    assert choose_locale(None, None, None, "nl") == "nl"
    assert choose_locale(None, None, None, None) == "en"


def test_a_language_without_catalog_moves_on_instead_of_forcing_english() -> None:
    assert choose_locale("sv-SE", None, None, "pt") == "pt"
    assert choose_locale("pt-BR", None, None, None) == "pt"
    assert choose_locale("es-419", None, None, None) == "es"
    assert choose_locale("not a tag!", None, None, None) == "en"


def test_a_setting_without_catalog_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'it'"):
        locale_setting("it")
    with pytest.raises(ValidationError, match="'xx'"):
        LanguageSettings(communities={"g1": "xx"})


# -- countries and helplines -----------------------------------------------------------
def test_country_codes_are_checked_once_with_aliases() -> None:
    assert country_code("uk") == "GB"
    assert country_code(" de ") == "DE"
    assert country_code("intl") == "INTL"
    with pytest.raises(CountryError, match="'XX'"):
        country_code("XX")
    with pytest.raises(CountryError, match="'England'"):
        helplines("England")


def test_required_countries_have_a_child_line_and_every_entry_validates() -> None:
    raw: dict[str, list[dict[str, Any]]] = yaml.safe_load(
        (Path(__file__).parents[2] / "sdk/nudgeguard/delivery/nudges/helplines.yaml").read_text()
    )
    assert set(REQUIRED) <= set(raw)
    for code, entries in raw.items():
        assert country_code(code) == code
        for entry in entries:
            line = Helpline.model_validate(entry)
            assert line.last_verified.year >= 2026
        assert any(e["audience"] == "child" for e in entries), f"{code} has no child line"


def test_helpline_model_refuses_bad_entries() -> None:
    base = {"name": "X", "audience": "child", "last_verified": "2026-12-01"}
    with pytest.raises(ValidationError, match="neither a phone"):
        Helpline.model_validate(base)
    with pytest.raises(ValidationError, match="https"):
        Helpline.model_validate({**base, "url": "http://example.org"})
    with pytest.raises(ValidationError):
        Helpline.model_validate({**base, "phone": "1", "last_verified": "soon"})


def test_helpline_button_uses_the_country_or_the_international_line() -> None:
    assert child_helpline("UK").name == "Childline"  # type: ignore[union-attr]
    assert child_helpline("AT").url == "https://www.rataufdraht.at"  # type: ignore[union-attr]
    # Belgium has a line per language: the nudge's language picks it.
    assert child_helpline("BE", "fr").name == "103 Écoute-Enfants"  # type: ignore[union-attr]
    assert child_helpline("BE", "nl").name == "Awel"  # type: ignore[union-attr]
    assert catalog("fr").buttons("secrecy", "BE")[-1].url == "https://www.103ecoute.be"
    # Mexico's line has no link; Japan has no entries: both get the international link.
    intl = "https://childhelplineinternational.org"
    assert child_helpline("MX").url == intl  # type: ignore[union-attr]
    assert child_helpline("JP").url == intl  # type: ignore[union-attr]


def test_config_country_is_validated(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("country: XX\n")
    with pytest.raises(ConfigError, match="XX"):
        load_config(cfg)
    cfg.write_text("country: uk\ncountries: {'1': ZZ}\n")
    with pytest.raises(ConfigError, match="ZZ"):
        load_config(cfg)
    cfg.write_text("country: uk\nlanguages: {communities: {'1': de}, channels: {'2': pt-BR}}\n")
    settings = load_config(cfg)
    assert settings.country == "GB"
    assert settings.languages.channel("2") == "pt"
    cfg.write_text("languages: {default: klingon}\n")
    with pytest.raises(ConfigError, match="klingon"):
        load_config(cfg)


# -- the engine words nudges in the chosen language ------------------------------------
async def nudge_text(engine: Engine, adapter: FakeAdapter, language: str | None = None) -> str:
    chat = Scenario(engine)
    await chat.say(CHILD, "hello")
    for line in ("how old are you", "are you alone at home", "keep this our secret"):
        event: MessageEvent = chat.event(GROOMER, line, to=CHILD)
        await engine.handle(event.model_copy(update={"language": language}))
    nudges = adapter.nudges_to(CHILD.id)
    assert nudges, "the child got no nudge"
    return nudges[0].text


async def run_engine(languages: LanguageSettings | None, language: str | None = None) -> str:
    adapter = FakeAdapter()
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector()],
        languages=languages,
    )
    await engine.start(background=False)
    try:
        return await nudge_text(engine, adapter, language)
    finally:
        await engine.stop()


def german(text: str) -> bool:
    return any(text in variants for variants in catalog("de").copy("teen").values())


async def test_written_language_picks_the_catalog() -> None:
    assert german(await run_engine(None, language="de"))
    assert not german(await run_engine(None, language=None))


async def test_channel_setting_beats_community_setting_and_written_language() -> None:
    community_de = LanguageSettings(communities={"community-1": "de"})
    assert german(await run_engine(community_de, language="fr"))
    channel_fr = LanguageSettings(communities={"community-1": "de"}, channels={"channel-1": "fr"})
    text = await run_engine(channel_fr, language="de")
    assert any(text in v for v in catalog("fr").copy("teen").values())


def test_in_locale_rewords_text_buttons_and_followups() -> None:
    cat = catalog("en")
    from nudgeguard.delivery.outbound import Delivery, Nudge

    nudge = Nudge(
        nudge_id="n1",
        audience="child",
        recipient_id="kid",
        platform="fake",
        community_id="c",
        conversation_id="ch",
        delivery=(Delivery.DIRECT_MESSAGE,),
        text=cat.child_text("secrecy", "teen", 1),
        buttons=cat.buttons("secrecy", "DE"),
        family="secrecy",
        followup=cat.followups,
        variant=1,
    )
    de = in_locale(nudge, "de")
    assert de.locale == "de" and de.text == catalog("de").child_text("secrecy", "teen", 1)
    assert [b.label for b in de.buttons][-1] == "Hilfe holen"
    assert de.buttons[-1].url == "https://www.nummergegenkummer.de"
    assert de.followup["report"].startswith("Danke")
    assert in_locale(nudge, "sv-SE") is nudge  # no catalog: the core's choice stands


# -- review commands -------------------------------------------------------------------
def test_nudges_show_json_lists_families_buttons_followups_and_helplines() -> None:
    result = CliRunner().invoke(
        main, ["nudges", "show", "--locale", "de", "--copy", "under13", "--country", "AT", "--json"]
    )
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    assert view["locale"] == "de" and view["copy"] == "under13" and view["country"] == "AT"
    assert set(view["families"]) == set(catalog("en").families())
    secrecy = view["families"]["secrecy"]
    assert secrecy["texts"] == catalog("de").copy("under13")["secrecy"]
    assert secrecy["buttons"][-1] == {
        "action": "helpline",
        "label": "Hilfe holen",
        "url": "https://www.rataufdraht.at",
    }
    assert view["followups"]["im_ok"].startswith("Alles klar")
    assert view["sender_warnings"] == catalog("de").sender
    assert view["checks"]["case_opened"] == catalog("de").checks["case_opened"]
    assert view["helplines"][0]["name"] == "Rat auf Draht"
    assert view["helplines"][0]["last_verified"] == "2026-12-06"


def test_nudges_show_readable_and_errors() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["nudges", "show", "--locale", "pt-BR", "--country", "BR"])
    assert result.exit_code == 0
    assert "Nudges in pt (teen wording), helplines for BR" in result.output
    assert "CVV [child]: 188" in result.output
    bad = runner.invoke(main, ["nudges", "show", "--country", "XX"])
    assert bad.exit_code == 2 and "'XX'" in bad.output


def test_policy_explain_names_the_languages() -> None:
    assert "en, de, nl, es, fr, pt" in explain(load_policy("default"))
    text = load_policy_text().replace("copy_for: teen", "copy_for: teen\n  locale: nl")
    assert "else nl (this pack's language)" in explain(parse_policy(text, "fixed.yaml"))


def load_policy_text() -> str:
    return (Path(__file__).parents[2] / "policies/default.yaml").read_text()


async def test_moderator_alerts_carry_the_communitys_language() -> None:
    adapter = FakeAdapter()
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector()],
        languages=LanguageSettings(default="fr", communities={"community-1": "nl"}),
    )
    await engine.start(background=False)
    try:
        chat = Scenario(engine)
        await chat.say(CHILD, "hello")
        lines = ["how old are you", "are you alone at home", "keep this our secret"]
        lines += ["add me on snapchat", "send me a photo", "lets meet"]
        for line in lines:
            event = chat.event(GROOMER, line, to=CHILD)
            await engine.handle(event.model_copy(update={"language": "de"}))
    finally:
        await engine.stop()
    assert adapter.alerts, "no case was opened"
    # The child's nudge follows the community setting; moderators get it too, not the
    # language the chat is written in.
    assert {a.locale for a in adapter.alerts} == {"nl"}
    assert all(n.locale == "nl" for n in adapter.nudges_to(CHILD.id))
    # The alert's timeline is worded for those moderators too.
    labels = [e.label for a in adapter.alerts for e in a.timeline]
    assert "eerste bericht tussen deze twee" in labels
    assert any(label.startswith("signalen: ") for label in labels)
    assert not any("first message" in label or label.startswith("signals:") for label in labels)


@given(
    st.one_of(st.none(), st.text(max_size=60)),
    st.one_of(st.none(), st.text(max_size=60)),
)
def test_any_platform_or_written_tag_gives_a_catalog_language(
    platform: str | None, written: str | None
) -> None:
    # Locales come from platforms and detectors: hostile strings must not break a nudge.
    assert choose_locale(platform, None, None, written) in SUPPORTED_LOCALES


def test_hostile_language_on_an_event_is_ignored() -> None:
    chat_event = Scenario(Engine(load_policy("default"))).event(GROOMER, "hi")
    for junk in ("x" * 100_000, "de\x00", "../../etc", "\ud800", ""):
        data = chat_event.model_dump() | {"language": junk}
        assert MessageEvent.model_validate(data).language is None
    data = chat_event.model_dump() | {"language": "pt-BR"}
    assert MessageEvent.model_validate(data).language == "pt"
