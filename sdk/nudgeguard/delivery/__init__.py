"""What goes out: composed nudges and alerts, their dispatch, the outbox and the sinks."""
