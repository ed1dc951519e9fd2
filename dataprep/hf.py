"""Load validated chat JSONL as a Hugging Face `datasets.Dataset` (rows of a Dataset: dataprep.io.hf_rows).

`datasets` is imported only here and only when called: the validate path never pays for it.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from dataprep.errors import InputError
from dataprep.io.jsonl import FileFacts, iter_lines, open_input


def to_dataset(path: str | os.PathLike[str], *, check: bool = True, **validate_options: Any) -> Any:
    """Load a chat JSONL file as a `datasets.Dataset`, after validating it unless `check=False`.

    Built like convert's `--output-format hf`: `tools` is JSON text, and no message gains keys it did not have
    beyond the nulls Arrow needs for one struct type (`dataprep.validate(dataset)` reads it back as the records).

    Raises InputError naming the first error when validation fails, so a training script stops before
    it starts. `validate_options` go to `dataprep.validate` (model, ignore, ...).
    """
    from dataprep.io.extras import require

    require(["hf"])  # before the file is read
    if check:
        from dataprep.validation.run import validate

        report = validate(path, **validate_options)
        if not report.ok:
            first = next(f for f in report.findings if f.severity.value == "error")
            raise InputError(f"{path}: {report.errors} error(s) found, the first: {first.format()}")
    records = []
    with open_input(path) as handle:
        for raw in iter_lines(handle, FileFacts()):
            if raw.data.strip():
                try:
                    records.append(orjson.loads(raw.data))
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{raw.number}: malformed JSON ({exc.msg})") from exc
    from dataprep.io.arrow_records import build_dataset  # tools as JSON text, no nulls Arrow would invent

    return build_dataset(records)[0]
