"""Offline tiktoken encodings, built from the files vendored in `dataprep/encodings/`.

The files are rebuilt by `scripts/build_encodings.py`, checked against their SHA-256 on load and built straight
into `tiktoken.Encoding`: no download, and TIKTOKEN_CACHE_DIR is never read or written.

Each encoding ships twice: `<name>.tiktoken`, the official file (its SHA-256 is the one tiktoken itself checks
after a download), and `<name>.ranks`, the same ranks packed for a fast start (packed_ranks.py). The packed file
is read when its own SHA-256 (pinned below, or in the metadata) matches and it names the official file's
SHA-256 as its source; otherwise the `.tiktoken` file is parsed, as before. The chain of trust: the build
script packs only an official file it has verified, and a test unpacks every shipped `.ranks` file and compares
it with its `.tiktoken` file, whose SHA-256 is checked against OFFICIAL_SHA256.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import re
import warnings
from functools import cache
from pathlib import Path

import tiktoken

from dataprep.errors import EncodingError
from dataprep.tokens.packed_ranks import unpack

ENCODINGS_DIR = Path(__file__).resolve().parent.parent / "encodings"

# Hashes of the official files (the ones tiktoken checks after download); they win over the metadata file.
OFFICIAL_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}

# Hashes of the packed companions (`<name>.ranks`, dataprep/tokens/packed_ranks.py) that
# scripts/build_encodings.py makes from the official files; like OFFICIAL_SHA256 they win over the metadata file.
PACKED_SHA256 = {
    "o200k_base": "0033971eb26b0f2036d6a4ef21b5c1df61076a5eebacb67ec04457ad51c4fa07",
    "cl100k_base": "10dcabb386c7dc6018c6c37fc281ec1f5d175ec7d2a7f085a1eb441bdf286a1c",
}
PACKED_SUFFIX = ".ranks"

_NAME_RE = re.compile(r"[A-Za-z0-9_]+\Z")
_REBUILD_HINT = "reinstall dataprep or rebuild the files with scripts/build_encodings.py"


def available_encodings(directory: str | os.PathLike[str] | None = None) -> list[str]:
    """Names of the encodings vendored in `directory` (default: the package's own)."""
    folder = Path(directory) if directory is not None else ENCODINGS_DIR
    return sorted(p.stem for p in folder.glob("*.tiktoken") if p.with_suffix(".json").is_file())


def get_encoding(name: str, *, directory: str | os.PathLike[str] | None = None) -> tiktoken.Encoding:
    """The tiktoken Encoding `name` built from vendored files, verified once per process and then cached.

    Raises EncodingError when the files are missing, unreadable or fail their SHA-256 check.
    `directory` points the loader at another folder holding `<name>.tiktoken` and `<name>.json`.
    """
    folder = str(Path(directory).resolve()) if directory is not None else str(ENCODINGS_DIR)
    return _load_encoding(name, folder)


def clear_encoding_cache() -> None:
    """Forget the encodings built so far (a forked worker builds its own instead of sharing its parent's)."""
    _load_encoding.cache_clear()


@cache
def _load_encoding(name: str, folder: str) -> tiktoken.Encoding:
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise EncodingError(f"invalid encoding name {name!r}")
    ranks_path = Path(folder) / f"{name}.tiktoken"
    meta_path = ranks_path.with_suffix(".json")
    if not ranks_path.is_file() or not meta_path.is_file():
        known = ", ".join(available_encodings(folder)) or "none"
        raise EncodingError(
            f"tokenizer encoding {name!r} is not available offline: {ranks_path} or {meta_path.name} is missing "
            f"(available: {known}); {_REBUILD_HINT}"
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise EncodingError(f"cannot read tokenizer encoding {name!r} from {folder}: {exc}") from exc
    if not isinstance(meta, dict):
        raise EncodingError(f"{meta_path}: expected a JSON object; {_REBUILD_HINT}")
    expected = OFFICIAL_SHA256.get(name) or meta.get("sha256")
    if not isinstance(expected, str):
        raise EncodingError(f"{meta_path}: no SHA-256 to check {ranks_path.name} against; {_REBUILD_HINT}")

    ranks = _packed_ranks(ranks_path.with_suffix(PACKED_SUFFIX), name, meta, expected)
    if ranks is None:
        ranks = _tiktoken_ranks(ranks_path, name, folder, expected)
    pat_str = meta.get("pat_str")
    special = _special_tokens(meta.get("special_tokens"))
    if not isinstance(pat_str, str) or special is None:
        raise EncodingError(
            f"{meta_path}: 'pat_str' or 'special_tokens' is missing or malformed; {_REBUILD_HINT}"
        )
    try:
        return tiktoken.Encoding(name, pat_str=pat_str, mergeable_ranks=ranks, special_tokens=special)
    except ValueError as exc:
        raise EncodingError(f"{ranks_path}: cannot build the encoding ({exc}); {_REBUILD_HINT}") from exc


def _packed_ranks(
    path: Path, name: str, meta: dict[str, object], source_sha256: str
) -> dict[bytes, int] | None:
    """The ranks of the packed companion `path`, made from the `.tiktoken` file of SHA-256 `source_sha256`;
    None when there is none, or, with a warning, when it is not the file its SHA-256 says (the `.tiktoken`
    file, checked on its own, is read instead: slower, never wrong)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
    else:
        expected = PACKED_SHA256.get(name) or meta.get("packed_sha256")
        actual = hashlib.sha256(data).hexdigest()
        if not isinstance(expected, str):
            problem = "has no SHA-256 to be checked against"
        elif actual != expected:
            problem = f"has SHA-256 {actual}, not the expected {expected}"
        else:
            try:
                packed = unpack(data)
            except ValueError as exc:
                problem = f"is malformed ({exc})"
            else:
                if packed.source_sha256 == source_sha256:
                    return packed.ranks
                problem = f"was made from another .tiktoken file (SHA-256 {packed.source_sha256})"
    warnings.warn(
        f"{path} {problem}; reading {name}.tiktoken instead (a slower start); {_REBUILD_HINT}",
        RuntimeWarning,
        stacklevel=4,
    )
    return None


def _tiktoken_ranks(path: Path, name: str, folder: str, expected: str) -> dict[bytes, int]:
    """The ranks of the `.tiktoken` file `path`, checked against its SHA-256."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncodingError(f"cannot read tokenizer encoding {name!r} from {folder}: {exc}") from exc
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise EncodingError(
            f"{path}: SHA-256 {actual} does not match the expected {expected}; "
            f"the file is corrupt or was changed: {_REBUILD_HINT}"
        )
    try:
        return _parse_ranks(data)
    except (ValueError, binascii.Error) as exc:
        raise EncodingError(f"{path}: cannot build the encoding ({exc}); {_REBUILD_HINT}") from exc


def _special_tokens(value: object) -> dict[str, int] | None:
    if isinstance(value, dict) and all(isinstance(k, str) and type(v) is int for k, v in value.items()):
        return dict(value)
    return None


def _parse_ranks(data: bytes) -> dict[bytes, int]:
    """`<base64 token> <rank>` per line, the .tiktoken format (read when the packed file cannot be).

    One split over the whole file and C-level map calls: about 30% faster than a line loop; the packed file
    takes a third of this one's instructions.
    """
    parts = data.split()
    if len(parts) % 2:
        raise ValueError("odd number of fields: every line must be '<base64 token> <rank>'")
    return dict(zip(map(binascii.a2b_base64, parts[0::2]), map(int, parts[1::2]), strict=True))
