"""DP8xx: what one provider or trainer requires (`--target NAME`; the profiles are dataprep/data/targets.toml).

These rules run only with a target, and only on facts its profile states: an unknown limit is never checked.
Every message names the target that requires it, so a finding reads as that provider's rule, not a general one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dataprep.rules.base import FileSummary, LazyStrings, RecordContext, Rule, jsonl
from dataprep.types import Kind, Problem, Severity

if TYPE_CHECKING:  # the target table and its classes load only when a run has a --target
    from dataprep.targets import TargetProfile

E = Severity.ERROR
_FILE_FAMILY = "DP81"  # DP811-DP814 look at whole files; DP801-DP806 at records
_TOOL_ROLES = ("tool", "function")


def _who(target: TargetProfile) -> str:
    return f"{target.title} (--target {target.name})"


def _messages(record: dict[str, Any], kind: Kind) -> tuple[str, list[Any]] | None:
    """The conversation of a chat record, or the prompt of a preference record, with its JSON path."""
    if kind is Kind.CHAT:
        messages = record.get("messages")
        return ("messages", messages) if isinstance(messages, list) else None
    if kind is Kind.PREFERENCE:
        inp = record.get("input")
        messages = inp.get("messages") if isinstance(inp, dict) else None
        return ("input.messages", messages) if isinstance(messages, list) else None
    return None


def _all_messages(record: dict[str, Any], kind: Kind) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every message of the record (preference outputs included), with its JSON path."""
    found = _messages(record, kind)
    if found is not None:
        path, messages = found
        for i, message in enumerate(messages):
            if isinstance(message, dict):
                yield f"{path}[{i}]", message
    if kind is Kind.PREFERENCE:
        for name in ("preferred_output", "non_preferred_output"):
            output = record.get(name)
            if isinstance(output, list):
                for i, message in enumerate(output):
                    if isinstance(message, dict):
                        yield f"{name}[{i}]", message


def _texts(content: Any) -> Iterator[str]:
    """The text of a message's content: a string, or the text parts of a list."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield part["text"]


def check_target_record(record: dict[str, Any], context: RecordContext) -> list[Problem]:
    """DP801-DP806 for one record, on what the target's profile states."""
    target = context.target
    if target is None:
        return []
    problems: list[Problem] = []
    found = _messages(record, context.kind)
    if found is not None:
        path, messages = found
        _roles(problems, target, messages, path)
        # A preference prompt goes on with its answer: the order rules see the conversation as trained.
        answer = record.get("preferred_output") if context.kind is Kind.PREFERENCE else None
        _order(problems, target, messages + (answer if isinstance(answer, list) else []), path, len(messages))
    for path, message in _all_messages(record, context.kind):
        _weight(problems, target, message, path)
        _tool_calls(problems, target, message, path)
        _tool_call_ids(problems, target, context.model_id, message, path)
    if target.tool_calls is False and record.get("tools") is not None:
        problems.append(Problem("DP804", f"`tools` given, but {_who(target)} takes no tool calls", "tools"))
    _reserved(problems, target, record, context.kind)
    return problems


def _roles(problems: list[Problem], target: TargetProfile, messages: list[Any], path: str) -> None:
    if target.roles is None:
        return
    for i, message in enumerate(messages):
        role = message.get("role") if isinstance(message, dict) else None
        if target.tool_calls is False and role in _TOOL_ROLES:
            continue  # DP804 names it as tool use
        if isinstance(role, str) and role not in target.roles:
            message_text = (
                f"role {role!r} is not accepted by {_who(target)}, which takes {', '.join(target.roles)}"
            )
            problems.append(Problem("DP801", message_text, f"{path}[{i}].role"))


