"""Duplicates, near-duplicates, conflicting answers and train/validation leakage (rules DP401-DP406).

Two halves, so the per-example work runs in worker processes and only compact digests travel:
    example_digest(record, kind)        pure function of one record -> ExampleDigest (hashes + MinHash);
    example_digests(records, kind)      the same for a batch, several times cheaper per record
    DuplicateIndex().add(...) / .findings()  dataset-wide, fed digests in file order
`find_duplicates` runs both on a JSONL path, a list of records or a `datasets.Dataset`.
numpy is imported only when a signature is made or findings are computed.
"""

from __future__ import annotations

from dataprep.dedup.api import find_duplicates
from dataprep.dedup.digest import ExampleDigest, example_digest, example_digests
from dataprep.dedup.index import DuplicateIndex
from dataprep.dedup.params import NearDupParams

__all__ = [
    "DuplicateIndex",
    "ExampleDigest",
    "NearDupParams",
    "example_digest",
    "example_digests",
    "find_duplicates",
]
