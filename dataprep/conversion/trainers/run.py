"""`export_for_trainer`: dataprep's JSONL (chat, preference or KTO) -> one folder a trainer loads as it is: the data
in the trainer's shape and the configuration that loads it.

The folder is built beside its final place and renamed in when complete (a failed run leaves nothing); an existing
folder is replaced only with `force` and only when an earlier export wrote it; a folder holding an input is never
replaced. Every record is written, or the export stops naming each record the trainer could not take as it is.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from dataprep._version import __version__
from dataprep.conversion.checks import validate_outputs, validation_config
from dataprep.conversion.export import replace_dir
from dataprep.conversion.files import kto_as_chat
from dataprep.conversion.trainers.configs import CONFIGS, DATA_DIR, ConfigFile, DataFacts, TrainerOptions
from dataprep.conversion.trainers.records import file_kind, iter_examples
from dataprep.conversion.trainers.shapes import SHAPES, TRAINERS, UNSUPPORTED, ImageSink, NotExpressible
from dataprep.conversion.trainers.yaml_text import dump
from dataprep.errors import InputError, OutputError, UsageError
from dataprep.report.model import Report
from dataprep.rules.duplicates import CONFLICT

if TYPE_CHECKING:
    from dataprep.config import Config

MANIFEST = "dataprep-export.json"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_SHOWN_PROBLEMS = 10


@dataclass
class ExportReport:
    trainer: str
    kind: str
    output: str
    data_files: dict[str, int] = field(default_factory=dict)  # path -> examples
    config_files: list[str] = field(default_factory=list)
    run: str = ""
    notes: list[str] = field(default_factory=list)
    validation: Report | None = None  # the input checked with the trainer's target profile (when asked)

    @property
    def ok(self) -> bool:
        return self.validation is None or self.validation.ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "trainer": self.trainer,
            "kind": self.kind,
            "output": self.output,
            "data_files": dict(self.data_files),
            "config_files": list(self.config_files),
            "run": self.run,
            "notes": list(self.notes),
            "validation": self.validation.to_dict() if self.validation is not None else None,
        }

    def format_text(self) -> str:
        lines = [f"exported {self.kind} records for {self.trainer} to {self.output}"]
        lines += [f"  data   {path} ({count} examples)" for path, count in self.data_files.items()]
        lines += [f"  config {path}" for path in self.config_files]
        if self.run:
            lines.append(f"train: cd {self.output} && {self.run}")
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def export_for_trainer(
    train: str | os.PathLike[str],
    output: str | os.PathLike[str],
    trainer: str,
    *,
    validation: str | os.PathLike[str] | None = None,
    options: TrainerOptions | None = None,
    force: bool = False,
    validate: bool = True,
    model: str | None = None,
    config: Config | str | os.PathLike[str] | None = None,
) -> ExportReport:
    """Write `train` (and `validation`) for `trainer` (trl, axolotl, llama-factory, autotrain) into the folder
    `output`: the data in the trainer's shape plus its configuration. Raises InputError naming every record the
    trainer cannot take as the data says, before anything is written. With `validate`, the input is also checked
    as `dataprep validate --target TRAINER` checks it (`model`, `config` as there): `report.validation`, and
    `report.ok` is False when it found errors (the folder is written all the same, as convert writes its output)."""
    if trainer not in TRAINERS:
        raise UsageError(f"unknown trainer {trainer!r} (known: {', '.join(TRAINERS)})")
    options = options or TrainerOptions()
    if not _NAME.match(options.name):
        raise UsageError(
            f"--name {options.name!r}: use letters, digits, '_', '-' or '.' (it names files and keys)"
        )
    out = Path(output)
    inputs = [Path(train), *([Path(validation)] if validation is not None else [])]
    _check_output(out, inputs, force)
    kinds = [file_kind(path) for path in inputs]
    if len(kinds) == 2 and kinds[0] != kinds[1]:
        raise InputError(f"{inputs[1]}: {kinds[1]} records, but {inputs[0]} holds {kinds[0]} records")
    kind = kinds[0]
    if (trainer, kind) in UNSUPPORTED:
        raise InputError(f"{inputs[0]}: {kind} records: {UNSUPPORTED[(trainer, kind)]}")
    settings = validation_config(config, model=model, target=trainer) if validate else None
    report = ExportReport(trainer, kind, str(out))
    data_dir = "" if trainer == "llama-factory" else f"{DATA_DIR}/"
    names = [f"{data_dir}train.jsonl", f"{data_dir}validation.jsonl"]
    with _staged_dir(out) as staging:
        # One pass: records are shaped and written as they are read; a refusal anywhere discards the staging.
        images = ImageSink(staging)
        facts = _Facts()
        for name, path in zip(names, inputs, strict=False):
            report.data_files[str(out / name)] = _write_shaped(path, staging / name, trainer, images, facts)
        data = facts.done(kind, validation=len(inputs) == 2, images=bool(images.files))
        config_files = [make(data, options) for make in CONFIGS[trainer]]
        for written in config_files:
            (staging / written.name).write_text(_render(written), encoding="utf-8")
            report.config_files.append(str(out / written.name))
        (staging / MANIFEST).write_bytes(
            orjson.dumps(_manifest(trainer, kind, inputs, report), option=orjson.OPT_INDENT_2)
        )
        if settings is not None:
            report.validation = _validate(inputs, kind, staging, settings)
        replace_dir(staging, out)
    report.run = next((c.run for c in config_files if c.run), "")
    if images.files:
        report.notes.append(f"{len(images.files)} images from data URLs written to {out / 'images'}")
    if not options.base_model:
        report.notes.append("no --base-model: set the model to fine-tune in the config before training")
    return report


def _validate(inputs: list[Path], kind: str, staging: Path, settings: Config) -> Report:
    """The validator's Report on the inputs, KTO records read as chat (validate knows no KTO records)."""
    paths = list(inputs)
    labels = (str(paths[0]), str(paths[1]) if len(paths) > 1 else None)
    if kind == "kto":
        paths = [kto_as_chat(path, staging / f".chat-view-{i}.jsonl") for i, path in enumerate(paths)]
        labels = (f"{labels[0]} (KTO read as chat)", labels[1] and f"{labels[1]} (KTO read as chat)")
        settings = settings.with_overrides("KTO records", ignore=(*settings.ignore, CONFLICT))
    result = validate_outputs(paths[0], paths[1] if len(paths) > 1 else None, labels=labels, config=settings)
    for path in paths:
        if path.parent == staging:
            path.unlink()
    return result