def _order(
    problems: list[Problem], target: TargetProfile, messages: list[Any], path: str, prompt: int | None = None
) -> None:
    """The first ordering rule of the target the conversation breaks (one finding per record)."""
    roles: list[str] = [r for m in messages if isinstance(m, dict) and isinstance(r := m.get("role"), str)]
    if not roles or len(roles) != len(messages):
        return  # the schema rules report it
    broken = _first_break(target, roles)
    if broken is not None:
        index, why = broken
        at = f"{path}[{index}]" if prompt is None or index < prompt else f"preferred_output[{index - prompt}]"
        problems.append(
            Problem("DP802", f"{why}; {_who(target)} requires {target.order_words()}", f"{at}.role")
        )


def _first_break(target: TargetProfile, roles: list[str]) -> tuple[int, str] | None:
    if target.first_roles is not None and roles[0] not in target.first_roles:
        return 0, f"the conversation starts with {roles[0]}"
    after = target.after_system
    if after is not None and roles[0] == "system" and len(roles) > 1 and roles[1] not in after:
        return 1, f"{roles[1]} follows the system message"
    if target.system_first:
        for i, role in enumerate(roles[1:], start=1):
            if role == "system":
                return i, f"system message at position {i + 1}"
    if target.alternate:
        # Tool results answer the assistant's calls: they take the user's place in the alternation, and a run
        # of them (parallel calls) counts once.
        previous = None
        for i, role in enumerate(roles):
            turn = "user" if role in _TOOL_ROLES else role
            if turn == "system":
                continue
            if turn == previous and not (role in _TOOL_ROLES and roles[i - 1] in _TOOL_ROLES):
                return i, f"two {turn} turns in a row"
            previous = turn
    if target.last_role is not None and roles[-1] != target.last_role:
        return len(roles) - 1, f"the conversation ends with {roles[-1]}"
    return None


def _weight(problems: list[Problem], target: TargetProfile, message: dict[str, Any], path: str) -> None:
    """Weights the target cannot express. A value other than 0 or 1 is the schema's finding (DP101) for every
    target; here: a weight 0 for a target without weights (the turn would be trained on after conversion),
    or 0/1 where the target takes fewer values."""
    if target.weights is None or "weight" not in message:
        return
    weight = message["weight"]
    if isinstance(weight, bool) or weight not in (0, 1):
        return
    if not target.weights:
        if weight == 0:
            why = (
                "has no per-message weight: this turn would be trained on; drop it or keep it as context only"
            )
            problems.append(Problem("DP803", f"weight 0, but {_who(target)} {why}", f"{path}.weight"))
    elif weight not in target.weights:
        allowed = " or ".join(map(str, target.weights))
        problems.append(
            Problem("DP803", f"weight {weight!r}: {_who(target)} takes {allowed} only", f"{path}.weight")
        )


def _tool_calls(problems: list[Problem], target: TargetProfile, message: dict[str, Any], path: str) -> None:
    if target.tool_calls is not False:
        return
    for key in ("tool_calls", "function_call"):
        if message.get(key) is not None:
            problems.append(Problem("DP804", f"`{key}`: {_who(target)} takes no tool calls", f"{path}.{key}"))
    if message.get("role") in _TOOL_ROLES:
        problems.append(Problem("DP804", f"tool result: {_who(target)} takes no tool calls", f"{path}.role"))


@lru_cache(maxsize=8)
def _pattern(text: str) -> re.Pattern[str]:
    return re.compile(text)


def _tool_call_ids(
    problems: list[Problem], target: TargetProfile, model_id: str, message: dict[str, Any], path: str
) -> None:
    family = target.family_of(model_id)
    if family is None or family.tool_call_id is None:
        return
    pattern = _pattern(family.tool_call_id)
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for i, call in enumerate(calls):
            ident = call.get("id") if isinstance(call, dict) else None
            if isinstance(ident, str) and not pattern.fullmatch(ident):
                problems.append(
                    _id_problem(ident, family.tool_call_id_words, model_id, f"{path}.tool_calls[{i}].id")
                )
    ident = message.get("tool_call_id")
    if message.get("role") == "tool" and isinstance(ident, str) and not pattern.fullmatch(ident):
        problems.append(_id_problem(ident, family.tool_call_id_words, model_id, f"{path}.tool_call_id"))


