import pytest
from pydantic import ValidationError

from nudgeguard.inbox.events import MAX_TEXT_CHARS, MessageEvent, Participant


def make(**kw):
    base = dict(
        platform="p",
        community_id="c",
        conversation_id="v",
        message_id="m",
        author=Participant(id="u"),
        text="hi",
        ts=1.0,
    )
    base.update(kw)
    return MessageEvent(**base)


def test_events_are_frozen():
    event = make()
    with pytest.raises(ValidationError):
        event.text = "changed"  # type: ignore[misc]


def test_unknown_field_is_named_in_the_error():
    with pytest.raises(ValidationError) as err:
        make(txt="typo")
    assert "txt" in str(err.value)


def test_wrong_field_type_names_the_field():
    with pytest.raises(ValidationError) as err:
        make(author=Participant(id="u"), ts="yesterday")
    assert "ts" in str(err.value)


@pytest.mark.parametrize("ts", [float("inf"), float("nan"), -1.0])
def test_a_time_no_clock_can_show_is_refused(ts):
    # An infinite time once opened a case whose moderator alert was scheduled for never.
    with pytest.raises(ValidationError) as err:
        make(ts=ts)
    assert "ts" in str(err.value)


def test_an_attachment_count_no_platform_sends_is_refused():
    # 2**63 attachments once made the case insert fail, losing the case and its alert.
    assert make(attachment_count=10).attachment_count == 10
    with pytest.raises(ValidationError) as err:
        make(attachment_count=2**63)
    assert "attachment_count" in str(err.value)


def test_empty_ids_are_refused():
    with pytest.raises(ValidationError) as err:
        Participant(id="")
    assert "id" in str(err.value)


def test_huge_text_is_cut_not_refused():
    event = make(text="a" * (MAX_TEXT_CHARS * 3))
    assert len(event.text) == MAX_TEXT_CHARS


def test_invisible_padding_cannot_push_words_past_the_cut():
    padded = "\u200b" * (MAX_TEXT_CHARS * 2) + "   " * MAX_TEXT_CHARS + "send me a pic"
    event = make(text=padded)
    assert event.text.endswith("send me a pic")
    assert len(event.text) <= MAX_TEXT_CHARS


def test_ordinary_text_keeps_its_spacing():
    assert make(text="two  spaces\u200bkept").text == "two  spaces\u200bkept"
