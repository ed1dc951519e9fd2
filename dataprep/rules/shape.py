"""DP013: a file that is not chat JSONL at all, said once, with the command that converts it.

A JSON array, a pretty-printed JSON object, a CSV/TSV table, Alpaca or ShareGPT JSONL, or prompt/completion
records for a model that trains on chat: checked line by line each gives one error per line (thousands of
DP002 or DP101) and no hint of the fix. The orchestrator looks at the first lines of a file (`sniff`, pure and
cheap: one block), and when they show such a shape the file gets this one finding and no other check.

The evidence must be strong: a file with any chat record among its first lines is chat JSONL with broken
lines, and keeps its per-line findings. Only a file on disk gets this finding (the command needs a path).
"""

from __future__ import annotations

import csv
import json
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

import orjson

from dataprep.formats import Refusal, detect_native, format_for_target
from dataprep.models import ModelInfo
from dataprep.rules.base import FileSummary, Rule
from dataprep.rules.model_fit import fit_message
from dataprep.types import Kind, Problem, Severity

SHAPE_CODE = "DP013"
HEAD_LINES = 32  # non-blank lines looked at
HEAD_BYTES = 256 * 1024  # text given to the JSON decoder for the first element of an array or object
_DELIMITERS = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
# Column pairs that say which is the prompt and which the answer, in order of preference.
_PAIRS = (
    ("question", "answer"),
    ("prompt", "response"),
    ("query", "response"),
    ("instruction", "response"),
    ("input", "output"),
    ("user", "assistant"),
    ("human", "gpt"),
    ("question", "response"),
    ("prompt", "answer"),
)


@dataclass(frozen=True, slots=True)
class Shape:
    """What a file is, and the shell command that makes chat JSONL of it."""

    what: str
    command: str


@dataclass(frozen=True, slots=True)
class _Records:
    """What the head's records are: a preset that converts them, and a description."""

    preset: str
    what: str


def sniff(path: str, lines: Sequence[bytes], kind: Kind, model: ModelInfo) -> Shape | None:
    """The file's shape from its first lines (BOM removed), or None when it may be chat JSONL.

    `path` is the file as the user named it (the command uses it); `model` the run's ModelInfo."""
    head = [line for line in lines if line.strip()][:HEAD_LINES]
    if not head:
        return None
    encoded = _wide_encoding(path, head) or _cr_only(path, head[0])
    if encoded is not None:
        return encoded
    parsed = [_parse(line) for line in head]
    objects = [value for value in parsed if isinstance(value, dict)]
    native = _native_shape(path, objects)
    if native is not None:
        return native
    chat = sum(1 for value in objects if "messages" in value)
    if _opens_document(head[0]) and chat * 2 < len(head):
        return _document(path, lines)
    if chat:
        return None
    first = head[0].lstrip()
    if parsed[0] is _NOT_JSON and first[:1] not in (b"[", b"{", b'"') and _majority_broken(parsed):
        return _table(path, head)
    if not objects or len(objects) * 2 < len(head):
        return None
    found = [_records_of(value) for value in objects]
    if kind is Kind.COMPLETION:
        if _trains_completion(model):
            return None
        # DP520's words: which models do take prompt/completion records (the convert command is the other way)
        what = f"prompt/completion JSON Lines, and {fit_message(model, Kind.COMPLETION.value)}"
        return Shape(what, _convert(path, "prompt-completion"))
    for preset in ("alpaca", "sharegpt"):
        matching = [r for r in found if r is not None and r.preset == preset]
        if len(matching) * 2 > len(objects):
            return Shape(f"{matching[0].what} as JSON Lines", _convert(path, preset))
    return None


_NOT_JSON = object()
_SAMPLE = 64 * 1024  # bytes of the head looked at for the encoding and line endings


