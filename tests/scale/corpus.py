"""A seeded synthetic corpus in the transcript format (paraphrased, nothing explicit)."""

from __future__ import annotations

import json
import random
from pathlib import Path

from nudgeguard.testing.scenario import GROOMING_LINES

FILLER = (
    "did you finish the maths homework",
    "lol that match yesterday was wild",
    "what time does practice start tomorrow",
    "i think the new map is better",
    "my cat knocked over my drink again",
    "can you send the notes from class",
    "we should play again after dinner",
    "that song has been stuck in my head all day",
    "who is bringing snacks on friday",
    "i got a new book from the library",
    "the bus was late again this morning",
    "nice build, how long did it take",
    "ok see you later",
    "haha yes",
    "not sure, maybe",
    "thanks, that helps a lot",
)


def conversation(rng: random.Random, n: int) -> dict:
    risky = rng.random() < 0.3
    people = ["u1", "u2"] if risky or rng.random() < 0.7 else ["u1", "u2", "u3"]
    ages = {"u1": "adult" if risky else "unknown", "u2": "minor" if risky else "unknown"}
    messages = []
    ts = 0.0
    script = list(GROOMING_LINES) if risky else []
    for i in range(rng.randint(14, 28)):
        ts += rng.randint(20, 200)
        if script and i % 3 == 1:
            messages.append({"author": "u1", "ts": ts, "text": script.pop(0)})
        else:
            author = people[i % len(people)]
            messages.append({"author": author, "ts": ts, "text": rng.choice(FILLER)})
    return {
        "id": f"syn-{n}",
        "kind": "direct" if len(people) == 2 else "group",
        "label": "grooming" if risky else "normal",
        "participants": [
            {"id": p, "truth": "other", "declared_age_band": ages.get(p, "unknown")} for p in people
        ],
        "messages": messages,
    }


def write_corpus(path: Path, conversations: int = 120, seed: int = 7) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        for n in range(conversations):
            fh.write(json.dumps(conversation(rng, n)) + "\n")
    return path
