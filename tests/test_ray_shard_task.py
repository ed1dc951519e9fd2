"""What a Ray task does with a shard, run in this process (Ray itself is not needed): the shard's lines are
checked by the same block checker, numbered from 1 within the shard, and its digests kept as a part."""

from __future__ import annotations

from pathlib import Path

import orjson

from dataprep.io.jsonl import FileFacts, plan_cuts
from dataprep.models import resolve_model
from dataprep.rules.registry import RULES_BY_CODE, enabled_record_checks
from dataprep.types import Kind
from dataprep.validation.ray_executor import _check_shard, _merge_facts
from dataprep.validation.record import CheckSettings


def test_a_shard_task_numbers_from_one_and_keeps_its_digests(tmp_path: Path) -> None:
    rows = [
        {"messages": [{"role": "user", "content": f"q {i}"}, {"role": "assistant", "content": f"a {i}"}]}
        for i in range(40)
    ]
    lines = [orjson.dumps(r) for r in rows]
    lines[25] = b"{not json"
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    model = resolve_model(None)
    settings = CheckSettings(
        kind=Kind.CHAT,
        tokenizer=model.tokenizer_spec,
        context_limit=model.max_tokens,
        model_id=model.id,
        record_checks=enabled_record_checks(list(RULES_BY_CODE)),
        digests=True,
        near_duplicates=True,
    )
    shards = plan_cuts(path, 2)
    assert len(shards) == 2
    (first, first_facts), first_part = _check_shard(str(path), shards[0], None, settings)
    (second, second_facts), second_part = _check_shard(str(path), shards[1], None, settings)
    assert first_facts.lines + second_facts.lines == 40
    assert second_facts.crlf_line == 1  # numbered within the shard
    assert first.digests == [] and len(first.example_lines) == 0  # the digests stay in the part
    assert first_part is not None and second_part is not None
    assert len(first_part) + len(second_part) == 39
    assert second_part.lines[0] == 1 and second_part.sigs.shape[1] == 128
    bad = [(line + first_facts.lines, p.code) for line, p in second.problems if p.code.startswith("DP0")]
    assert (26, "DP002") in bad
    merged = FileFacts()
    _merge_facts(merged, first_facts, first=True)
    second_facts.lines += first_facts.lines  # as the executor shifts it
    _merge_facts(merged, second_facts, first=False)
    assert (merged.lines, merged.crlf_line, merged.size_bytes) == (40, 1, path.stat().st_size)
