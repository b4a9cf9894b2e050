"""Normalisation: each step on examples, plus robustness on any unicode input."""

from hypothesis import given, settings
from hypothesis import strategies as st

from nudgeguard.pipeline.text import normalize


def test_nfkc_folds_fullwidth_and_fancy_fonts():
    assert normalize("\uff53\uff45\uff4e\uff44").text == "send"
    assert (
        normalize("\U0001d4fc\U0001d4ee\U0001d4f7\U0001d4ed \U0001d4f9\U0001d4f2\U0001d4ec").text
        == "send pic"
    )


def test_casefold():
    assert normalize("HeLLo THERE").text == "hello there"


def test_zero_width_characters_are_removed_and_flagged():
    n = normalize("se\u200bnd p\u200dic")
    assert n.text == "send pic"
    assert n.evasion


def test_confusable_homoglyphs_map_to_latin():
    n = normalize("\u0455end \u0440ic")  # Cyrillic dze and er
    assert n.text == "send pic"
    assert n.evasion


def test_emoji_used_as_code_become_words():
    assert normalize("add me on \U0001f47b").text == "add me on snapchat"
    assert "pic" in normalize("send a \U0001f4f8").text


def test_apostrophes_inside_words_are_dropped_but_heights_survive():
    assert normalize("don't tell").text == "dont tell"
    assert normalize("I'm 5'2").text == "im 5'2"


def test_spaced_out_letters_are_joined():
    n = normalize("s e n d it")
    assert n.text.startswith("send")
    assert n.evasion


def test_dotted_letters_are_joined():
    assert normalize("p.i.c please").text == "pic please"


def test_short_runs_of_chat_words_stay_apart():
    assert normalize("i m a").text == "i m a"
    assert normalize("r u ok").text == "are you okay"


def test_leetspeak_inside_words_only():
    n = normalize("s3nd a p1c")
    assert n.text == "send a pic"
    assert n.evasion
    assert normalize("12 hours in").text == "12 hours in"
    assert normalize("13yo").text == "13yo"
    assert normalize("h0w 0ld").text == "how old"


def test_repeated_letters_collapse():
    assert normalize("ur sooo cuuute").text == "your so cute"
    assert normalize("1000 points").text == "1000 points"


def test_chat_abbreviations_expand():
    assert normalize("how old r u?").text == "how old are you?"
    assert normalize("gr8 c u l8r").text == "great c you later"
    assert normalize("a/s/l").text == "asl"
    assert normalize("send pix plz").text == "send pics please"


def test_plain_form_keeps_obfuscation_for_comparison():
    n = normalize("s3nd")
    assert n.plain == "s3nd"
    clean = normalize("hello")
    assert clean.plain == clean.text == "hello"
    assert not clean.evasion


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_never_crashes_on_any_unicode(raw):
    n = normalize(raw)
    assert isinstance(n.text, str)
    assert n.raw == raw


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1000, max_size=5000))
def test_long_odd_input_is_handled(raw):
    assert isinstance(normalize(raw).text, str)


# Chat tokens covering every normalisation step: plain words, abbreviations, single
# letters that may spell a word out, leetspeak, confusables, zero-width, emoji, odd spaces.
_PLAIN = "hey you u r a i I Send p.i.c s3nd don't cuuute 12 13yo pix ok? lol, x o s e n d"
_ODD = ("\u0455end", "se\u200bnd", "\U0001f47b", "\u00a8", "\uff53", "caf\u00e9", "  ", "\t")
_TOKENS = (*_PLAIN.split(" "), *_ODD)
_CHATTY = st.lists(st.sampled_from(_TOKENS), max_size=14)


@settings(max_examples=400, deadline=None)
@given(_CHATTY)
def test_word_by_word_and_cached_results_equal_the_whole_text_steps(words):
    from nudgeguard.pipeline.text import _whole

    raw = " ".join(words)
    expected = _whole(raw)
    for _ in range(2):  # the second time from the word cache
        got = normalize(raw)
        assert (got.text, got.evasion, got.plain) == (
            expected.text,
            expected.evasion,
            expected.plain,
        )
        assert got.digits or not any(c.isdigit() for c in got.text + got.plain)