def _wide_encoding(path: str, head: Sequence[bytes]) -> Shape | None:
    """UTF-16 or UTF-32 text (with or without a byte order mark): every line would be malformed JSON."""
    data = b"\n".join(head)[:_SAMPLE]
    if data[:4] in (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"):
        name = "UTF-32"
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        name = "UTF-16"
    else:
        # Text of ASCII characters in UTF-16 is half NUL bytes (UTF-32: three quarters); UTF-8 JSON has none.
        share = data.count(0) / len(data)
        if share < 0.3:
            return None
        wide = "UTF-32" if share > 0.6 else "UTF-16"
        # The NUL bytes follow each character in little-endian text, precede it in big-endian.
        name = wide + ("BE" if data[0] == 0 else "LE")
    out = shlex.quote(str(PurePath(path).with_suffix(".utf8.jsonl")))
    return Shape(
        f"{name} text, not UTF-8 (JSON Lines is UTF-8)",
        f"iconv -f {name} -t UTF-8 {shlex.quote(path)} > {out}",
    )


def _cr_only(path: str, first: bytes) -> Shape | None:
    """Lines ended by a bare CR (old Mac line endings): the whole file reads as one malformed line."""
    line = first.rstrip(b"\r\n")
    piece, cr, rest = line[:_SAMPLE].partition(b"\r")
    if not cr or not rest.strip(b"\r\n\t ") or not isinstance(_parse(piece), dict):
        return None
    if len(line) <= _SAMPLE and _parse(line) is not _NOT_JSON:
        return None  # a CR between the tokens of one record is JSON whitespace
    out = shlex.quote(str(PurePath(path).with_suffix(".lf.jsonl")))
    return Shape(
        "JSON Lines with CR line endings (a bare carriage return ends each record)",
        f"tr '\\r' '\\n' < {shlex.quote(path)} > {out}",
    )


def native_format(lines: Sequence[bytes], target: str) -> tuple[str | None, Kind]:
    """The target's own format when the file's first record (its first line that is a JSON object) is in it,
    and the kind of record it holds; (None, chat) otherwise."""
    fmt = format_for_target(target)
    if fmt is None or fmt.name == "chat":
        return None, Kind.CHAT
    for line in lines:
        if not line.strip():
            continue
        value = _parse(line)
        if not isinstance(value, dict):
            continue  # a broken line is its own finding; the first record decides
        if detect_native(value) is not fmt:
            return None, Kind.CHAT
        try:
            return fmt.name, Kind(fmt.to_chat(value).kind)
        except Refusal:
            return fmt.name, Kind.PREFERENCE if _looks_preference(value) else Kind.CHAT
    return None, Kind.CHAT


def _looks_preference(value: dict[str, Any]) -> bool:
    messages = value.get("messages")
    last = messages[-1] if isinstance(messages, list) and messages else None
    return ("chosen" in value and "rejected" in value) or (isinstance(last, dict) and "candidates" in last)


def _native_shape(path: str, objects: list[dict[str, Any]]) -> Shape | None:
    """Records in a provider's or trainer's own format (most of the head): the convert command reads them."""
    found = [detect_native(value) for value in objects]
    for fmt in {f for f in found if f is not None}:
        if sum(1 for f in found if f is fmt) * 2 > len(objects) and fmt.name != "llama-factory":
            targets = ", ".join(fmt.targets)
            what = f"{fmt.title} records (check them as they are with --target {targets})"
            return Shape(
                what, f"dataprep convert {shlex.quote(path)} --input-format {fmt.name} -o {_output(path)}"
            )
    return None


def _parse(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _majority_broken(parsed: list[Any]) -> bool:
    return sum(1 for value in parsed if value is _NOT_JSON) * 2 > len(parsed)


def _opens_document(line: bytes) -> bool:
    """A first line that only opens a JSON value, as pretty printers write it: `[`, `{` or `[{`."""
    return b"".join(line.split()) in (b"[", b"{", b"[{")


def _document(path: str, lines: Sequence[bytes]) -> Shape | None:
    """A JSON array or pretty-printed object: the shape of its first element decides the command."""
    text = b"\n".join(lines)[:HEAD_BYTES].decode("utf-8", errors="replace").lstrip()
    decoder = json.JSONDecoder()
    fmt = "" if PurePath(path).suffix.lower() == ".json" else " --input-format json"
    if text.startswith("["):
        start = len(text) - len(text[1:].lstrip())
        try:
            element, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            element = None
        records = _records_of(element) if isinstance(element, dict) else None
        if records is None:
            return Shape("a JSON array of records", _convert(path, "chat", fmt))
        return Shape(f"a JSON array of {records.what}", _convert(path, records.preset, fmt))
    try:
        value, end = decoder.raw_decode(text)
    except json.JSONDecodeError:
        return Shape("a pretty-printed JSON document", _compact(path, ".", "chat"))
    if not isinstance(value, dict):
        return None
    more = text[end:].strip()
    lists = [k for k, v in value.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    if not more and lists and "messages" not in value and "conversations" not in value:
        key = lists[0]
        records = _records_of(value[key][0]) or _Records("chat", "records")
        what = f"one JSON object holding a list of {records.what} under {key!r}"
        return Shape(what, _convert(path, records.preset, f"{fmt} --json-key {shlex.quote(key)}"))
    records = _records_of(value) or _Records("chat", "records")
    what = f"pretty-printed JSON ({records.what} written over several lines; JSON Lines needs one per line)"
    return Shape(what, _compact(path, ".", records.preset))


def _records_of(value: dict[str, Any] | None) -> _Records | None:
    if value is None:
        return None
    if isinstance(value.get("messages"), list):
        return _Records("chat", "chat records")
    conversations = value.get("conversations")
    if isinstance(conversations, list) and all(isinstance(t, dict) and "from" in t for t in conversations):
        return _Records("sharegpt", "ShareGPT records (conversations of from/value turns)")
    if "instruction" in value and "output" in value:
        return _Records("alpaca", "Alpaca records (instruction, input, output)")
    if "prompt" in value and "completion" in value:
        return _Records("prompt-completion", "prompt/completion records")
    return None


def _table(path: str, head: list[bytes]) -> Shape | None:
    """A CSV/TSV table: the delimiter the header and the next lines agree on, and a mapping of its columns."""
    text = [line.decode("utf-8", errors="replace").lstrip("\ufeff") for line in head]
    best = None
    for delimiter in _DELIMITERS:
        count = text[0].count(delimiter)
        if count and (best is None or count > text[0].count(best)):
            best = delimiter
    if best is None:
        return None
    header = [c.strip() for c in next(csv.reader([text[0]], delimiter=best))]
    if len(header) < 2 or any(not c or "{" in c or "}" in c for c in header):
        return None
    suffix = PurePath(path).suffix.lower()
    options = []
    if suffix not in (".csv", ".tsv"):
        options.append("--input-format " + ("tsv" if best == "\t" else "csv"))
    default = "\t" if suffix == ".tsv" or (suffix != ".csv" and best == "\t") else ","
    if best != default:
        options.append("--delimiter " + ("tab" if best == "\t" else shlex.quote(best)))
    name = "TSV" if best == "\t" else "CSV"
    columns = ", ".join(header[:8]) + (f" and {len(header) - 8} more" if len(header) > 8 else "")
    what = f"a {name} table (columns {columns})"
    extra = "".join(f" {o}" for o in options)
    present = set(header)
    if {"title", "ingredients", "NER"} <= present:
        return Shape(what, _convert(path, "recipe", extra))
    if {"instruction", "output"} <= present:
        return Shape(what, _convert(path, "alpaca", extra))
    if {"prompt", "completion"} <= present:
        return Shape(what, _convert(path, "prompt-completion", extra))
    lower = {c.lower(): c for c in header}
    user, assistant = next(
        ((lower[u], lower[a]) for u, a in _PAIRS if u in lower and a in lower), (header[0], header[1])
    )
    mapping = f" --user {shlex.quote('{' + user + '}')} --assistant {shlex.quote('{' + assistant + '}')}"
    return Shape(what, f"dataprep convert {shlex.quote(path)}{extra}{mapping} -o {_output(path)}")


def _convert(path: str, preset: str, extra: str = "") -> str:
    return f"dataprep convert {shlex.quote(path)}{extra} --preset {preset} -o {_output(path)}"


def _compact(path: str, selector: str, preset: str) -> str:
    """jq writes the records one per line (dataprep convert reads no JSON object); convert makes chat of them."""
    records = shlex.quote(str(PurePath(path).with_suffix(".records.jsonl")))
    jq = f"jq -c {shlex.quote(selector)} {shlex.quote(path)} > {records}"
    return f"{jq} && dataprep convert {records} --preset {preset} -o {_output(path)}"


def _output(path: str) -> str:
    return shlex.quote(str(PurePath(path).with_suffix(".chat.jsonl")))


def _trains_completion(model: ModelInfo) -> bool:
    return model.fits(Kind.COMPLETION.value)  # the model table's `trains` (DP520's source too)


def check_shape(summary: FileSummary) -> list[tuple[int, Problem]]:
    """DP013 once, at line 1, when the orchestrator found the file is not chat JSONL."""
    shape = summary.shape
    if shape is None:
        return []
    message = f"not chat JSONL: this file is {shape.what}; convert it with: {shape.command}"
    return [(1, Problem(SHAPE_CODE, message))]


_ALPACA = {"instruction": "Name a spice for lentils.", "input": "", "output": "Cumin."}
_CHAT = {
    "messages": [
        {"role": "user", "content": "Name a spice for lentils."},
        {"role": "assistant", "content": "Cumin."},
    ]
}

RULES: tuple[Rule, ...] = (
    Rule(
        SHAPE_CODE,
        "not-chat-jsonl",
        Severity.ERROR,
        "the file is not chat JSONL: a JSON array or document, a CSV/TSV table, Alpaca, ShareGPT, "
        "prompt/completion records for a chat model, or a provider's or trainer's own records",
        "Looked at from its first lines, the file is another format: a JSON array or a pretty-printed JSON\n"
        "object, a CSV/TSV table, Alpaca or ShareGPT JSON Lines, or prompt/completion records for a model\n"
        "that trains on chat. One finding names what it is and the command that converts it (`--json-key` for\n"
        "a list inside an object; a `jq -c` step first for records pretty-printed one after another); the file\n"
        "is not checked line by\n"
        "line. A file with a chat record among its first lines is chat JSONL with broken lines: not this rule.\n"
        "So is a whole-file encoding problem: UTF-16 or UTF-32 text (with or without a byte order mark), or\n"
        "records ended by bare carriage returns (old Mac line endings): one finding with the `iconv` or `tr`\n"
        "command that fixes it, instead of one malformed line after another.\n"
        "Records in a target's own format (Vertex `contents`, Bedrock Nova `schemaVersion`, TRL preference or KTO\n"
        "rows) get the `--input-format` that converts them, and the `--target` that checks them as they are.\n"
        'Bad:  [{"instruction": "Name a spice.", "input": "", "output": "Cumin."}, ...]   (train.json)\n'
        "Good: the output of `dataprep convert train.json --preset alpaca -o train.chat.jsonl`",
        scope="file",
        check=check_shape,
        bad=(json.dumps(_ALPACA),) * 3,
        good=(json.dumps(_CHAT), "{broken", json.dumps(_CHAT)),
    ),
)
