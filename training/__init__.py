"""Corpus loading, batching and the training loop for the character-level models."""