def _id_problem(ident: str, words: str, model_id: str, path: str) -> Problem:
    message = f"tool-call id {ident!r}: {model_id} (a Mistral model) needs ids of {words}"
    return Problem("DP805", message, path)


def _reserved(problems: list[Problem], target: TargetProfile, record: dict[str, Any], kind: Kind) -> None:
    if not target.reserved_strings:
        return
    texts: list[tuple[str, str]] = []
    if kind is Kind.COMPLETION:
        texts = [(key, record[key]) for key in ("prompt", "completion") if isinstance(record.get(key), str)]
    else:
        for where, message in _all_messages(record, kind):
            texts.extend((f"{where}.content", text) for text in _texts(message.get("content")))
    for where, text in texts:
        hits = [word for word in target.reserved_strings if word in text]
        if hits:
            words = ", ".join(repr(w) for w in hits)
            why = f"reserved string {words} in the text: {_who(target)} fails the job when a prompt contains one"
            problems.append(Problem("DP806", why, where))


def check_target_file(summary: FileSummary) -> list[tuple[int, Problem]]:
    """DP811-DP814: the file's record kind, example counts and size against the target's profile."""
    target = summary.target
    if target is None or summary.nonblank_lines == 0:
        return []
    out: list[tuple[int, Problem]] = []
    line, who = summary.first_line, _who(target)
    if target.shapes is not None and summary.examples and summary.kind.value not in target.shapes:
        taken = ", ".join(target.shapes)
        out.append((line, Problem("DP814", f"{summary.kind.value} records: {who} takes {taken} records")))
    config = summary.config
    # The profile's figures, unless the user set the limit (a provider raised it for their account, say).
    minimum = config.min_examples if "min_examples" in config.sources else target.min_examples
    maximum = config.max_examples if config.max_examples is not None else target.max_examples
    max_bytes = config.max_file_bytes if "max_file_bytes" in config.sources else target.max_file_bytes
    if summary.role == "train":
        examples = summary.examples
        if minimum is not None and examples < minimum:
            message = f"{examples:,} training examples; {who} requires at least {minimum:,}"
            out.append((line, Problem("DP811", message)))
        if maximum is not None and examples > maximum:
            message = f"{examples:,} training examples; {who} takes at most {maximum:,}"
            out.append((line, Problem("DP812", message)))
    size = summary.facts.size_bytes
    if max_bytes is not None and size > max_bytes:
        from dataprep.targets import format_bytes

        message = f"file is {format_bytes(size)}; {who} takes files up to {format_bytes(max_bytes)}"
        out.append((line, Problem("DP813", message)))
    return out


def _chat(*turns: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": role, "content": text} for role, text in turns], **extra}


_QA = _chat(("user", "What is the capital of Peru?"), ("assistant", "Lima."))
_SYS_QA = _chat(("system", "Answer in one word."), ("user", "Capital of Chile?"), ("assistant", "Santiago."))
_WEIGHTED_ONE = {
    "messages": [
        {"role": "user", "content": "Say hi."},
        {"role": "assistant", "content": "Hello!", "weight": 1},
    ]
}
_WEIGHT_OK = {
    "messages": [
        {"role": "user", "content": "Say hi."},
        {"role": "assistant", "content": "Hi", "weight": 0},
        {"role": "user", "content": "Again."},
        {"role": "assistant", "content": "Hello!", "weight": 1},
    ]
}
_CALL = {"id": "call_abc", "type": "function", "function": {"name": "get_time", "arguments": "{}"}}
_TOOL_TURNS = {
    "messages": [
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "tool_calls": [_CALL]},
        {"role": "tool", "tool_call_id": "call_abc", "content": "09:30"},
        {"role": "assistant", "content": "It is 09:30."},
    ]
}
_MISTRAL_TOOL_TURNS = {
    "messages": [
        {"role": "user", "content": "What time is it?"},
        {"role": "assistant", "tool_calls": [{**_CALL, "id": "a1B2c3D4e"}]},
        {"role": "tool", "tool_call_id": "a1B2c3D4e", "content": "09:30"},
        {"role": "assistant", "content": "It is 09:30."},
    ]
}


