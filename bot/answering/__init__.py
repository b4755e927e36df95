"""Answering questions: normalisation, the learned matcher and its training, bands, the answer
use cases, the question log."""
