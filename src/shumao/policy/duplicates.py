"""Near-duplicate documents across scripts and formats.

Two records are the same document when the character 5-grams of their simplified texts
(letters and digits only: punctuation, spacing and line breaks differ between a PDF
extraction and a scraped copy) have a Jaccard similarity of at least ``THRESHOLD``. The 003
PDF extraction and the 004 traditional scraped copy of the same report score about 0.9;
different documents of the same field score below 0.05.

Candidates are found without comparing against every stored document: a 64-value MinHash
signature is cut into 16 bands of 4 and every band is stored as a bucket key; documents that
share a bucket are candidates (a pair at Jaccard 0.6 shares one with probability ≈ 0.9), and
each candidate is confirmed with the exact Jaccard of the two texts.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

K = 5
PERMUTATIONS = 64
BANDS = 16
ROWS = PERMUTATIONS // BANDS
THRESHOLD = 0.6
_PRIME = (1 << 61) - 1
_RNG = np.random.default_rng(20240817)
_A = _RNG.integers(1, _PRIME, PERMUTATIONS, dtype=np.uint64)
_B = _RNG.integers(0, _PRIME, PERMUTATIONS, dtype=np.uint64)
_KEEP = re.compile(r"[^\W_]+")


def fingerprint_text(simplified: str) -> str:
    """The text as compared: letters and digits only, lower case."""
    return "".join(_KEEP.findall(simplified)).lower()


def shingles(simplified: str) -> np.ndarray:
    """The distinct 64-bit hashes of the text's character 5-grams (sorted)."""
    text = fingerprint_text(simplified)
    if not text:
        return np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = max(len(codes) - K + 1, 1)
    hashes = np.zeros(n, dtype=np.uint64)
    for k in range(min(K, len(codes))):
        hashes = hashes * np.uint64(1_000_003) + codes[k : k + n]  # wraps modulo 2^64
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """|A ∩ B| / |A ∪ B| of two shingle sets (as from ``shingles``)."""
    if not len(a) and not len(b):
        return 0.0
    common = len(np.intersect1d(a, b, assume_unique=True))
    return common / (len(a) + len(b) - common)


def signature(grams: np.ndarray) -> np.ndarray:
    """MinHash signature: for each of 64 hash functions, the least hash over the shingles."""
    if not len(grams):
        return np.zeros(PERMUTATIONS, dtype=np.uint64)
    folded = (grams ^ (grams >> np.uint64(32))) & np.uint64(0xFFFFFFFF)
    # (a·x + b) mod p with x < 2^32 and a < 2^31 stays below 2^64
    a = (_A % np.uint64(1 << 31)).reshape(-1, 1)
    mixed = (a * folded.reshape(1, -1) + _B.reshape(-1, 1)) % np.uint64(_PRIME)
    return np.asarray(mixed.min(axis=1), dtype=np.uint64)


def estimate(signature_: np.ndarray, stored: str) -> float:
    """Jaccard estimated from two signatures (the share of equal minimum hashes); ``stored``
    is the other signature as hex, as kept with each document."""
    other = np.frombuffer(bytes.fromhex(stored), dtype=np.uint64) if stored else None
    if other is None or other.shape != signature_.shape:
        return 1.0  # no signature kept: let the exact comparison decide
    return float(np.mean(signature_ == other))


def band_keys(sig: np.ndarray) -> list[str]:
    """One bucket key per band; the band number is hashed in, so keys of bands never meet."""
    return [
        hashlib.blake2b(
            sig[b * ROWS : (b + 1) * ROWS].tobytes() + bytes([b]), digest_size=8
        ).hexdigest()
        for b in range(BANDS)
    ]
