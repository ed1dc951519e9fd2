"""Hugging Face TRL dataset records: conversational `messages`; `prompt`/`completion` (text or message lists);
preference `prompt`/`chosen`/`rejected` with an explicit prompt, or `chosen`/`rejected` with the prompt implicit
(their common beginning); KTO `prompt`/`completion`/`label`.

Source: huggingface.co/docs/trl/dataset_formats and trl/data_utils.py (extract_prompt, is_conversational) at
huggingface/trl@f2cd577, read 2026-12-02.

As chat records: a prompt/completion pair is one conversation whose prompt turns are not trained (assistant
turns in a conversational prompt get weight 0, as TRL computes no loss on the prompt); a preference triple is a
dataprep preference record (`input.messages`, `preferred_output`, `non_preferred_output`); a KTO row is a chat
record that keeps its boolean `label` beside `messages`.
"""

from __future__ import annotations

from typing import Any

from dataprep.formats.base import (
    INEXPRESSIBLE,
    Native,
    NativeFormat,
    PathT,
    Refusal,
    Written,
    require_dict,
    require_list,
)

WHO = "TRL"
_PREFERENCE = ("input", "preferred_output", "non_preferred_output")


def detect(record: dict[str, Any]) -> bool:
    """TRL shapes dataprep does not read as they are: preference triples, KTO rows, conversational prompts."""
    if "conversations" in record or "instruction" in record:
        return False  # LLaMA-Factory's layouts, whose preference pairs also say chosen/rejected
    if "chosen" in record and "rejected" in record:
        return True
    if "prompt" in record and "completion" in record:
        return (
            "label" in record or isinstance(record["prompt"], list) or isinstance(record["completion"], list)
        )
    return False


# -- reading ---------------------------------------------------------------------------------------------------


def to_chat(record: dict[str, Any]) -> Native:
    if "messages" in record:
        _messages(record["messages"], ("messages",))
        return Native(dict(record))
    if "chosen" in record or "rejected" in record:
        return _preference(record)
    if "prompt" not in record or "completion" not in record:
        raise Refusal((), "a TRL record has messages; prompt and completion; or chosen and rejected")
    prompt = _turns(record["prompt"], ("prompt",), "user")
    completion = _turns(record["completion"], ("completion",), "assistant")
    messages = [_untrained(m) for m in prompt] + completion
    out = Native({"messages": messages})
    for i in range(len(prompt)):
        out.origins[f"messages[{i}]"] = f"prompt[{i}]" if isinstance(record["prompt"], list) else "prompt"
    for i in range(len(completion)):
        out.origins[f"messages[{len(prompt) + i}]"] = (
            f"completion[{i}]" if isinstance(record["completion"], list) else "completion"
        )
    if "label" in record and not isinstance(record["label"], bool):
        raise Refusal(("label",), "a KTO label is true or false")
    out.record.update({k: v for k, v in record.items() if k not in ("prompt", "completion")})
    return out


def _preference(record: dict[str, Any]) -> Native:
    for key in ("chosen", "rejected"):
        if key not in record:
            raise Refusal((key,), f"a preference record needs both chosen and rejected; {key} is missing")
    chosen, rejected = record["chosen"], record["rejected"]
    out = Native({}, kind="preference")
    if "prompt" in record:
        prompt = _turns(record["prompt"], ("prompt",), "user")
        preferred = _turns(chosen, ("chosen",), "assistant")
        other = _turns(rejected, ("rejected",), "assistant")
        shared = len(prompt)
    else:
        preferred_all = _turns(chosen, ("chosen",), "assistant", implicit=True)
        other_all = _turns(rejected, ("rejected",), "assistant", implicit=True)
        shared = 0
        while (
            shared < min(len(preferred_all), len(other_all)) - 1
            and preferred_all[shared] == other_all[shared]
        ):
            shared += 1
        if shared == 0:
            raise Refusal(("chosen",), "chosen and rejected share no prompt: give it as `prompt`")
        prompt, preferred, other = preferred_all[:shared], preferred_all[shared:], other_all[shared:]
    for key, answer in (("chosen", preferred), ("rejected", other)):
        if len(answer) != 1 or answer[0].get("role") != "assistant":
            raise Refusal((key,), "a preference answer is one assistant message here", INEXPRESSIBLE)
    out.record = {"input": {"messages": prompt}, "preferred_output": preferred, "non_preferred_output": other}
    explicit = "prompt" in record
    for i in range(len(prompt)):
        out.origins[f"input.messages[{i}]"] = (
            (f"prompt[{i}]" if isinstance(record["prompt"], list) else "prompt")
            if explicit
            else f"chosen[{i}]"
        )
    out.origins["preferred_output[0]"] = (
        f"chosen[{0 if explicit else shared}]" if isinstance(chosen, list) else "chosen"
    )
    out.origins["non_preferred_output[0]"] = (
        f"rejected[{0 if explicit else shared}]" if isinstance(rejected, list) else "rejected"
    )
    if "tools" in record:
        out.record["input"]["tools"] = record["tools"]
    out.record.update({k: v for k, v in record.items() if k not in ("prompt", "chosen", "rejected", "tools")})
    return out


