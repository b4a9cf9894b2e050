"""The core picks the helpline country once; adapters pass platform locales as data."""

import pytest

from nudgeguard import HelplineCountries, NudgeAction, in_locale, region_of
from nudgeguard.delivery.nudges import child_helpline
from nudgeguard.engine import Engine
from nudgeguard.inbox.events import AgeBand
from nudgeguard.policy import load_policy
from nudgeguard.testing import FakeAdapter, Scenario, person

from ..core.keyword_detector import KeywordDetector

GROOMER = person("stranger")
CHILD = person("kid", AgeBand.MINOR)


@pytest.mark.parametrize(
    ("tag", "region"),
    [
        ("pt-BR", "BR"),
        ("en_GB", "GB"),
        ("de", None),
        ("es-419", None),
        (None, None),
        ("x-zz", None),
    ],
)
def test_region_of_a_platform_locale(tag, region):
    assert region_of(tag) == region


def test_channel_then_community_then_adapter_then_default():
    countries = HelplineCountries("GB", {"guild": "DE"}, {"kids-room": "IE"})
    countries.add_platform("fake", {"other": "FR", "*": "NL"})
    assert countries.choose("fake", "guild", "kids-room") == ("IE", "channel")
    assert countries.choose("fake", "guild", "general") == ("DE", "community")
    assert countries.choose("fake", "other") == ("FR", "community")
    assert countries.choose("fake", "third") == ("NL", "community")
    assert countries.choose("slack", "third") == ("GB", "default")


class Configured(FakeAdapter):
    def helpline_countries(self):
        return {"*": "US"}


def helpline_url(nudge) -> str | None:
    return next(b.url for b in nudge.buttons if b.action is NudgeAction.HELPLINE)


async def nudge_of(engine: Engine, adapter: FakeAdapter):
    chat = Scenario(engine)
    await chat.say(CHILD, "hi")
    await chat.say(GROOMER, "are you alone", to=CHILD)
    return adapter.nudges_to(CHILD.id)[0]


@pytest.mark.parametrize(
    ("adapter", "countries", "expected", "source"),
    [
        (FakeAdapter(), None, "GB", "default"),
        (Configured(), None, "US", "community"),
        (FakeAdapter(), HelplineCountries("GB", channels={"channel-1": "IE"}), "IE", "channel"),
    ],
)
async def test_the_nudge_carries_the_cores_choice(adapter, countries, expected, source):
    engine = Engine(
        load_policy("default"),
        adapters=[adapter],
        detectors=[KeywordDetector()],
        countries=countries,
    )
    await engine.start(background=False)
    nudge = await nudge_of(engine, adapter)
    assert (nudge.country, nudge.country_source) == (expected, source)
    assert helpline_url(nudge) == child_helpline(expected, "en").url
    await engine.stop()


async def test_a_platform_region_replaces_only_the_default():
    adapter = FakeAdapter()
    engine = Engine(load_policy("default"), adapters=[adapter], detectors=[KeywordDetector()])
    await engine.start(background=False)
    nudge = await nudge_of(engine, adapter)
    brazil = in_locale(nudge, "pt-BR")
    assert (brazil.country, brazil.country_source) == ("BR", "region")
    assert helpline_url(brazil) == child_helpline("BR", "pt").url
    assert brazil.locale == "pt"
    configured = nudge.model_copy(update={"country_source": "community"})
    assert helpline_url(in_locale(configured, "pt-BR")) == helpline_url(nudge)
    await engine.stop()
