"""DP2xx: roles and structure, the rules a JSON Schema cannot say (DP6xx content checks: rules/content.py).

Every check is a pure function of one record. Records reach here even when they failed the schema, so
nothing may assume a type: look, and skip what is not the expected shape (the schema rules report it).
"""

from __future__ import annotations

import re
from typing import Any

import orjson

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.types import Kind, Problem, Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

MAX_IMAGES_PER_EXAMPLE = 10
_IMAGE_URL = re.compile(r"^(https?://\S+|data:image/(jpeg|jpg|png|webp);base64,)", re.IGNORECASE)


def check_chat(record: dict[str, Any], schemes: tuple[str, ...] = ()) -> list[Problem]:
    """Structure problems of a supervised chat record (`schemes`: image URI schemes the target takes)."""
    messages = record.get("messages")
    if not isinstance(messages, list):
        return []
    return _check_messages(messages, "messages", final_must_be_assistant=True, schemes=schemes)


def check_preference(record: dict[str, Any], schemes: tuple[str, ...] = ()) -> list[Problem]:
    """Structure problems of a preference (DPO) record."""
    problems: list[Problem] = []
    inp = record.get("input")
    messages = inp.get("messages") if isinstance(inp, dict) else None
    if isinstance(messages, list):
        problems.extend(
            _check_messages(messages, "input.messages", final_must_be_assistant=False, schemes=schemes)
        )
        if messages and isinstance(messages[-1], dict) and messages[-1].get("role") != "user":
            problems.append(
                Problem(
                    "DP221",
                    "preference input should end with a user message: the outputs answer it",
                    f"input.messages[{len(messages) - 1}].role",
                )
            )
    # The outputs' shape (exactly one assistant message) is the schema's to check (DP101).
    for field in (
        "preferred_output",
        "non_preferred_output",
        "preferred_completion",
        "non_preferred_completion",
    ):
        output = record.get(field)
        only = output[0] if isinstance(output, list) and len(output) == 1 else None
        if isinstance(only, dict) and only.get("role") == "assistant":
            _check_content(problems, only, f"{field}[0]", "assistant")
    return problems


def check_completion(record: dict[str, Any]) -> list[Problem]:
    """Structure problems of a legacy prompt/completion record."""
    problems = []
    for field in ("prompt", "completion"):
        value = record.get(field)
        if isinstance(value, str) and not value.strip():
            problems.append(Problem("DP211", f"{field} is empty or whitespace only", field))
    return problems


