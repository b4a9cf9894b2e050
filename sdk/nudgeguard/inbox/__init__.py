"""What comes in: events, the per-conversation inbox and order, the engine handle."""
