"""Testing tools for people building on nudgeguard and writing adapters.

- :class:`FakeAdapter`: an in-memory adapter that records deliveries and can fail on cue.
- :class:`Scenario` and :func:`person`: drive an engine through a conversation.
- :class:`AdapterConformance` and :class:`ConformanceHarness`: the conformance suite.
- A pytest plugin (registered automatically) with ``fake_adapter``, ``fake_engine`` and
  ``fake_harness`` fixtures.
"""

from nudgeguard.testing.conformance import AdapterConformance, ConformanceHarness
from nudgeguard.testing.fake import FakeAdapter
from nudgeguard.testing.harness import FakeHarness
from nudgeguard.testing.scenario import GROOMING_LINES, Scenario, person

__all__ = [
    "GROOMING_LINES",
    "AdapterConformance",
    "ConformanceHarness",
    "FakeAdapter",
    "FakeHarness",
    "Scenario",
    "person",
]
