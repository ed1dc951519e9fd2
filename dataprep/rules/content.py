"""DP6xx: text a model would learn by mistake. Control tokens of chat templates (DP601), unfilled template
variables (DP602), `<image>` markers with no image (DP603): each is a warning quoting what was found.

One pass over the record's texts; each text is screened with `in` tests before any regular expression runs,
so clean text costs a few substring scans. Precision comes first: template variables are identifiers only,
outside code (fenced blocks, inline code, lines that look like code) and LaTeX (`\\frac{a}{b}`, `x_{i}`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.types import Kind, Problem, Severity

# Control tokens: the generic `<|name|>` of ChatML, Llama 3 and GPT, and the named ones of other templates.
_CONTROL = re.compile(
    r"<\|[a-z0-9_]+\|>|\[/?INST\]|<</?SYS>>|<(?:start|end)_of_turn>|<(?:bos|eos)>|</?s>", re.IGNORECASE
)
_FAMILY = {
    "<|im_start|>": "ChatML (Qwen, Yi, OpenHermes)",
    "<|im_end|>": "ChatML (Qwen, Yi, OpenHermes)",
    "<|eot_id|>": "Llama 3",
    "<|start_header_id|>": "Llama 3",
    "<|end_header_id|>": "Llama 3",
    "<|begin_of_text|>": "Llama 3",
    "<|end_of_text|>": "Llama 3",
    "<|endoftext|>": "GPT and Qwen",
    "[inst]": "Llama 2 and Mistral",
    "[/inst]": "Llama 2 and Mistral",
    "<<sys>>": "Llama 2",
    "<</sys>>": "Llama 2",
    "<start_of_turn>": "Gemma",
    "<end_of_turn>": "Gemma",
    "<bos>": "Gemma",
    "<eos>": "Gemma",
    "<s>": "Llama 2 and Mistral",
    "</s>": "Llama 2 and Mistral",
}
# `<s>x</s>` with text between is HTML strikethrough, not a BOS/EOS pair.
_STRIKETHROUGH = re.compile(
    r"<s>(?!\s*(?:\[INST\]|<<SYS>>))(?:(?!</?s>).)*?\S(?:(?!</?s>).)*?</s>", re.DOTALL
)

# Template variables: `{{ name }}` / `{{user.name}}` (Jinja, Mustache) and `{name}` (str.format, LangChain).
_DOUBLE = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\s*\}\}")
# Not after a word character, `\`, `$`, `#`, `%`, `^`, `_`, or a brace (LaTeX arguments, ${x}, #{x}, x_{i}).
_SINGLE = re.compile(r"(?<![\w\\$#%^{}])\{[A-Za-z_][A-Za-z0-9_]*\}(?!\})")
_FENCE = re.compile(r"(```|~~~).*?(?:\1|\Z)", re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_CODE_LINE = re.compile(r"""\bf["']|\.format\(|\bprint\(|\bprintf\b|console\.|=>|\breturn\b|\bdef |;\s*$""")

_IMAGE_MARKER = "<image>"