def _turns(value: Any, path: PathT, role: str, implicit: bool = False) -> list[dict[str, Any]]:
    """Text is one message of `role` (an implicit prompt in plain text is split where TRL splits it)."""
    if isinstance(value, str):
        if implicit:
            raise Refusal(
                path, "an implicit prompt in plain text has no roles: give it as `prompt`", INEXPRESSIBLE
            )
        return [{"role": role, "content": value}]
    return _messages(value, path)


def _messages(value: Any, path: PathT) -> list[dict[str, Any]]:
    messages = require_list(value, path, "messages")
    for i, message in enumerate(messages):
        message = require_dict(message, (*path, i), "a message")
        if not isinstance(message.get("role"), str):
            raise Refusal((*path, i, "role"), "a message needs a role")
    return [dict(m) for m in messages]


def _untrained(message: dict[str, Any]) -> dict[str, Any]:
    return {**message, "weight": 0} if message.get("role") == "assistant" else message


# -- writing ---------------------------------------------------------------------------------------------------


def from_chat(record: dict[str, Any]) -> Written:
    if "input" in record:
        inner = require_dict(record["input"], ("input",), "input")
        out: dict[str, Any] = {
            "prompt": require_list(inner.get("messages"), ("input", "messages"), "messages"),
            "chosen": require_list(record.get("preferred_output"), ("preferred_output",), "preferred_output"),
            "rejected": require_list(
                record.get("non_preferred_output"), ("non_preferred_output",), "non_preferred_output"
            ),
        }
        if "tools" in inner:
            out["tools"] = inner["tools"]
        out.update({k: v for k, v in record.items() if k not in _PREFERENCE})
        return Written(out)
    messages = require_list(record.get("messages"), ("messages",), "messages")
    notes = []
    if any(isinstance(m, dict) and m.get("weight") == 1 for m in messages):
        notes.append("weight 1 dropped (TRL trains every assistant turn of a completion)")
    if "label" not in record and not any(isinstance(m, dict) and m.get("weight") == 0 for m in messages):
        kept = [_without_weight(m, 1, ("messages", i)) for i, m in enumerate(messages)]
        return Written({**record, "messages": kept}, notes)
    # A split into prompt and completion: every untrained turn before every trained one.
    split = _split(messages)
    prompt = [_without_weight(m, 0, ("messages", i)) for i, m in enumerate(messages[:split])]
    completion = [_without_weight(m, 1, ("messages", split + i)) for i, m in enumerate(messages[split:])]
    out = {"prompt": prompt, "completion": completion}
    out.update({k: v for k, v in record.items() if k != "messages"})
    return Written(out, notes)


def _split(messages: list[Any]) -> int:
    last_untrained = max(
        (i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("weight") == 0), default=-1
    )
    first_trained = next(
        (
            i
            for i, m in enumerate(messages)
            if isinstance(m, dict) and m.get("role") == "assistant" and m.get("weight") != 0
        ),
        None,
    )
    if first_trained is None:
        raise Refusal(("messages",), "no trained assistant message", INEXPRESSIBLE)
    if last_untrained > first_trained:
        raise Refusal(
            ("messages", last_untrained, "weight"),
            "TRL trains the whole completion: an untrained turn after a trained one cannot be said",
            INEXPRESSIBLE,
        )
    return first_trained


def _without_weight(message: Any, expected: int, path: PathT) -> Any:
    """The message without its weight, which must be what its side of the split implies."""
    if not isinstance(message, dict) or "weight" not in message:
        return message
    if message["weight"] != expected:
        raise Refusal(
            (*path, "weight"), f"weight {message['weight']!r} cannot be said in TRL records", INEXPRESSIBLE
        )
    return {k: v for k, v in message.items() if k != "weight"}


FORMAT = NativeFormat(
    name="trl",
    title="TRL (messages; prompt/completion; prompt/chosen/rejected, explicit or implicit prompt; KTO label)",
    detect=detect,
    to_chat=to_chat,
    from_chat=from_chat,
    targets=("trl",),
    source="huggingface.co/docs/trl/dataset_formats",
)
