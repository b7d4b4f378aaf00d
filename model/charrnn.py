"""Where `build_model` and `detach` used to live; they are in `ghostpen.model.archs` now.

Kept only until `evals/speed.py` (another branch's file this round) imports them from there;
new code imports `ghostpen.model.archs`.
"""

from __future__ import annotations

from ghostpen.model.archs import build_model, detach

__all__ = ["build_model", "detach"]