def check_content(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    """DP601, DP602 and DP603 over every text of the record a model reads or writes."""
    out: list[Problem] = []
    marker_path = ""
    for text, path, role in _texts(record, ctx.kind):
        if "<" in text or "[" in text:
            _control_tokens(out, text, path)
            if not marker_path and _IMAGE_MARKER in text:
                marker_path = path
        if "{" in text and role != "tool":
            _template_variables(out, text, path)
    if marker_path and not _has_image(record):
        out.append(
            Problem(
                "DP603",
                f"content holds the marker {_IMAGE_MARKER!r} but the example has no image part: the model "
                "learns the literal text; give the image as an image_url content part",
                marker_path,
            )
        )
    return out


def _texts(record: dict[str, Any], kind: Kind) -> Iterator[tuple[str, str, str]]:
    """(text, JSON path, role) of the strings of the record's messages (or prompt/completion) a rule here may
    flag (see _message_texts)."""
    if kind is Kind.COMPLETION:
        for field in ("prompt", "completion"):
            value = record.get(field)
            if isinstance(value, str):
                yield value, field, "user" if field == "prompt" else "assistant"
        return
    if kind is Kind.CHAT:
        yield from _message_texts(record.get("messages"), "messages")
        return
    inp = record.get("input")
    if isinstance(inp, dict):
        yield from _message_texts(inp.get("messages"), "input.messages")
    for field in (
        "preferred_output",
        "non_preferred_output",
        "preferred_completion",
        "non_preferred_completion",
    ):
        yield from _message_texts(record.get(field), field)


def _message_texts(messages: Any, base: str) -> Iterator[tuple[str, str, str]]:
    """Only texts that hold `<`, `[` or `{` are yielded: nothing else can trigger a rule here, and clean text
    (most of it) then costs three substring scans, with no path or tuple built for it."""
    if not isinstance(messages, list):
        return
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        content = message.get("content")
        if isinstance(content, str):
            if "<" in content or "[" in content or "{" in content:
                yield content, f"{base}[{index}].content", _role(message)
        elif isinstance(content, list):
            for i, part in enumerate(content):
                text = part.get("text") if isinstance(part, dict) else None
                if isinstance(text, str) and ("<" in text or "[" in text or "{" in text):
                    yield text, f"{base}[{index}].content[{i}].text", _role(message)


def _role(message: dict[str, Any]) -> str:
    role = message.get("role")
    return role if isinstance(role, str) else ""


def _control_tokens(out: list[Problem], text: str, path: str) -> None:
    found = _CONTROL.findall(text)
    if not found:
        return
    if any(token.lower() in ("<s>", "</s>") for token in found):
        found = _CONTROL.findall(_STRIKETHROUGH.sub(" ", text))
        if not found:
            return
    token = found[0]
    family = _FAMILY.get(token.lower())
    what = f"a control token of {family} chat templates" if family else "special-token text"
    more = f" ({len(found) - 1} more in this text)" if len(found) > 1 else ""
    out.append(
        Problem(
            "DP601",
            f"content contains {token!r}, {what}{more}: a trainer may read it as that token, or the model "
            "learns to write it",
            path,
        )
    )


def _template_variables(out: list[Problem], text: str, path: str) -> None:
    if "`" in text or "~~~" in text:
        text = _INLINE_CODE.sub(" ", _FENCE.sub(" ", text))
    found = [m.group(0) for m in _DOUBLE.finditer(text)]
    if not found:
        found = [m.group(0) for m in _SINGLE.finditer(text) if not _on_code_line(text, m.start())]
    if not found:
        return
    more = f" ({len(found) - 1} more in this text)" if len(found) > 1 else ""
    out.append(
        Problem(
            "DP602",
            f"content contains the unfilled template variable {found[0]!r}{more}: the model learns the "
            "placeholder instead of a value",
            path,
        )
    )


def _on_code_line(text: str, at: int) -> bool:
    start = text.rfind("\n", 0, at) + 1
    end = text.find("\n", at)
    return bool(_CODE_LINE.search(text[start : end if end >= 0 else len(text)]))


def _has_image(record: dict[str, Any]) -> bool:
    """An image part anywhere in the record, or a trainer-style `images` list (LLaMA-Factory, TRL)."""
    if record.get("images") or record.get("image"):
        return True
    for _, messages in _message_lists(record):
        for message in messages:
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, list) and any(
                isinstance(p, dict) and p.get("type") in ("image_url", "image") for p in content
            ):
                return True
    return False


def _message_lists(record: dict[str, Any]) -> Iterator[tuple[str, list[Any]]]:
    for key in ("messages", "preferred_output", "non_preferred_output"):
        value = record.get(key)
        if isinstance(value, list):
            yield key, value
    inp = record.get("input")
    if isinstance(inp, dict) and isinstance(inp.get("messages"), list):
        yield "input.messages", inp["messages"]


