"""The pre-commit case stays light: `dataprep validate` on a small file, run in-process through the CLI, loads
none of the heavy stacks it does not use (conversion, HTML report, Arrow, datasets, pandas, jinja2, HF
tokenizers; numpy, whose duplicate search a small input does in plain Python; the process pool; renderers of
other formats; atomic-output helpers), and `import dataprep.cli` alone loads no command's module. Each check runs in a fresh interpreter,
so what earlier tests imported cannot hide a regression."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HEAVY = (
    "ray",
    "dataprep.validation.ray_executor",
    "dataprep.dedup.distributed",
    "pyarrow",
    "datasets",
    "pandas",
    "jinja2",
    "tokenizers",
    "openpyxl",
    "yaml",
    "dataprep.conversion",
    "dataprep.report.html",
    "dataprep.validation.evidence",
    "dataprep.splitting",
    "dataprep.hf",
    "dataprep.tokens.render",
    # numpy costs ~40 ms to load: a small input's signatures and findings are made in plain Python
    "numpy",
    "dataprep.dedup.minhash",
    "dataprep.dedup.findings",
    "dataprep.dedup.lsh",
    # the pool's machinery: a small file is checked in-process
    "multiprocessing",
    "concurrent.futures.process",
    # renderers of other formats (JUnit's XML library) and the writers of --html and convert
    "dataprep.report.junit",
    "dataprep.report.sarif",
    "xml.etree.ElementTree",
    "dataprep.io.atomic",
    "tempfile",
    # the compute estimate's module and GPU table (no --method, --gpu): --gpu's help reads the table when shown
    "dataprep.compute",
    # the target profiles (no --target), the open-weight table (an API model), packing (no --packing), Arrow's
    # record decoding (a path, not a Dataset)
    "dataprep.targets",
    "dataprep.open_models",
    "dataprep.packing",
    "dataprep.io.hf_rows",
    "dataprep.io.arrow_records",
)


def _loaded_after(code: str) -> tuple[set[str], str]:
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    *_, last = result.stdout.strip().splitlines()
    return set(json.loads(last)), result.stdout


def _chat_file(tmp_path: Path, lines: int = 100) -> Path:
    path = tmp_path / "train.jsonl"
    rows = []
    for i in range(lines):
        rows.append(
            {
                "messages": [
                    {"role": "system", "content": "You answer questions about cooking, briefly."},
                    {"role": "user", "content": f"How long do I boil egg number {i} for a soft yolk? 鸡蛋"},
                    {
                        "role": "assistant",
                        "content": f"About {6 + i % 3} minutes from boiling water, then cold water.",
                    },
                ]
            }
        )
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_importing_the_cli_loads_no_command() -> None:
    loaded, _ = _loaded_after("import dataprep.cli")
    commands = {m for m in loaded if m.startswith("dataprep.cli.") and m.endswith("_cmd")}
    assert commands == set()
    assert not {"numpy", "dataprep.validation.run", "dataprep.conversion"} & loaded


def test_validating_a_small_file_loads_no_heavy_stack(tmp_path: Path) -> None:
    path = _chat_file(tmp_path)
    loaded, stdout = _loaded_after(
        f"from dataprep.cli import main\ncode = main(['validate', {str(path)!r}, '--format', 'json'])\n"
        "print('exit', code)"
    )
    assert "exit 0" in stdout  # it really validated (a clean file)
    assert "dataprep.validation.run" in loaded and "tiktoken" in loaded
    assert "dataprep.dedup.small_minhash" in loaded and "dataprep.dedup.small_findings" in loaded
    assert [m for m in HEAVY if m in loaded] == []


def test_the_public_api_resolves_lazily() -> None:
    loaded, stdout = _loaded_after("import dataprep\nprint(dataprep.validate.__module__)")
    assert "dataprep.validation.run" in stdout
    assert "dataprep.conversion" not in loaded  # validate alone does not pull convert in
    loaded, _ = _loaded_after("import dataprep")
    assert not {"dataprep.validation.run", "dataprep.compute", "tiktoken"} & loaded
