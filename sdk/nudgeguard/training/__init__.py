"""Training and cross-validating the learned scorer (``python -m nudgeguard.training``).

Needs the ``train`` extra (scikit-learn, numpy). The corpora are read from the directories
given on the command line; nothing of their text is written anywhere but the weights.
"""
