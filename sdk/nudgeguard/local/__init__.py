"""The local simulator: an adapter that runs in the terminal, with no tokens and no network."""

from nudgeguard.local.adapter import LocalAdapter
from nudgeguard.local.transcript import Transcript, read_transcripts, transcript_events

__all__ = ["LocalAdapter", "Transcript", "read_transcripts", "transcript_events"]
