"""Scoring a message: normalised text, detectors, age, the conversation, per-pair risk."""
