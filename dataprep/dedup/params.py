"""Near-duplicate parameters: shingling, signature size, LSH banding, threshold and seed (no numpy here)."""

from __future__ import annotations

from dataclasses import dataclass

from dataprep.errors import UsageError

DEFAULT_THRESHOLD = 0.5

# The MinHash mixing multipliers of a seed: the two values `numpy.random.default_rng(seed).integers(1, 2**63,
# size=2, dtype=np.uint64)` draws, made odd. Written out for the default seed, so that signatures can be made
# without loading numpy's random module (or numpy at all, for a small input); tests/test_dedup_small.py checks
# them against numpy.
SEED_MULTIPLIERS = {1: (4720721261117928063, 8766480278738261043)}
FINGERPRINT_COLLISION = 1.0 / 65536.0  # chance two different minima share a 16-bit fingerprint
# An LSH bucket larger than this is not expanded into all its pairs (dedup.lsh explains the alternative).
BUCKET_CAP = 32


@dataclass(frozen=True, slots=True)
class NearDupParams:
    """How near-duplicates are found. Digests and the index must use the same shingling, size and seed;
    `threshold` matters only to the index (it is applied when candidate pairs are confirmed).

    - shingles are `shingle_bytes`-byte windows of the example's normalised text (punctuation removed) that
      start at a word (or at a character of a script written without spaces);
    - the signature has `num_perm` 16-bit values (one-permutation MinHash; a power of two);
    - LSH splits it into `bands` bands of `num_perm // bands` rows: a pair sharing one band is a candidate;
    - a candidate is confirmed when its estimated Jaccard similarity is at least `threshold`.
    """

    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = 128
    bands: int = 32
    shingle_bytes: int = 8
    seed: int = 1

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise UsageError(f"near-duplicate threshold must be in (0, 1], not {self.threshold}")
        if self.num_perm < 16 or self.num_perm > 4096 or self.num_perm & (self.num_perm - 1):
            raise UsageError(f"num_perm must be a power of two from 16 to 4096, not {self.num_perm}")
        if self.bands < 1 or self.num_perm % self.bands:
            raise UsageError(f"bands ({self.bands}) must divide num_perm ({self.num_perm})")
        if not 3 <= self.shingle_bytes <= 8:
            raise UsageError(f"shingle_bytes must be from 3 to 8, not {self.shingle_bytes}")
        if not 0 <= self.seed < 2**63:
            raise UsageError(f"seed must be in [0, 2**63), not {self.seed}")

    @property
    def rows(self) -> int:
        return self.num_perm // self.bands

    @property
    def signature_bytes(self) -> int:
        return 2 * self.num_perm

    def same_signatures(self, other: NearDupParams) -> bool:
        """True when signatures made with either are comparable (everything but the threshold agrees)."""
        return (self.num_perm, self.shingle_bytes, self.seed) == (
            other.num_perm,
            other.shingle_bytes,
            other.seed,
        )
