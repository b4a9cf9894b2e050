"""Working memory (per pair, per person, per conversation) and its stores."""