def _check_messages(
    messages: list[Any], base: str, *, final_must_be_assistant: bool, schemes: tuple[str, ...] = ()
) -> list[Problem]:
    # Hot path: runs once per example. Problems are appended to one list and JSON paths are only built
    # when something is wrong.
    out: list[Problem] = []
    seen_user = False
    previous_role: Any = None
    trainable = 0
    substantive = 0  # trained assistant messages with a call or with text that is not whitespace
    assistants = 0
    images = 0
    open_calls: dict[str, int] = {}  # tool-call id -> index of the call in its assistant message
    answered: set[str] = set()
    all_ids: set[str] = set()
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        role = message.get("role")
        content = message.get("content")
        # Text with no whitespace at either end: no content rule can fire and, for an assistant, it teaches
        # something (the common case, decided without copying the text as strip() would).
        clean = (
            type(content) is str and content != "" and not content[0].isspace() and not content[-1].isspace()
        )
        if role == "assistant":
            assistants += 1
            if message.get("weight", 1) != 0:
                trainable += 1
                substantive += clean or _teaches_something(message)
        elif role == "user":
            if open_calls:
                _unanswered(out, open_calls, f"{base}[{index}]", role)
        elif role == "system":
            if seen_user:
                out.append(
                    Problem("DP202", "system message after the first user message", f"{base}[{index}].role")
                )
        elif role == "developer":
            out.append(
                Problem(
                    "DP203",
                    "role 'developer' is not part of supervised fine-tuning data; use 'system'",
                    f"{base}[{index}].role",
                )
            )
        if role == previous_role and role in ("user", "assistant"):
            out.append(Problem("DP205", f"two {role} messages in a row", f"{base}[{index}].role"))
        if role == "user":
            seen_user = True
        elif role == "assistant":
            if open_calls:
                _unanswered(out, open_calls, f"{base}[{index}]", role)
            if "tool_calls" in message or "function_call" in message:
                _check_tool_calls(out, message, f"{base}[{index}]", open_calls, all_ids)
        elif role == "tool":
            _check_tool_answer(out, message, f"{base}[{index}]", open_calls, answered, all_ids)
        if isinstance(role, str):
            if clean or (type(content) is str and role != "assistant" and content.strip()):
                pass  # the common case needs no further look
            else:
                _check_content(out, message, f"{base}[{index}]", role)
                if type(content) is list:
                    images += _count_images(content)
                    _check_images(out, content, f"{base}[{index}]", role, schemes)
            previous_role = role
    if open_calls and not (final_must_be_assistant and _ends_with_call(messages)):
        # An example whose last message is the assistant's call teaches the call itself (OpenAI's and
        # Azure's function-calling examples end there); only calls left open before it are unanswered.
        pending = ", ".join(sorted(open_calls))
        out.append(Problem("DP207", f"tool call {pending} never answered by a tool message", base))
    if images > MAX_IMAGES_PER_EXAMPLE:
        out.append(
            Problem("DP213", f"{images} images in one example; the limit is {MAX_IMAGES_PER_EXAMPLE}", base)
        )
    if final_must_be_assistant:
        if assistants == 0:
            out.append(Problem("DP201", "no assistant message: nothing in this example is trained", base))
        elif trainable == 0:
            out.append(
                Problem(
                    "DP201", "every assistant message has weight 0: nothing in this example is trained", base
                )
            )
        elif substantive == 0:
            out.append(
                Problem(
                    "DP201",
                    "every trained assistant message is empty or whitespace: nothing in this example is trained",
                    base,
                )
            )
        last = messages[-1] if messages else None
        if isinstance(last, dict) and last.get("role") != "assistant":
            out.append(
                Problem(
                    "DP204",
                    f"last message is {last.get('role')!r}, not 'assistant': its tokens are billed and never learned",
                    f"{base}[{len(messages) - 1}].role",
                )
            )
    return out


def _teaches_something(message: dict[str, Any]) -> bool:
    """A trained assistant message teaches something if it makes a call or has text beyond whitespace."""
    if message.get("tool_calls") or message.get("function_call"):
        return True
    text = _text_of(message.get("content"))
    return text is None or bool(text.strip())  # no text at all is DP210's, not counted as blank here


def _ends_with_call(messages: list[Any]) -> bool:
    """True when the last message is an assistant message making tool calls (the call is the target)."""
    last = messages[-1] if messages else None
    return isinstance(last, dict) and last.get("role") == "assistant" and bool(last.get("tool_calls"))


def _unanswered(out: list[Problem], open_calls: dict[str, int], path: str, role: str) -> None:
    pending = ", ".join(sorted(open_calls))
    out.append(Problem("DP207", f"tool call {pending} not answered before this {role} message", path))
    open_calls.clear()


def _check_tool_calls(
    out: list[Problem], message: dict[str, Any], path: str, open_calls: dict[str, int], all_ids: set[str]
) -> None:
    calls = message.get("tool_calls")
    if isinstance(calls, list):
        for i, call in enumerate(calls):
            if not isinstance(call, dict):
                continue
            call_id = call.get("id")
            if isinstance(call_id, str):
                if call_id in all_ids:
                    out.append(
                        Problem(
                            "DP208",
                            f"tool call id {call_id!r} is used twice in this example",
                            f"{path}.tool_calls[{i}].id",
                        )
                    )
                all_ids.add(call_id)
                open_calls[call_id] = i
            function = call.get("function")
            if isinstance(function, dict):
                _check_arguments(out, function.get("arguments"), f"{path}.tool_calls[{i}].function.arguments")
    function_call = message.get("function_call")
    if isinstance(function_call, dict):
        _check_arguments(out, function_call.get("arguments"), f"{path}.function_call.arguments")


