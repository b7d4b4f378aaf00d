"""Bundled data files (default model), found through importlib.resources."""
