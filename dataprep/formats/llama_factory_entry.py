"""LLaMA-Factory's `dataset_info.json` entries: how the records of one dataset are laid out (`formatting`,
`columns`, `tags`, `ranking`), checked as LLaMA-Factory's data/README.md describes them, and the entry a record's
own keys suggest when no dataset_info.json is given."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dataprep.formats.base import Refusal, require_dict, require_str

_ALPACA = {"prompt": "instruction", "query": "input", "response": "output"}
_SHAREGPT_TAGS = {
    "role_tag": "from",
    "content_tag": "value",
    "user_tag": "human",
    "assistant_tag": "gpt",
    "observation_tag": "observation",
    "function_tag": "function_call",
    "system_tag": "system",
}
_OPENAI_TAGS = {
    **_SHAREGPT_TAGS,
    "role_tag": "role",
    "content_tag": "content",
    "user_tag": "user",
    "assistant_tag": "assistant",
    "observation_tag": "tool",
}
COLUMN_KEYS = {
    "prompt",
    "query",
    "response",
    "history",
    "messages",
    "system",
    "tools",
    "images",
    "videos",
    "audios",
    "chosen",
    "rejected",
    "kto_tag",
}
_ENTRY_KEYS = {
    "file_name",
    "formatting",
    "ranking",
    "columns",
    "tags",
    "subset",
    "split",
    "folder",
    "num_samples",
    "hf_hub_url",
    "ms_hub_url",
    "script_url",
    "om_hub_url",
    "cloud_file_name",
}


@dataclass(frozen=True, slots=True)
class Entry:
    """A dataset_info.json entry: how to read the records of one dataset."""

    formatting: str = "alpaca"  # alpaca | sharegpt (openai: sharegpt with role/content tags)
    ranking: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    file_name: str | None = None

    def column(self, name: str) -> str | None:
        if name in self.columns:
            return self.columns[name]
        if self.formatting == "alpaca":
            return _ALPACA.get(name)
        return "conversations" if name == "messages" else None

    def tag(self, name: str) -> str:
        return self.tags.get(name, _SHAREGPT_TAGS[name])


def parse_entry(value: Any, name: str) -> Entry:
    """One entry of dataset_info.json, checked: a wrong key or type is an error naming it."""
    entry = require_dict(value, (name,), f"entry {name!r}")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise Refusal((name, key), f"not a dataset_info.json key ({', '.join(sorted(_ENTRY_KEYS))})")
    formatting = entry.get("formatting", "alpaca")
    if formatting not in ("alpaca", "sharegpt", "openai"):
        raise Refusal(
            (name, "formatting"), f"formatting must be alpaca, sharegpt or openai, not {formatting!r}"
        )
    ranking = entry.get("ranking", False)
    if not isinstance(ranking, bool):
        raise Refusal((name, "ranking"), "ranking is true or false")
    columns = require_dict(entry.get("columns", {}), (name, "columns"), "columns")
    tags = require_dict(entry.get("tags", {}), (name, "tags"), "tags")
    for key, column in columns.items():
        if key not in COLUMN_KEYS:
            raise Refusal((name, "columns", key), f"not a column key ({', '.join(sorted(COLUMN_KEYS))})")
        require_str(column, (name, "columns", key), "a column name")
    for key, tag in tags.items():
        if key not in _SHAREGPT_TAGS:
            raise Refusal((name, "tags", key), f"not a tag key ({', '.join(sorted(_SHAREGPT_TAGS))})")
        require_str(tag, (name, "tags", key), "a tag")
    if formatting == "openai":
        formatting, tags = "sharegpt", {**_OPENAI_TAGS, **tags}
        columns = {"messages": "messages", **columns}
    file_name = entry.get("file_name")
    if file_name is None:
        raise Refusal((name, "file_name"), "dataprep reads local files: the entry needs file_name")
    return Entry(
        formatting,
        ranking,
        dict(columns),
        dict(tags),
        require_str(file_name, (name, "file_name"), "file_name"),
    )


def guess_entry(record: dict[str, Any]) -> Entry:
    """The entry a record's own keys suggest, for a file given without dataset_info.json."""
    columns: dict[str, str] = {
        key: key
        for key in ("system", "history", "tools", "images", "chosen", "rejected", "kto_tag")
        if key in record
    }
    ranking = "chosen" in record and "rejected" in record
    if isinstance(record.get("conversations"), list):
        return Entry("sharegpt", ranking, columns)
    if isinstance(record.get("messages"), list):
        return Entry("sharegpt", ranking, {"messages": "messages", **columns}, dict(_OPENAI_TAGS))
    return Entry("alpaca", ranking, columns)
