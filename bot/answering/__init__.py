"""Answering questions: normalisation, matching, the answer use cases, the question log."""
