"""Evidence for the HTML report: the text each shown finding points at, a sample of examples per file, and
the cost of the training files on every model that fits their kind.

A Report holds figures, not text; a page people read shows what a finding is about. After validation the
files are read once more, keeping only the lines the page shows (a bounded number, whatever the file's size).
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import orjson

from dataprep.config import Config
from dataprep.cost import CostEstimate, estimate_cost
from dataprep.io.jsonl import FileFacts, iter_lines, open_input
from dataprep.models import ModelInfo, load_models
from dataprep.report.model import Evidence, Report
from dataprep.tokens import TokenizerSpec
from dataprep.types import Finding

SNIPPET_CHARS = 240
SAMPLE_CHARS = 600
SAMPLES_PER_FILE = 5
LOCATIONS_PER_RULE = 20
DUPLICATE_PREFIX = "DP4"


def models_for_kind(kind: str, table: Mapping[str, ModelInfo] | None = None) -> list[ModelInfo]:
    """Models of the table with a per-token training price that are fine-tuned on records of `kind` (the
    table's `trains`). Open-weight models have no per-token price: their figure is the compute estimate."""
    rows = (table if table is not None else load_models()).values()
    return [m for m in rows if m.price_per_1m is not None and m.open_weights is None and m.fits(kind)]


def gather_evidence(
    report: Report,
    *,
    config: Config | None = None,
    costs: bool = True,
    locations_per_rule: int = LOCATIONS_PER_RULE,
    samples_per_file: int = SAMPLES_PER_FILE,
) -> Evidence:
    """Read back what the HTML report shows. `config` is the one validation ran with (epochs, jobs, kind)."""
    wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for finding in shown_findings(report.findings, locations_per_rule):
        wanted[finding.location.path][finding.location.line].add(finding.location.json_path)
        for related in finding.related:
            wanted[related.path][related.line].add("")
    sample_lines: dict[str, list[int]] = {}
    for file in report.files:
        sample_lines[file.path] = spread(file.lines, samples_per_file)
        for line in sample_lines[file.path]:
            wanted[file.path].setdefault(line, set())  # read for the sample
    snippets: dict[tuple[str, int, str], str] = {}
    samples: dict[str, tuple[tuple[int, str], ...]] = {}
    for path, lines in wanted.items():
        if not Path(path).is_file():
            continue  # records held in memory: nothing to read back
        texts = _read_lines(path, set(lines))
        for line, paths in lines.items():
            if line in texts:
                for json_path in paths:
                    snippets[(path, line, json_path)] = snippet_of(texts[line], json_path)
        if path in sample_lines:
            samples[path] = tuple(
                (line, shorten(texts[line], SAMPLE_CHARS)) for line in sample_lines[path] if line in texts
            )
    table = cost_table(report, config or Config()) if costs else ()
    return Evidence(snippets, samples, table, locations_per_rule)


def shown_findings(findings: Iterable[Finding], per_rule: int) -> list[Finding]:
    """The first `per_rule` findings of each code: the ones the page shows with their text."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for finding in findings:
        if seen[finding.code] < per_rule:
            seen[finding.code] += 1
            out.append(finding)
    return out


def spread(lines: int, count: int) -> list[int]:
    """`count` line numbers spread evenly over 1..lines, the first line included."""
    if lines <= 0 or count <= 0:
        return []
    if lines <= count:
        return list(range(1, lines + 1))
    return sorted({1 + (lines - 1) * i // (count - 1) for i in range(count)} if count > 1 else {1})


def _read_lines(path: str, numbers: set[int]) -> dict[int, bytes]:
    """The given lines of a file, in one pass that stops after the last of them."""
    last = max(numbers, default=0)
    out: dict[int, bytes] = {}
    with open_input(path) as handle:
        for raw in iter_lines(handle, FileFacts()):
            if raw.number in numbers:
                out[raw.number] = raw.data
            if raw.number >= last:
                break
    return out


_PATH_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")


def value_at(record: Any, json_path: str) -> Any:
    """The value at a JSON path such as `messages[3].content`; KeyError when the record has none there."""
    value = record
    for match in _PATH_STEP.finditer(json_path):
        key, index = match.group(1), match.group(2)
        try:
            value = value[int(index)] if index is not None else value[key]
        except (IndexError, KeyError, TypeError):
            raise KeyError(json_path) from None
    return value


def snippet_of(data: bytes, json_path: str = "") -> str:
    """What a finding points at, as short text: the value at its JSON path, else the whole line."""
    if json_path:
        try:
            value = value_at(orjson.loads(data), json_path)
        except (orjson.JSONDecodeError, KeyError, RecursionError):
            pass
        else:
            text = value if isinstance(value, str) else orjson.dumps(value).decode()
            return shorten(text, SNIPPET_CHARS)
    return shorten(data, SNIPPET_CHARS)


def shorten(text: str | bytes, limit: int) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def cost_table(report: Report, config: Config) -> tuple[CostEstimate, ...]:
    """The training files' cost on every priced model that fits their kind, each counted with its own
    tokenizer: the run's own per-example totals for the models that share its tokenizer, one counting pass
    for each other tokenizer; the uncapped totals are then billed under each model's own limit."""
    from dataprep.validation.run import billing_totals, schema_error_codes  # only when a table is asked for

    train = [f for f in report.files if f.role == "train"]
    if not train or report.cost is None or not all(Path(f.path).is_file() for f in train):
        return (report.cost,) if report.cost is not None else ()
    kind = train[0].kind
    rows: dict[str, CostEstimate] = {report.model.id: report.cost}
    totals_by_tokenizer: dict[TokenizerSpec, Sequence[int | tuple[int, int]]] = {}
    if report.billed_totals is not None:
        totals_by_tokenizer[report.model.tokenizer_spec] = report.billed_totals
    # Counting only: the user's encoding, limit and price were for the chosen model alone. The only rules
    # that run are the schema errors that leave a record out of the cost (as in the run the report comes from),
    # so every row bills the same examples as the report's own cost.
    uncounted = tuple(sorted(schema_error_codes(config.selection())))
    quiet = dataclasses.replace(
        config,
        select=uncounted or ("DP",),
        ignore=() if uncounted else ("DP",),
        kind=kind,
        model=None,
        tokenizer_encoding=None,
        max_tokens=None,
        price_per_1m=None,
        models={},
        method=None,  # no compute estimate: the table is about per-token prices
        gpu=None,
    )
    for model in models_for_kind(kind):
        if model.id in rows:
            continue
        totals = totals_by_tokenizer.get(model.tokenizer_spec)
        if totals is None:
            totals = totals_by_tokenizer[model.tokenizer_spec] = billing_totals(
                [f.path for f in train], model=model.id, config=quiet
            )
        if totals:
            rows[model.id] = estimate_cost(totals, model, epochs=config.epochs)
    return tuple(rows.values())
