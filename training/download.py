"""The default corpus: nietzsche.txt, fetched once into the user cache (never during tests)."""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
from pathlib import Path

import platformdirs

from ghostpen.model.atomic import atomic_write_bytes
from ghostpen.training.corpus import CorpusError

NIETZSCHE_URL = "https://s3.amazonaws.com/text-datasets/nietzsche.txt"
NIETZSCHE_BYTES = 600_901
NIETZSCHE_SHA256 = "23cf69874ab69d3d256099ab530ea4be24d47d9675b673bcc67cbcd6298ec647"


def cache_dir() -> Path:
    return Path(os.environ.get("GHOSTPEN_CACHE") or platformdirs.user_cache_dir("ghostpen"))


def nietzsche_path(download: bool = True, url: str = NIETZSCHE_URL, timeout: float = 30) -> Path:
    """Path of the cached nietzsche.txt, downloading it once (size and sha256 checked)."""
    path = cache_dir() / "nietzsche.txt"
    if path.is_file() and path.stat().st_size == NIETZSCHE_BYTES:
        return path
    if not download:
        raise CorpusError(f"{path} is not there yet; pass --corpus FILE to train on your own text")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            data = response.read(NIETZSCHE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise CorpusError(
            f"cannot download the default corpus from {url} ({getattr(exc, 'reason', exc)}). "
            f"Offline? Pass --corpus FILE_OR_FOLDER to train on your own text, or copy "
            f"nietzsche.txt to {path}"
        ) from None
    if len(data) != NIETZSCHE_BYTES or hashlib.sha256(data).hexdigest() != NIETZSCHE_SHA256:
        raise CorpusError(
            f"the download from {url} is not the expected nietzsche.txt "
            f"({len(data)} bytes, {NIETZSCHE_BYTES} expected); pass --corpus FILE instead"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)
    return path