def _check_arguments(out: list[Problem], arguments: Any, path: str) -> None:
    if not isinstance(arguments, str):
        return
    try:
        orjson.loads(arguments)
    except orjson.JSONDecodeError as exc:
        out.append(
            Problem(
                "DP209", f"arguments are not valid JSON text ({exc.msg} at character {exc.pos + 1})", path
            )
        )


def _check_tool_answer(
    out: list[Problem],
    message: dict[str, Any],
    path: str,
    open_calls: dict[str, int],
    answered: set[str],
    all_ids: set[str],
) -> None:
    call_id = message.get("tool_call_id")
    if not isinstance(call_id, str):
        return
    where = f"{path}.tool_call_id"
    if call_id in open_calls:
        del open_calls[call_id]
        answered.add(call_id)
    elif call_id in answered:
        out.append(Problem("DP206", f"tool call {call_id!r} was already answered", where))
    elif call_id in all_ids:
        out.append(
            Problem("DP206", f"tool call {call_id!r} is answered too late, after the next turn", where)
        )
    else:
        out.append(
            Problem("DP206", f"tool_call_id {call_id!r} answers no earlier assistant tool call", where)
        )


def _check_content(out: list[Problem], message: dict[str, Any], path: str, role: str) -> None:
    content = message.get("content")
    has_call = bool(message.get("tool_calls")) or bool(message.get("function_call"))
    if role == "assistant" and (content is None or content == []) and not has_call:
        out.append(Problem("DP210", "assistant message has no content and no tool_calls", path))
        return
    text = _text_of(content)
    if text is None:
        return
    if not text.strip():
        if not (role == "assistant" and has_call):
            out.append(Problem("DP211", f"{role} content is empty or whitespace only", f"{path}.content"))
        return
    if role == "assistant" and text != text.strip():
        out.append(
            Problem(
                "DP212",
                "assistant content starts or ends with whitespace, which the model learns to emit",
                f"{path}.content",
            )
        )