# OpenAI's and Azure's count and size limits are DP501-DP503's (configurable through min_examples and
# max_file_bytes); DP811 and DP813 state every other target's, so one limit is never reported twice.
def _not_openai() -> list[str]:
    from dataprep.targets import target_names

    return [name for name in target_names() if name not in ("openai", "azure")]


_NOT_OPENAI = LazyStrings(_not_openai)


def _many(n: int) -> LazyStrings:
    return jsonl(*(_chat(("user", f"Question {i}?"), ("assistant", f"Answer {i}.")) for i in range(n)))


def _rule(code: str, name: str, summary: str, doc: str, **kwargs: Any) -> Rule:
    if code[:4] == _FILE_FAMILY:
        return Rule(code, name, E, summary, doc, scope="file", check=check_target_file, **kwargs)
    return Rule(code, name, E, summary, doc, scope="record", check=check_target_record, **kwargs)


RULES: tuple[Rule, ...] = (
    _rule(
        "DP801",
        "target-role",
        "a message role the target does not accept",
        "Each target takes some roles only (its profile's `roles`): Fireworks takes system, user and assistant; "
        "Together adds tool. A role outside the list fails the upload or the job. Runs with --target only.\n"
        "Bad:  a `tool` message, validated for --target fireworks\n"
        "Good: system, user and assistant messages",
        bad=jsonl(_TOOL_TURNS),
        good=jsonl(_SYS_QA),
        options={"target": "fireworks"},
    ),
    _rule(
        "DP802",
        "target-role-order",
        "the conversation breaks the target's ordering rules",
        "Targets order turns differently (the profile's `first_roles`, `after_system`, `system_first`, "
        "`alternate`, `last_role`). Amazon Nova: optional system, then user, user and assistant alternate, "
        "the last turn is the assistant's. Together: starts with system or user, then alternates. LLaMA-Factory "
        "skips rows that break alternation (and stops when none is left). Tool results take the user's place in "
        "the alternation. One finding per record, at the first break. Runs with --target only.\n"
        "Bad:  user, user, assistant, validated for --target bedrock-nova\n"
        "Good: user, assistant, user, assistant",
        bad=jsonl(_chat(("user", "Hi."), ("user", "Are you there?"), ("assistant", "Yes."))),
        good=jsonl(_chat(("user", "Hi."), ("assistant", "Hello."), ("user", "Bye."), ("assistant", "Bye!"))),
        options={"target": "bedrock-nova"},
    ),
    _rule(
        "DP803",
        "target-weight",
        "a `weight` the target cannot express",
        "OpenAI, Azure, Together and Fireworks take `weight` 0 or 1 on assistant messages (any other value is "
        "a schema error, DP101, whatever the target). Vertex AI and Amazon Nova have no per-message weight at "
        "all: a turn with weight 0 (meant as context, not trained on) would be trained on there. Runs with "
        "--target only.\n"
        "Bad:  an assistant turn with weight 0, validated for --target vertex\n"
        "Good: no weights (or weight 1, the default everywhere)",
        bad=jsonl(_WEIGHT_OK),
        good=jsonl(_QA, _WEIGHTED_ONE),
        options={"target": "vertex"},
    ),
    _rule(
        "DP804",
        "target-tool-calls",
        "tool calls for a target that takes none",
        "Some targets take no tool calls, tool results or `tools` (Amazon Nova 2.0 supervised fine-tuning). "
        "Runs with --target only.\n"
        "Bad:  an assistant tool call and its result, validated for --target bedrock-nova\n"
        "Good: text turns only",
        bad=jsonl(_TOOL_TURNS),
        good=jsonl(_QA),
        options={"target": "bedrock-nova"},
    ),
    _rule(
        "DP805",
        "mistral-tool-call-id",
        "a tool-call id a Mistral model rejects (not 9 letters or digits)",
        "Mistral models take tool-call ids of exactly 9 letters or digits (mistral-finetune; the Mistral v3 "
        "tekken template raises 'Tool call IDs should be alphanumeric strings with length 9!'). OpenAI-style "
        "ids such as `call_abc123` fail. Runs with --target and a Mistral --model (any target: the model's "
        "template decides).\n"
        "Bad:  id `call_abc`, for --target trl --model mistralai/Mistral-7B-Instruct-v0.3\n"
        "Good: id `a1B2c3D4e`",
        bad=jsonl(_TOOL_TURNS),
        good=jsonl(_MISTRAL_TOOL_TURNS),
        # A model described by the user (a fine-tune of Mistral NeMo): the id names the family.
        options={
            "target": "trl",
            "model": "my-mistral-nemo-ft",
            "tokenizer_encoding": "o200k_base",
            "max_tokens": 32768,
        },
    ),
    _rule(
        "DP806",
        "target-reserved-string",
        "text the target reserves (Amazon Nova: `User:`, `Bot:`, `[EOS]`, ...)",
        "Amazon Nova fails a fine-tuning job whose prompts contain `User:`, `Bot:`, `Assistant:`, `System:`, "
        "`<image>`, `<video>` or `[EOS]` (the profile's `reserved_strings`). Every text of the record is "
        "searched. Runs with --target only.\n"
        'Bad:  "Transcript: User: hi Bot: hello", for --target bedrock-nova\n'
        "Good: the same transcript with other speaker labels (Customer:, Agent:)",
        bad=jsonl(_chat(("user", "Summarise. User: hi Bot: hello"), ("assistant", "A greeting."))),
        good=jsonl(_chat(("user", "Summarise. Customer: hi Agent: hello"), ("assistant", "A greeting."))),
        options={"target": "bedrock-nova"},
    ),
    _rule(
        "DP811",
        "target-too-few-examples",
        "fewer training examples than the target requires",
        "The target's `min_examples`: OpenAI and Azure 10, Fireworks 3, Together 1. Runs with --target only "
        "(without a target, DP501 checks OpenAI's 10); `min_examples` replaces the profile's figure.\n"
        "Bad:  2 training examples, for --target fireworks\n"
        "Good: 3 or more",
        bad=_many(2),
        good=_many(3),
        options={"target": "fireworks"},
        targets=_NOT_OPENAI,
    ),
    _rule(
        "DP812",
        "target-too-many-examples",
        "more training examples than the target takes",
        "The target's `max_examples`: Fireworks 3 million, Vertex AI 1 million text-only examples. Runs with "
        "--target only; `max_examples` replaces the profile's figure.\n"
        "Bad:  3,000,001 examples for --target fireworks\n"
        "Good: 3 million or fewer",
        bad=_many(4),
        good=_many(3),
        options={"target": "fireworks", "max_examples": 3},
    ),
    _rule(
        "DP813",
        "target-file-too-large",
        "training file larger than the target takes",
        "The target's `max_file_bytes`: OpenAI and Azure 512 MB, Vertex AI 1 GB, Together 100 GB. Runs with "
        "--target only (without a target, DP503 checks OpenAI's 512 MB); `max_file_bytes` replaces the "
        "profile's figure.\n"
        "Bad:  a 2 GB file for --target vertex\n"
        "Good: 1 GB or less, or the data split across jobs",
        bad=_many(3),
        good=_many(1),
        options={"target": "vertex", "max_file_bytes": 200},
        targets=_NOT_OPENAI,
    ),
    _rule(
        "DP814",
        "target-record-kind",
        "a record kind the target does not take",
        "The target's `shapes`: Vertex AI tunes Gemini on conversations only (no preference pairs or "
        "prompt/completion records); Fireworks, Azure and Amazon Nova take conversations and preference pairs. "
        "Runs with --target only.\n"
        "Bad:  prompt/completion records for --target fireworks\n"
        "Good: chat records",
        bad=jsonl({"prompt": "Capital of Peru?", "completion": "Lima."}),
        good=jsonl(_QA),
        options={"target": "fireworks"},
    ),
)
