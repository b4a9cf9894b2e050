"""Pattern data (YAML) for normalisation and the lexicon detector; data, not code."""