def _text_of(content: Any) -> str | None:
    """The text of string content or of text parts; None when there is no text to look at."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict) and p.get("type") == "text"]
        strings = [t for t in texts if isinstance(t, str)]
        if not strings:
            return None
        return "".join(strings)
    return None


def _count_images(content: list[Any]) -> int:
    return sum(1 for part in content if isinstance(part, dict) and part.get("type") == "image_url")


def _check_images(
    out: list[Problem], content: list[Any], path: str, role: str, schemes: tuple[str, ...] = ()
) -> None:
    for i, part in enumerate(content):
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        part_path = f"{path}.content[{i}]"
        if role == "assistant":
            out.append(Problem("DP214", "images are not allowed in assistant messages", part_path))
        image = part.get("image_url")
        url = image.get("url") if isinstance(image, dict) else None
        if isinstance(url, str) and not _IMAGE_URL.match(url) and not _in_schemes(url, schemes):
            shown = url if len(url) <= 40 else url[:37] + "..."
            out.append(
                Problem(
                    "DP215",
                    f"image URL {shown!r} is neither http(s) nor a data:image/jpeg|png|webp;base64 URL",
                    f"{part_path}.image_url.url",
                )
            )


def _in_schemes(url: str, schemes: tuple[str, ...]) -> bool:
    """A bucket URI the target takes images by (gs:// for Vertex AI, s3:// for Amazon Nova)."""
    return any(url.startswith(f"{scheme}://") for scheme in schemes)


def check_structure(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    """The one pass over a record's messages that serves every DP2xx and DP6xx rule."""
    schemes = ctx.target.image_uri_schemes if ctx.target is not None else ()
    if ctx.kind is Kind.CHAT:
        return check_chat(record, schemes)
    if ctx.kind is Kind.PREFERENCE:
        return check_preference(record, schemes)
    return check_completion(record)


# ------------------------------------------------------------------------------------------ rules and examples


def _rule(code: str, name: str, severity: Severity, summary: str, bad: str, good: str, why: str) -> Rule:
    bad_lines, good_lines = _EXAMPLES[code]
    return Rule(
        code,
        name,
        severity,
        summary,
        f"{why}\nBad:  {bad}\nGood: {good}",
        check=check_structure,
        bad=jsonl(*bad_lines),
        good=jsonl(*good_lines),
    )


def _u(text: str = "What is a good spice for lentils?") -> dict[str, Any]:
    return {"role": "user", "content": text}


def _a(text: str = "Cumin, with a little smoked paprika.", **extra: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": text, **extra}


def _chat(*messages: dict[str, Any]) -> dict[str, Any]:
    return {"messages": list(messages or (_u(), _a()))}


_SYSTEM = {"role": "system", "content": "Be brief."}
_CALL = {"id": "call_1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "cumin"}'}}
_ANSWER = {"role": "tool", "tool_call_id": "call_1", "content": "found"}
_CALLER = {"role": "assistant", "content": None, "tool_calls": [_CALL]}
_IMAGE = {"type": "image_url", "image_url": {"url": "https://example.com/dish.png"}}
_PREF = {"input": {"messages": [_u()]}, "preferred_output": [_a()], "non_preferred_output": [_a("Salt.")]}


def _image(url: str) -> dict[str, Any]:
    return _chat({"role": "user", "content": [{"type": "image_url", "image_url": {"url": url}}]}, _a())


# Executable examples: every bad record triggers its rule, no good record does (tests/test_rule_examples.py).
_EXAMPLES: dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]] = {
    "DP201": (
        (
            _chat(_u()),
            _chat(_u(), _a(weight=0)),
            _chat(_u(), _a("  \n")),
            _chat(_u(), _a("Hi", weight=0), _u(), _a("")),
        ),
        (
            _chat(_u(), _a(weight=0), _u(), _a()),
            _chat(_u(), _a(""), _u(), _a()),
            _chat(_u(), {**_CALLER, "content": ""}),
        ),
    ),
    "DP202": ((_chat(_u(), _SYSTEM, _a()),), (_chat(_SYSTEM, _u(), _a()),)),
    "DP203": ((_chat({"role": "developer", "content": "Be brief."}, _u(), _a()),), (_chat(),)),
    "DP204": ((_chat(_u(), _a(), _u("Thanks")),), (_chat(),)),
    "DP205": (
        (_chat(_u(), _u("Hello?"), _a()), _chat(_u(), _a(), _a("More."))),
        (_chat(_u(), _a(), _u(), _a()),),
    ),
    "DP206": (
        (
            _chat(_u(), {"role": "tool", "tool_call_id": "call_9", "content": "x"}, _a()),
            _chat(_u(), _CALLER, _ANSWER, _ANSWER, _a()),
        ),
        (_chat(_u(), _CALLER, _ANSWER, _a()),),
    ),
    "DP207": (
        (
            _chat(_u(), _CALLER, _u("Well?"), _a()),
            _chat(_u(), _CALLER, _a("Still looking.")),
            _chat(_u(), {**_CALLER, "tool_calls": [_CALL, {**_CALL, "id": "call_2"}]}, _ANSWER),
        ),
        (_chat(_u(), _CALLER, _ANSWER, _a()), _chat(_u(), _CALLER)),
    ),
    "DP208": (
        (_chat(_u(), {"role": "assistant", "tool_calls": [_CALL, _CALL]}, _ANSWER, _a()),),
        (
            _chat(
                _u(),
                {"role": "assistant", "tool_calls": [_CALL, {**_CALL, "id": "call_2"}]},
                _ANSWER,
                {**_ANSWER, "tool_call_id": "call_2"},
                _a(),
            ),
        ),
    ),
    "DP209": (
        (
            _chat(
                _u(),
                {
                    "role": "assistant",
                    "tool_calls": [{**_CALL, "function": {"name": "f", "arguments": "{q: 1}"}}],
                },
                _ANSWER,
                _a(),
            ),
        ),
        (_chat(_u(), _CALLER, _ANSWER, _a()),),
    ),
    "DP210": (
        (_chat(_u(), {"role": "assistant", "content": None}), _chat(_u(), {"role": "assistant"})),
        (_chat(_u(), _CALLER, _ANSWER, _a()),),
    ),
    "DP211": ((_chat(_u("   "), _a()), _chat(_u(), _a(""))), (_chat(),)),
    "DP212": (
        (_chat(_u(), _a(" Cumin.")), _chat(_u(), _a("Cumin.\n"))),
        (_chat(_u(" padded user text "), _a()),),
    ),
    "DP213": (
        (_chat({"role": "user", "content": [_IMAGE] * 11}, _a()),),
        (_chat({"role": "user", "content": [_IMAGE] * 10}, _a()),),
    ),
    "DP214": (
        (_chat(_u(), {"role": "assistant", "content": [_IMAGE]}),),
        (_chat({"role": "user", "content": [_IMAGE]}, _a()),),
    ),
    "DP215": ((_image("data:image/gif;base64,AAAA"),), (_image("data:image/png;base64,AAAA"),)),
    "DP221": (({**_PREF, "input": {"messages": [_u(), _a()]}},), (_PREF,)),
}


_U = '{"role": "user", "content": "Hi"}'
_A = '{"role": "assistant", "content": "Hello!"}'
_S = '{"role": "system", "content": "Be brief."}'

RULES: tuple[Rule, ...] = (
    _rule(
        "DP201",
        "no-trainable-assistant",
        E,
        "no assistant message with weight other than 0",
        f'{{"messages": [{_U}]}}',
        f'{{"messages": [{_U}, {_A}]}}',
        "The training target is the assistant messages whose weight is not 0. Without one, or when every\n"
        "one is empty or whitespace (and makes no tool call), the example costs tokens and teaches nothing.",
    ),
    _rule(
        "DP202",
        "system-after-user",
        W,
        "system message after the first user message",
        f'{{"messages": [{_U}, {_S}, {_A}]}}',
        f'{{"messages": [{_S}, {_U}, {_A}]}}',
        "System messages set up the conversation; chat templates of open-weight models only place them first.",
    ),
    _rule(
        "DP203",
        "developer-role",
        W,
        "developer role in supervised data",
        '{"messages": [{"role": "developer", "content": "Be brief."}, ...]}',
        '{"messages": [{"role": "system", "content": "Be brief."}, ...]}',
        "The developer role belongs to the reinforcement fine-tuning schema; supervised and DPO data use system.",
    ),
    _rule(
        "DP204",
        "last-not-assistant",
        W,
        "conversation does not end with an assistant message",
        f'{{"messages": [{_U}, {_A}, {_U}]}}',
        f'{{"messages": [{_U}, {_A}]}}',
        "Messages after the last assistant message are billed and never learned.",
    ),
    _rule(
        "DP205",
        "repeated-role",
        W,
        "two user or two assistant messages in a row",
        f'{{"messages": [{_U}, {_U}, {_A}]}}',
        f'{{"messages": [{_U}, {_A}]}}',
        "Alternation is what chat templates expect; LLaMA-Factory silently drops such rows.",
    ),
    _rule(
        "DP206",
        "unknown-tool-call-id",
        E,
        "tool message answers no pending tool call",
        '... {"role": "tool", "tool_call_id": "call_9", "content": "42"}  (no assistant made call_9)',
        '{"role": "assistant", "tool_calls": [{"id": "call_9", ...}]}, {"role": "tool", "tool_call_id": "call_9", ...}',
        "Every tool message must answer an id from an earlier assistant tool_calls, once.",
    ),
    _rule(
        "DP207",
        "unanswered-tool-call",
        E,
        "tool call not answered before the next turn",
        '{"role": "assistant", "tool_calls": [{"id": "call_1", ...}]}, {"role": "user", ...}',
        '{"role": "assistant", "tool_calls": [{"id": "call_1", ...}]}, {"role": "tool", "tool_call_id": "call_1", ...}',
        "Each tool call is followed by its tool result before the next user or assistant message. An example\n"
        "may end with the assistant's tool call: that call is what it teaches (OpenAI's and Azure's\n"
        "function-calling fine-tuning examples end there).",
    ),
    _rule(
        "DP208",
        "duplicate-tool-call-id",
        E,
        "tool call id used twice in one example",
        '"tool_calls": [{"id": "call_1", ...}, {"id": "call_1", ...}]',
        '"tool_calls": [{"id": "call_1", ...}, {"id": "call_2", ...}]',
        "Tool results are matched to calls by id; a repeated id makes the pairing ambiguous.",
    ),
    _rule(
        "DP209",
        "arguments-not-json",
        E,
        "tool call arguments are not valid JSON text",
        '"function": {"name": "add", "arguments": "{a: 1}"}',
        '"function": {"name": "add", "arguments": "{\\"a\\": 1}"}',
        "arguments is a string holding JSON; the model learns to emit exactly that text.",
    ),
    _rule(
        "DP210",
        "empty-assistant",
        E,
        "assistant message without content or tool calls",
        '{"role": "assistant", "content": null}',
        '{"role": "assistant", "content": "Done."}',
        "An assistant message needs content, tool_calls or function_call.",
    ),
    _rule(
        "DP211",
        "empty-content",
        W,
        "empty or whitespace-only content",
        '{"role": "user", "content": "   "}',
        '{"role": "user", "content": "What time is it in Oslo?"}',
        "Empty turns are usually an export or template mistake.",
    ),
    _rule(
        "DP212",
        "assistant-whitespace",
        W,
        "assistant content with leading or trailing whitespace",
        '{"role": "assistant", "content": "Sure.\\n\\n"}',
        '{"role": "assistant", "content": "Sure."}',
        "The model learns to emit the whitespace too.",
    ),
    _rule(
        "DP213",
        "too-many-images",
        E,
        "more than 10 images in one example",
        "an example with 11 image_url parts",
        "at most 10 image_url parts per example",
        "OpenAI vision fine-tuning accepts at most 10 images per example.",
    ),
    _rule(
        "DP214",
        "image-in-assistant",
        E,
        "image part in an assistant message",
        '{"role": "assistant", "content": [{"type": "image_url", ...}]}',
        '{"role": "user", "content": [{"type": "image_url", ...}]}',
        "Images are inputs; assistant messages hold text only.",
    ),
    _rule(
        "DP215",
        "bad-image-url",
        E,
        "image URL is not http(s) or a jpeg/png/webp data URL",
        '"image_url": {"url": "file:///tmp/cat.gif"}',
        '"image_url": {"url": "https://example.com/cat.png"}',
        "Images must be reachable URLs or base64 data URLs of JPEG, PNG or WEBP.",
    ),
    _rule(
        "DP221",
        "preference-input-last-role",
        W,
        "preference input does not end with a user message",
        '"input": {"messages": [{"role": "user", ...}, {"role": "assistant", ...}]}',
        '"input": {"messages": [{"role": "user", "content": "Capital of France?"}]}',
        "The preferred and non-preferred outputs answer the last input message.",
    ),
)
