"""DP815-DP816: a file in its target's own format (`--target vertex` on Vertex `contents` records, Bedrock Nova
`schemaVersion` records, TRL preference or KTO rows, LLaMA-Factory alpaca/sharegpt rows).

Each line is read by the format's reader (dataprep.formats): a record that breaks the format is DP815 at the
JSON path of the offending field; one the format allows but chat records cannot hold (a PDF part, a video) is
DP816, and only its shape was checked. Otherwise the record's chat reading goes through every other rule, and
their JSON paths are turned back into the native record's (`messages[1].content` -> `contents[0].parts[0].text`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

from dataprep.formats import FORMATS, INVALID, Native, Refusal, translate
from dataprep.rules.base import Rule
from dataprep.types import Problem, Severity

if TYPE_CHECKING:
    from dataprep.validation.record import CheckSettings

NATIVE_CODE = "DP815"
NOT_CHECKED_CODE = "DP816"


def read_native(record: dict[str, Any], settings: CheckSettings) -> tuple[Native | None, list[Problem]]:
    """The chat reading of a native record, or the problem that stops it."""
    assert settings.native is not None
    fmt = FORMATS[settings.native]
    try:
        native = fmt.to_chat(record)
    except Refusal as refusal:
        if refusal.kind == INVALID:
            problem = Problem("DP815", f"{fmt.name}: {refusal.message}", json_path=refusal.json_path)
        else:
            message = f"{fmt.name}: {refusal.message}; only the record's shape was checked"
            problem = Problem("DP816", message, json_path=refusal.json_path)
        return None, [problem]
    if isinstance(
        native.record.get("label"), bool
    ):  # a KTO label (TRL, LLaMA-Factory): not a chat key to check
        native.record = {k: v for k, v in native.record.items() if k != "label"}
    if native.kind != settings.kind.value:
        message = f"a {native.kind} record in a file of {settings.kind.value} records; not checked further"
        return None, [Problem("DP012", message)]
    return native, []


def native_paths(problems: list[Problem], native: Native) -> list[Problem]:
    """Findings on the chat reading, pointed at the native record's fields."""
    return [
        dataclasses.replace(p, json_path=translate(p.json_path, native.origins) or "") if p.json_path else p
        for p in problems
    ]


def _vertex(*contents: dict[str, Any]) -> str:
    return json.dumps({"contents": list(contents)}, ensure_ascii=False)


_USER = {"role": "user", "parts": [{"text": "Name a spice for lentils."}]}
_MODEL = {"role": "model", "parts": [{"text": "Cumin."}]}

RULES: tuple[Rule, ...] = (
    Rule(
        NATIVE_CODE,
        "target-native-format",
        Severity.ERROR,
        "a record in the target's own format breaks that format",
        "With --target vertex, bedrock-nova, trl or llama-factory, a file in that target's own record shape is\n"
        "read as the target reads it. A record the target would refuse is reported at the JSON path of the\n"
        "field: a Vertex turn whose role is not user or model, a part with two fields, a Nova message without\n"
        "a content list, a preference turn without one preferred and one non-preferred candidate.\n"
        'Bad:  {"contents": [{"role": "assistant", "parts": [{"text": "Cumin."}]}]}   (--target vertex)\n'
        'Good: {"contents": [{"role": "user", "parts": [...]}, {"role": "model", "parts": [...]}]}',
        scope="line",
        check=read_native,
        bad=(
            _vertex(_USER, {"role": "assistant", "parts": [{"text": "Cumin."}]}),
            _vertex(_USER, {"role": "model", "parts": []}),
        ),
        good=(_vertex(_USER, _MODEL),),
        options={"target": "vertex"},
    ),
    Rule(
        NOT_CHECKED_CODE,
        "native-not-checked",
        Severity.INFO,
        "a record in the target's own format holds what dataprep cannot check",
        "The record is allowed by the target's format but holds something chat records have no place for (a\n"
        "PDF or audio file part, a video block, reasoning content), so only its shape was checked, not its\n"
        "roles or tokens.\n"
        'Bad:  {"contents": [{"role": "user", "parts": [{"fileData": {"mimeType": "application/pdf", ...}}]}, ...]}\n'
        'Good: {"contents": [{"role": "user", "parts": [{"text": "..."}]}, {"role": "model", ...}]}',
        scope="line",
        check=read_native,
        bad=(
            _vertex(
                {
                    "role": "user",
                    "parts": [{"fileData": {"mimeType": "application/pdf", "fileUri": "gs://b/a.pdf"}}],
                },
                _MODEL,
            ),
        ),
        good=(_vertex(_USER, _MODEL),),
        options={"target": "vertex"},
    ),
)
