import json

import pytest

# Short paraphrases written for these tests (nothing from the evaluation corpora).
GROOMING = [
    ("u1", "hey there"),
    ("u2", "hi"),
    ("u1", "asl?"),
    ("u2", "13 f"),
    ("u1", "im 31, age is just a number right"),
    ("u2", "i guess"),
    ("u1", "ur so pretty, so mature for ur age"),
    ("u1", "r u home alone? do ur parents check ur phone"),
    ("u2", "yeah alone"),
    ("u1", "dont tell anyone about us, this is our secret"),
    ("u1", "add me on snap"),
    ("u1", "send me a pic just for me"),
    ("u1", "lets meet up, i can pick u up, dont bring anyone"),
    ("u2", "ok"),
]
NORMAL = [
    ("u1", "did you finish the science homework"),
    ("u2", "almost, question 4 is hard"),
    ("u1", "lets meet at the library at 5"),
    ("u2", "sure see you there"),
    ("u1", "can you send a pic of your setup"),
    ("u2", "here is a pic of my setup"),
]


def transcript(cid, label, lines, truths, declared=None, ts_step=20.0, null_ts=False):
    declared = declared or {}
    return {
        "id": cid,
        "source": "test",
        "kind": "direct",
        "label": label,
        "participants": [
            {"id": p, "truth": t, "declared_age_band": declared.get(p, "unknown")}
            for p, t in truths.items()
        ],
        "messages": [
            {"author": a, "ts": None if null_ts and i % 2 else i * ts_step, "text": text}
            for i, (a, text) in enumerate(lines)
        ],
    }


@pytest.fixture
def corpus(tmp_path):
    def write(name, rows):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        return path

    return write


@pytest.fixture
def grooming_row():
    return transcript(
        "g1", "grooming", GROOMING, {"u1": "suspect", "u2": "child"}, declared={"u2": "minor"}
    )


@pytest.fixture
def normal_row():
    return transcript("n1", "normal", NORMAL, {"u1": "other", "u2": "other"})
