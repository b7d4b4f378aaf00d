"""Fast common-prefix / common-suffix lengths of two strings, for per-keystroke cache updates.

A Python loop over 16k characters costs about a millisecond; these compare slices (C memcmp)
and bisect on the first difference, so the usual keystroke (one character appended) costs one
`startswith` and an edit anywhere costs O(n) in C plus O(log n) Python steps.
"""

from __future__ import annotations


def common_prefix_len(a: str, b: str) -> int:
    """The largest n with a[:n] == b[:n]."""
    n = min(len(a), len(b))
    if b.startswith(a) if len(a) <= len(b) else a.startswith(b):
        return n
    lo, hi = 0, n  # invariant: a[:lo] == b[:lo] and a[:hi] != b[:hi]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def common_suffix_len(a: str, b: str, limit: int | None = None) -> int:
    """The largest n <= limit with a[len(a)-n:] == b[len(b)-n:]."""
    n = min(len(a), len(b))
    if limit is not None:
        n = max(0, min(n, limit))
    if n == 0:
        return 0
    if a[len(a) - n :] == b[len(b) - n :]:
        return n
    lo, hi = 0, n  # invariant: the last lo characters agree, the last hi do not
    la, lb = len(a), len(b)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[la - mid : la - lo] == b[lb - mid : lb - lo]:
            lo = mid
        else:
            hi = mid
    return lo
