"""Measurement commands (`ghostpen eval bpc|ksr|html|speed|latency`) and their helpers.

Library packages never import this one: the evals measure the model, the engine and the editor
from outside, the way a user would run them.
"""
