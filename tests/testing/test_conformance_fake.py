"""The conformance suite passes on the reference FakeAdapter harness (with real detectors)."""

import pytest

from nudgeguard.testing import AdapterConformance, FakeHarness


class TestFakeAdapterConformance(AdapterConformance):
    @pytest.fixture
    async def harness(self, fake_harness: FakeHarness) -> FakeHarness:
        return fake_harness
