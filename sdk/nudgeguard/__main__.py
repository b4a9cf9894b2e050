"""``python -m nudgeguard``."""

from nudgeguard.cli import main

main()