def _chat(user: str, answer: str = "Cumin, with a little smoked paprika.") -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]}


_IMAGE_PART = {"type": "image_url", "image_url": {"url": "https://example.com/dish.png"}}

RULES: tuple[Rule, ...] = (
    Rule(
        "DP601",
        "special-token-text",
        Severity.WARNING,
        "content contains a control token of a chat template (<|im_start|>, <|eot_id|>, [INST], </s>, ...)",
        "Text such as <|im_start|>, <|im_end|>, <|eot_id|>, <|start_header_id|>, <|endoftext|>, [INST],\n"
        "<<SYS>>, <start_of_turn>, <s> or </s> in content is usually a conversation rendered with a chat\n"
        "template and pasted in. Trainers whose tokenizer knows the token read it as the control token (the\n"
        "conversation's structure breaks); others teach the model to write it. `<s>text</s>` with text between is\n"
        "HTML strikethrough and is not reported.\n"
        'Bad:  {"role": "assistant", "content": "Cumin.<|im_end|>"}\n'
        'Good: {"role": "assistant", "content": "Cumin."}',
        check=check_content,
        bad=jsonl(
            _chat("stop<|endoftext|>"),
            _chat("[INST] What is a good spice? [/INST]"),
            _chat("Spice?", "Cumin.</s>"),
            _chat("<start_of_turn>user\nSpice?<end_of_turn>"),
        ),
        good=jsonl(
            _chat("stop <| not a token"),
            _chat("Was it <s>12 €</s> 9 € at the market?"),
            _chat("Use a list like [INSTANT, SLOW]."),
        ),
    ),
    Rule(
        "DP602",
        "unfilled-template-variable",
        Severity.WARNING,
        "content contains an unfilled template variable such as {{name}} or {name}",
        "A prompt template whose variables were never filled (`{{customer_name}}`, `{question}`) teaches the\n"
        "model the placeholder. Only identifiers count, outside code fences, inline code, lines that look like\n"
        "code (f-strings, .format(, =>, return ...) and LaTeX arguments (\\frac{a}{b}, x_{i}); JSON such as\n"
        '{"a": 1} is never a variable.\n'
        'Bad:  {"role": "system", "content": "You help {customer_name} with orders."}\n'
        'Good: {"role": "system", "content": "You help Dana with orders."}',
        check=check_content,
        bad=jsonl(
            _chat("Hello {{ customer_name }}, what did you order?"),
            _chat("Summarise: {document}"),
        ),
        good=jsonl(
            _chat("Format it like ```\nprint(f'{name}')\n```"),
            _chat("Solve $\\frac{a}{b} = x_{i}$"),
            _chat('Return {"name": "Dana"} as JSON.'),
            _chat("In Python, `'{name}'.format(name=x)` fills it."),
        ),
    ),
    Rule(
        "DP603",
        "image-marker-without-image",
        Severity.WARNING,
        "content holds an <image> marker but the example has no image",
        "LLaVA-style data marks where an image goes with <image> and lists the images apart (`images`). In\n"
        "chat JSONL the image is an image_url content part; a marker with no image in the example teaches the\n"
        "model the literal text. A record with an `images` list (LLaMA-Factory, TRL) is not reported.\n"
        'Bad:  {"messages": [{"role": "user", "content": "<image>What dish is this?"}, ...]}\n'
        'Good: {"messages": [{"role": "user", "content": [{"type": "image_url", ...}, {"type": "text", ...}]}, ...]}',
        check=check_content,
        bad=jsonl(_chat("<image>\nWhat dish is this?")),
        good=jsonl(
            {
                "messages": [
                    {
                        "role": "user",
                        "content": [_IMAGE_PART, {"type": "text", "text": "<image> What dish?"}],
                    },
                    {"role": "assistant", "content": "Dal."},
                ]
            },
            _chat("What dish is this?"),
        ),
    ),
)
