"""Answering: normalisation, the learned matcher and its training, bands, the answer use cases."""