def _check_output(out: Path, inputs: list[Path], force: bool) -> None:
    target = out.resolve()
    for path in inputs:
        if path.resolve() == target or target in path.resolve().parents:
            raise OutputError(f"{out}: holds the input {path}; refusing to write over it")
    if not out.exists():
        return
    if not force:
        raise OutputError(f"{out}: already exists (use --force to replace an earlier export)")
    if not out.is_dir() or not (out / MANIFEST).is_file():
        raise OutputError(
            f"{out}: exists and is not a folder `dataprep export` wrote; refusing to replace it"
        )


def _write_shaped(source: Path, target: Path, trainer: str, images: ImageSink, facts: _Facts) -> int:
    """Shape and write every record of `source`; InputError listing the records the trainer cannot take."""
    problems: list[str] = []
    count = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as handle:
        for example in iter_examples(source):
            count += 1
            try:
                shaped = SHAPES[(trainer, example.kind)](example.record, images)
            except NotExpressible as exc:
                problems.append(f"{source}:{example.line}: {exc}")
                continue
            if not problems:  # after the first refusal nothing is kept: the lines are only checked
                handle.write(orjson.dumps(shaped, option=orjson.OPT_APPEND_NEWLINE))
                facts.see(shaped)
    if problems:
        shown = "\n  ".join(problems[:_SHOWN_PROBLEMS])
        more = (
            f"\n  ... and {len(problems) - _SHOWN_PROBLEMS} more" if len(problems) > _SHOWN_PROBLEMS else ""
        )
        raise InputError(
            f"{len(problems)} of {count} records cannot be written for {trainer} as they are "
            f"(nothing was written):\n  {shown}{more}"
        )
    return count


class _Facts:
    """What the written records hold that the configuration must mention, gathered as they are written."""

    def __init__(self) -> None:
        self.tools = self.weights = self.images = self.system = False
        self.keys: dict[str, None] = {}

    def see(self, record: dict[str, Any]) -> None:
        self.tools = self.tools or "tools" in record
        self.images = self.images or "images" in record
        self.system = self.system or "system" in record
        for message in record.get("messages", ()):
            self.weights = self.weights or "training" in message
            for key in message:
                if key not in ("role", "content", "training") and key not in self.keys:
                    self.keys[key] = None

    def done(self, kind: str, *, validation: bool, images: bool) -> DataFacts:
        return DataFacts(
            kind, validation, self.tools, self.weights, self.images or images, self.system, tuple(self.keys)
        )


def _render(config: ConfigFile) -> str:
    if config.format == "json":
        return orjson.dumps(config.document, option=orjson.OPT_INDENT_2).decode() + "\n"
    return dump(config.document, config.comments)


def _manifest(trainer: str, kind: str, inputs: list[Path], report: ExportReport) -> dict[str, Any]:
    return {
        "written_by": f"dataprep {__version__}",
        "trainer": trainer,
        "kind": kind,
        "inputs": [str(p) for p in inputs],
        "examples": {Path(p).relative_to(report.output).as_posix(): n for p, n in report.data_files.items()},
    }


@contextlib.contextmanager
def _staged_dir(out: Path) -> Any:
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.export-", dir=out.parent))
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
