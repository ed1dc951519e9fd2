"""Rebuild the vendored tokenizer encodings in dataprep/encodings/ from the npm package `tiktoken`.

tiktoken (Python) downloads its encodings on first use and has no offline switch, so dataprep ships them.
The npm package `tiktoken` 1.0.22 carries the same ranks in `encoders/<name>.json`: its `bpe_ranks` field holds
lines `! OFFSET tok1 tok2 ...` (base64 tokens, the i-th has rank OFFSET+i). Writing `tok rank\\n` lines in order
gives back the official `<name>.tiktoken` file byte for byte, which the SHA-256 check below proves.

Usage (from the repository root):

    npm pack tiktoken@1.0.22 && tar xzf tiktoken-1.0.22.tgz     # unpacks to ./package
    python scripts/build_encodings.py package                    # writes dataprep/encodings/
    python scripts/build_encodings.py --repack                   # only the .ranks files, from the vendored
                                                                 # (verified) .tiktoken files: no npm needed

After a rebuild, copy the printed packed SHA-256s into PACKED_SHA256 in dataprep/tokens/encodings.py.

For each encoding it writes `<name>.tiktoken` (the official ranks file), `<name>.ranks` (the same ranks packed
for a fast start, dataprep/tokens/packed_ranks.py; unpacked again and compared before it is written) and
`<name>.json` (name, both SHA-256s, regex pattern, special tokens, provenance). The regex pattern and special tokens are taken from the installed
Python tiktoken's own definitions, so dataprep splits text exactly as `tiktoken.get_encoding(name)` does; the
npm package's (JavaScript-flavoured, equivalent) pattern is kept in the metadata for reference.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dataprep.tokens.packed_ranks import pack, unpack

# The hashes tiktoken itself checks after downloading (tiktoken_ext/openai_public.py).
OFFICIAL_SHA256 = {
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
}
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "dataprep" / "encodings"


class BuildError(Exception):
    pass


def iter_rank_lines(bpe_ranks: str) -> Iterator[bytes]:
    """Yield `tok rank\\n` lines from the npm `bpe_ranks` text, checking ranks only ever grow."""
    next_rank = 0
    for line_no, line in enumerate(bpe_ranks.split("\n"), start=1):
        if not line.strip():
            continue
        fields = line.split(" ")
        if len(fields) < 2 or fields[0] != "!" or not fields[1].isdigit():
            raise BuildError(f"bpe_ranks line {line_no}: expected '! OFFSET tok ...', got {line[:40]!r}")
        offset = int(fields[1])
        if offset < next_rank:
            raise BuildError(f"bpe_ranks line {line_no}: offset {offset} goes back below rank {next_rank}")
        for index, token in enumerate(fields[2:]):
            try:
                base64.b64decode(token, validate=True)
            except binascii.Error as exc:
                raise BuildError(f"bpe_ranks line {line_no}: token {index} is not base64: {token!r}") from exc
            yield f"{token} {offset + index}\n".encode("ascii")
        next_rank = offset + len(fields) - 2


def python_definition(name: str, ranks_file: bytes) -> dict[str, Any]:
    """The pattern and special tokens Python tiktoken uses for `name`, without any download.

    tiktoken_ext.openai_public builds each encoding by calling `load_tiktoken_bpe(url, expected_hash=...)`;
    swapping that one function for a parser of the file we just rebuilt gives its definition offline.
    """
    from tiktoken_ext import openai_public  # type: ignore[import-untyped, unused-ignore]

    def offline_loader(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        if expected_hash is not None and hashlib.sha256(ranks_file).hexdigest() != expected_hash:
            raise BuildError(f"{name}: Python tiktoken expects SHA-256 {expected_hash}")
        return parse_tiktoken(ranks_file)

    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = offline_loader
    try:
        definition: dict[str, Any] = openai_public.ENCODING_CONSTRUCTORS[name]()
    finally:
        openai_public.load_tiktoken_bpe = original
    return definition


def parse_tiktoken(ranks_file: bytes) -> dict[bytes, int]:
    """`<base64 token> <rank>` lines, parsed one by one (slow and plain: the reference the packed form is
    checked against)."""
    return {base64.b64decode(tok): int(rank) for tok, rank in (ln.split() for ln in ranks_file.splitlines())}


def packed_form(name: str, ranks_file: bytes) -> bytes:
    """The `.ranks` file of a verified `.tiktoken` file, unpacked again and compared before it is returned."""
    ranks = parse_tiktoken(ranks_file)
    digest = hashlib.sha256(ranks_file).hexdigest()
    try:
        packed = pack(ranks, digest)
        back = unpack(packed)
    except ValueError as exc:
        raise BuildError(f"{name}: cannot pack the ranks ({exc})") from exc
    if back.ranks != ranks or back.source_sha256 != digest:
        raise BuildError(f"{name}: the packed ranks do not unpack to the .tiktoken file's ranks")
    return packed


def write_atomically(target: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the files ship in the package and must be readable
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def build_one(package_dir: Path, name: str, out_dir: Path) -> str:
    source = package_dir / "encoders" / f"{name}.json"
    try:
        npm: Mapping[str, Any] = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{source}: cannot read the npm encoder file ({exc})") from exc
    ranks_file = b"".join(iter_rank_lines(str(npm["bpe_ranks"])))
    digest = hashlib.sha256(ranks_file).hexdigest()
    if digest != OFFICIAL_SHA256[name]:
        raise BuildError(f"{name}: rebuilt file has SHA-256 {digest}, expected {OFFICIAL_SHA256[name]}")

    definition = python_definition(name, ranks_file)
    if definition["special_tokens"] != npm["special_tokens"]:
        raise BuildError(f"{name}: special tokens differ between the npm package and Python tiktoken")

    packed = packed_form(name, ranks_file)
    version = package_version(package_dir)
    metadata = {
        "name": name,
        "sha256": digest,
        "packed_sha256": hashlib.sha256(packed).hexdigest(),
        "pat_str": definition["pat_str"],
        "special_tokens": definition["special_tokens"],
        "source": f"npm tiktoken {version}, encoders/{name}.json (bpe_ranks rebuilt to the official .tiktoken file)",
        "pat_str_source": "Python tiktoken_ext.openai_public",
        "npm_pat_str": npm["pat_str"],
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    write_atomically(out_dir / f"{name}.tiktoken", ranks_file)
    write_atomically(out_dir / f"{name}.ranks", packed)
    write_metadata(out_dir / f"{name}.json", metadata)
    return digest


def repack_one(name: str, out_dir: Path) -> str:
    """Rewrite `<name>.ranks` (and its SHA-256 in `<name>.json`) from the vendored, verified `.tiktoken` file."""
    source = out_dir / f"{name}.tiktoken"
    meta_path = out_dir / f"{name}.json"
    try:
        ranks_file = source.read_bytes()
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{name}: cannot read the vendored files ({exc})") from exc
    digest = hashlib.sha256(ranks_file).hexdigest()
    if digest != OFFICIAL_SHA256[name]:
        raise BuildError(f"{source}: SHA-256 {digest}, expected {OFFICIAL_SHA256[name]}")
    packed = packed_form(name, ranks_file)
    packed_digest = hashlib.sha256(packed).hexdigest()
    keys = list(metadata)
    metadata["packed_sha256"] = packed_digest
    if "packed_sha256" not in keys:  # keep the order the full build writes: right after "sha256"
        after = keys.index("sha256") + 1
        order = [*keys[:after], "packed_sha256", *keys[after:]]
        metadata = {key: metadata[key] for key in order}
    write_atomically(out_dir / f"{name}.ranks", packed)
    write_metadata(meta_path, metadata)
    return packed_digest


def write_metadata(target: Path, metadata: Mapping[str, Any]) -> None:
    write_atomically(target, (json.dumps(metadata, indent=2, ensure_ascii=False) + "\n").encode())


def package_version(package_dir: Path) -> str:
    try:
        return str(json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError):
        return "(unknown version)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "package_dir",
        type=Path,
        nargs="?",
        help="unpacked npm package `tiktoken` (the folder with encoders/); not with --repack",
    )
    parser.add_argument(
        "--repack",
        action="store_true",
        help="only rewrite the .ranks files from the .tiktoken files already in --out (verified first)",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument(
        "--name", action="append", choices=sorted(OFFICIAL_SHA256), help="encoding (default: all)"
    )
    args = parser.parse_args(argv)
    if (args.package_dir is None) != args.repack:
        parser.error("give the npm package folder, or --repack (not both)")
    try:
        for name in args.name or sorted(OFFICIAL_SHA256):
            if args.repack:
                packed = repack_one(name, args.out)
                print(f"{name}: wrote {args.out / (name + '.ranks')} (packed SHA-256 {packed}, verified)")
                continue
            digest = build_one(args.package_dir, name, args.out)
            packed = hashlib.sha256((args.out / f"{name}.ranks").read_bytes()).hexdigest()
            print(f"{name}: wrote {args.out / (name + '.tiktoken')} (SHA-256 {digest}, verified)")
            print(f"{name}: wrote {args.out / (name + '.ranks')} (packed SHA-256 {packed}, verified)")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
