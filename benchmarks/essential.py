"""The essential work of validating chat JSONL, and nothing else: the floor `dataprep validate` is measured against.

Read the file in chunks of whole lines (~2 MB), parse every line with orjson and tokenize every string value of
every example (keys are not tokenized) with tiktoken `encode_ordinary`, one call per string, in worker processes
(all cores by default; results come back in file order through `imap`). No checks, no statistics, no findings:
only the total token count comes back.

CLI: python benchmarks/essential.py FILE [--jobs N] [--encoding o200k_base] [--json]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parents[1]
CHUNK_BYTES = 2 << 20

Encode = Callable[[str], list[int]]
_encode: Encode | None = None  # set once per worker process by _init_worker


@dataclass(frozen=True)
class Totals:
    examples: int
    tokens: int
    bad_lines: int
    bytes: int


def load_encode(encoding_name: str) -> Encode:
    """`encode_ordinary` of the vendored encoding, loaded offline through dataprep.tokens."""
    if str(ROOT) not in sys.path:
        # Run as a script from a checkout where dataprep is not installed.
        sys.path.insert(0, str(ROOT))
    from dataprep.tokens import get_encoding

    encode: Encode = get_encoding(encoding_name).encode_ordinary
    return encode


def iter_chunks(path: str | os.PathLike[str], chunk_bytes: int = CHUNK_BYTES) -> Iterator[bytes]:
    """Blocks of about `chunk_bytes` that end on a line boundary (the last one may lack its newline)."""
    with open(path, "rb") as handle:
        carry = b""
        while block := handle.read(chunk_bytes):
            block = carry + block
            cut = block.rfind(b"\n") + 1
            if cut == 0:
                carry = block  # a line longer than the block: keep reading
                continue
            carry = block[cut:]
            yield block[:cut]
        if carry:
            yield carry


def _string_tokens(value: Any, encode: Encode) -> int:
    if type(value) is str:
        return len(encode(value))
    if type(value) is dict:
        return sum(_string_tokens(item, encode) for item in value.values())
    if type(value) is list:
        return sum(_string_tokens(item, encode) for item in value)
    return 0


def count_chunk(chunk: bytes, encode: Encode) -> tuple[int, int, int]:
    """(examples, tokens, bad lines) of one chunk of JSONL."""
    examples = tokens = bad = 0
    for line in chunk.split(b"\n"):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            continue
        examples += 1
        tokens += _string_tokens(record, encode)
    return examples, tokens, bad


def _init_worker(encoding_name: str) -> None:
    global _encode
    _encode = load_encode(encoding_name)


def _count_in_worker(chunk: bytes) -> tuple[int, int, int]:
    assert _encode is not None, "worker not initialised"
    return count_chunk(chunk, _encode)


def count_tokens(
    path: str | os.PathLike[str], jobs: int | None = None, encoding_name: str = "o200k_base"
) -> Totals:
    """Parse and tokenize every string of every example of `path`; `jobs=1` stays in this process."""
    jobs = jobs or os.cpu_count() or 1
    examples = tokens = bad = 0
    if jobs == 1:
        encode = load_encode(encoding_name)
        results: Iterator[tuple[int, int, int]] = (count_chunk(chunk, encode) for chunk in iter_chunks(path))
        for n, t, b in results:
            examples, tokens, bad = examples + n, tokens + t, bad + b
    else:
        with multiprocessing.Pool(jobs, initializer=_init_worker, initargs=(encoding_name,)) as pool:
            for n, t, b in pool.imap(_count_in_worker, iter_chunks(path)):
                examples, tokens, bad = examples + n, tokens + t, bad + b
    return Totals(examples, tokens, bad, os.path.getsize(path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parse and tokenize every string of a chat JSONL file.")
    parser.add_argument("file")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--encoding", default="o200k_base")
    parser.add_argument("--json", action="store_true", help="print the totals as one JSON object")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    totals = count_tokens(args.file, args.jobs, args.encoding)
    elapsed = time.perf_counter() - start
    if args.json:
        print(orjson.dumps({**asdict(totals), "seconds": elapsed}).decode())
    else:
        print(
            f"{totals.examples} examples, {totals.tokens} tokens, {totals.bad_lines} bad lines in {elapsed:.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
