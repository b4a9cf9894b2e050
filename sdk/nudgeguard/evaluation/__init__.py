"""Measuring detection: transcript replay with metrics (eval), throughput (bench).

- :mod:`~nudgeguard.evaluation.replay` replays transcript corpora through the full engine
  on simulated time with a recording adapter and collects what fired, per conversation.
- :mod:`~nudgeguard.evaluation.metrics` turns those outcomes into the conversation-level
  metrics of ``nudgeguard eval``.
- :mod:`~nudgeguard.evaluation.synthetic` generates the seeded benchmark corpus.
- :mod:`~nudgeguard.evaluation.bench` times the baseline and the pipeline.
"""

from nudgeguard.evaluation.metrics import compute_metrics
from nudgeguard.evaluation.replay import Outcome, RecordingAdapter, replay_corpora

__all__ = ["Outcome", "RecordingAdapter", "compute_metrics", "replay_corpora"]
