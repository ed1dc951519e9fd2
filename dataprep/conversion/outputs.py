"""Preference and KTO records from the messages a mapping built and the row's chosen/rejected or label values.

Preference pairs are written in OpenAI's DPO shape, which `dataprep validate` reads:
`{"input": {"messages": [...], "tools"?}, "preferred_output": [assistant], "non_preferred_output": [assistant]}`
(one assistant message per output). The prompt is explicit (the mapping's [[messages]]) or implicit, as TRL
defines it (huggingface.co/docs/trl/dataset_formats): chosen and rejected are whole conversations that share the
prompt, and what follows the shared start is the answer.

KTO rows are written in TRL's unpaired preference shape, conversational:
`{"prompt": [...], "completion": [assistant], "label": true|false}`; the completion is the last assistant message.

A row these shapes cannot hold as the data says (an answer of several turns, no shared prompt, a label that is not
true or false) is rejected with the reason: nothing is guessed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from dataprep.conversion.row_problem import RowProblem
from dataprep.conversion.templates import is_empty

RoleOf = Callable[[Any], str]
_TRUE = ("true", "1", "yes", "desirable")
_FALSE = ("false", "0", "no", "undesirable")


def answer_messages(value: Any, column: str, role_of: RoleOf) -> list[dict[str, Any]]:
    """A chosen/rejected value as messages: text (one assistant message), a message object ({role, content} or
    LLaMA-Factory's {from, value}), or a list of them. JSON text of a list or object (CSV) is read as such."""
    if is_empty(value):
        raise RowProblem("missing-value", f"column {column!r} is empty")
    value = maybe_json(value)
    if isinstance(value, str):
        return [{"role": "assistant", "content": value}]
    items = value if isinstance(value, list) else [value]
    return [
        _message(item, f"{column}[{i}]" if isinstance(value, list) else column, role_of)
        for i, item in enumerate(items)
    ]


def maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value  # text that merely starts with a bracket
        except RecursionError:
            raise RowProblem("bad-answer", "a value holds JSON nested too deeply to read") from None
        if isinstance(parsed, (list, dict)):
            return parsed
    return value


def _message(item: Any, where: str, role_of: RoleOf) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise RowProblem(
            "bad-answer", f"{where} must be a message object or text, found {type(item).__name__}"
        )
    if "role" in item:
        message = dict(item)
        try:
            message["role"] = role_of(item["role"])
        except RowProblem as problem:
            raise RowProblem(problem.reason, f"{where}: {problem.message}") from None
        return message
    if "from" in item and "value" in item:  # LLaMA-Factory's sharegpt answers
        try:
            role = role_of(item["from"])
        except RowProblem as problem:
            raise RowProblem(problem.reason, f"{where}: {problem.message}") from None
        return {"role": role, "content": item["value"]}
    raise RowProblem("bad-answer", f"{where} must have 'role' and 'content' (or 'from' and 'value')")


def preference_record(
    prompt: list[dict[str, Any]],
    chosen: list[dict[str, Any]],
    rejected: list[dict[str, Any]],
    tools: list[Any] | None,
) -> dict[str, Any]:
    """The DPO record; `prompt` empty means the prompt is implicit (the shared start of chosen and rejected)."""
    if prompt:
        chosen, rejected = _after(prompt, chosen), _after(prompt, rejected)
    else:
        shared = _shared_start(chosen, rejected)
        if shared == 0:
            raise RowProblem(
                "no-shared-prompt",
                "no prompt: the mapping gives no prompt messages and chosen and rejected share no first message "
                "(an implicit prompt is the conversation both answers continue)",
            )
        prompt, chosen, rejected = chosen[:shared], chosen[shared:], rejected[shared:]
    for side, messages in (("chosen", chosen), ("rejected", rejected)):
        if len(messages) != 1 or messages[0].get("role") != "assistant":
            roles = ", ".join(str(m.get("role")) for m in messages) or "nothing"
            raise RowProblem(
                "not-one-answer",
                f"the {side} answer is {roles}: the preference format takes exactly one assistant message per "
                "answer after the prompt",
            )
    record_input: dict[str, Any] = {"messages": prompt}
    if tools is not None:
        record_input["tools"] = tools
    return {"input": record_input, "preferred_output": chosen, "non_preferred_output": rejected}


def _after(prompt: list[dict[str, Any]], answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An answer given as the whole conversation (prompt repeated, as some datasets store it) -> its tail."""
    if len(answer) > len(prompt) and answer[: len(prompt)] == prompt:
        return answer[len(prompt) :]
    return answer


def _shared_start(first: list[dict[str, Any]], second: list[dict[str, Any]]) -> int:
    count = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        count += 1
    return count


def kto_label(value: Any, column: str) -> bool:
    """TRL's KTO `label` / LLaMA-Factory's `kto_tag`: true (desirable) or false (undesirable)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if value is not None else ""
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowProblem("bad-label", f"column {column!r}: a KTO label must be true or false, found {value!r}")


def kto_record(messages: list[dict[str, Any]], label: bool, tools: list[Any] | None) -> dict[str, Any]:
    """The KTO record: everything before the last message is the prompt, which must precede an assistant answer."""
    if len(messages) < 2 or messages[-1].get("role") != "assistant":
        raise RowProblem(
            "no-completion",
            "a KTO example needs a prompt and then one assistant message (the completion that is labelled)",
        )
    record: dict[str, Any] = {"prompt": messages[:-1], "completion": messages[-1:], "label": label}
    if tools is not None:
        record["tools"] = tools
    return record
