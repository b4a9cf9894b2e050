"""Shared set-up of the training tests."""

import inspect

import pytest

from nudgeguard.pipeline.detectors import LearnedDetector
from nudgeguard.training import crossval


class _WithConversation(LearnedDetector):
    """The pair scorer, taking (and keeping) a conversation model it does not read yet."""

    def __init__(self, *args, conversation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.conversation = conversation


@pytest.fixture(autouse=True)
def _conversation_keyword(monkeypatch):
    """Let ``cross_validate`` build its detector before the runtime reads conversations.

    Cross-validation hands each fold's conversation model to ``LearnedDetector`` (keyword
    ``conversation``), which the runtime part adds; until it is in, the tests give the
    detector a subclass that takes the keyword. Without effect once the keyword exists.
    """
    if "conversation" not in inspect.signature(LearnedDetector).parameters:
        monkeypatch.setattr(crossval, "LearnedDetector", _WithConversation)
