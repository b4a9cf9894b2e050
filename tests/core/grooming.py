"""The short grooming chat the engine-level tests replay: enough for the keyword detector
to nudge the child and open a case."""

from nudgeguard.inbox.events import AgeBand
from nudgeguard.testing import Scenario, person

GROOMER = person("stranger")
CHILD = person("kid", AgeBand.MINOR)
LINES = ["how old are you", "are you alone at home", "keep this our secret", "send me a photo"]


async def groom(chat: Scenario) -> None:
    """Greet the room as the child, then send the grooming lines to the child."""
    await chat.say(CHILD, "hello everyone")
    for line in LINES:
        await chat.say(GROOMER, line, to=CHILD)
