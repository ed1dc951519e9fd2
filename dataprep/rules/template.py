"""DP7xx: what the model's own chat template and tokenizer do to a record (open-weight models only).

The work is done once per record by the chat-template backend (dataprep.tokens.template), which hands these
checks its TemplateFacts; with an API model (no facts) none of them runs.
"""

from __future__ import annotations

from typing import Any

from dataprep.rules.base import RecordContext, Rule, jsonl
from dataprep.tokens.protocol import TemplateFacts
from dataprep.types import Problem, Severity

GPT_OSS = {"model": "openai/gpt-oss-20b", "date": "2025-06-28"}  # shipped tokenizer: examples run offline
# A template that drops the system prompt, as Mistral's v2/v3 Hugging Face templates do when the last turn is
# the assistant's.
DROPS_SYSTEM = (
    "{% for m in messages %}{% if m.role != 'system' %}<|start|>{{ m.role }}<|message|>"
    "{% if m.role == 'assistant' %}{% generation %}{{ m.content }}<|end|>{% endgeneration %}"
    "{% else %}{{ m.content }}<|end|>{% endif %}{% endif %}{% endfor %}"
)
# A template that adds a default system prompt when the data has none, as Qwen2.5's does.
DEFAULT_SYSTEM = (
    "{% if messages[0].role != 'system' %}<|start|>system<|message|>You are a helpful assistant.<|end|>{% endif %}"
    "{% for m in messages %}<|start|>{{ m.role }}<|message|>{% if m.role == 'assistant' %}"
    "{% generation %}{{ m.content }}<|return|>{% endgeneration %}{% else %}{{ m.content }}<|end|>{% endif %}"
    "{% endfor %}"
)
# A template that trains the end-of-turn token of the last assistant turn only.
LAST_EOT_ONLY = (
    "{% for m in messages %}<|start|>{{ m.role }}<|message|>{% if m.role == 'assistant' %}"
    "{% generation %}{{ m.content }}{% if loop.last %}<|return|>{% endif %}{% endgeneration %}"
    "{% if not loop.last %}<|end|>{% endif %}{% else %}{{ m.content }}<|end|>{% endif %}{% endfor %}"
)


def _facts(ctx: RecordContext) -> TemplateFacts | None:
    return ctx.tokens.template


def check_template(record: dict[str, Any], ctx: RecordContext) -> list[Problem]:
    facts = _facts(ctx)
    if facts is None:
        return []
    if facts.raised is not None:
        return [Problem("DP701", f"the chat template of {ctx.model_id} refuses this example: {facts.raised}")]
    out = [
        Problem(
            "DP702", f"this content does not appear in the text the template renders for {ctx.model_id}", path
        )
        for path in facts.missing
    ]
    for what, tokens in facts.added:
        out.append(Problem("DP703", f"the template adds {what}: {tokens:,} tokens the data does not have"))
    for path, token in facts.special:
        out.append(
            Problem(
                "DP704",
                f"content holds {token!r}, which {ctx.model_id}'s tokenizer encodes as a control token "
                "(transformers' apply_chat_template does so by default)",
                path,
            )
        )
    if facts.trained == 0:
        out.append(
            Problem("DP705", "no token of this example is trained (no assistant turn survives rendering)")
        )
    elif facts.eot_trained is False:
        out.append(
            Problem(
                "DP706",
                "an assistant turn's end-of-turn token is outside the trained span: the model may not learn to stop",
            )
        )
    out.extend(_truncation(facts, ctx))
    return out


def _truncation(facts: TemplateFacts, ctx: RecordContext) -> list[Problem]:
    limit = ctx.context_limit
    if facts.rendered <= limit or facts.trained == 0:
        return []
    over = facts.rendered - limit
    kept = facts.trained_within(limit)
    if kept == 0:
        return [
            Problem(
                "DP707",
                f"example has {facts.rendered:,} tokens, {over:,} over the {limit:,}-token sequence length; "
                f"truncation keeps none of its {facts.trained:,} trained tokens (trainers drop it or learn nothing)",
            )
        ]
    return [
        Problem(
            "DP708",
            f"example has {facts.rendered:,} tokens, {over:,} over the {limit:,}-token sequence length; "
            f"truncation cuts the answer: {kept:,} of {facts.trained:,} trained tokens remain",
        )
    ]


_LONG_QUESTION = {
    "messages": [
        {"role": "user", "content": "word " * 400},
        {"role": "assistant", "content": "Short answer."},
    ]
}
_LONG_ANSWER = {
    "messages": [
        {"role": "user", "content": "Tell me more."},
        {"role": "assistant", "content": "word " * 400},
    ]
}
_SHORT = {"messages": [{"role": "user", "content": "What is 2+2?"}, {"role": "assistant", "content": "4"}]}
_WITH_SYSTEM = {"messages": [{"role": "system", "content": "Be brief."}, *_SHORT["messages"]]}

RULES: tuple[Rule, ...] = (
    Rule(
        "DP701",
        "template-raises",
        Severity.ERROR,
        "the model's chat template refuses the example",
        "The trainer renders every example through the model's chat template; a template that raises stops the\n"
        "run (or the example is dropped). The finding quotes the template's own message: role alternation,\n"
        "system role not supported (Gemma), tool-call id format (Mistral), last turn not assistant\n"
        "(mistral-common fine-tuning mode).\n"
        "Bad:  a system message after the first turn, for gpt-oss ('System message must be at the beginning.')\n"
        "Good: the system message first",
        check=check_template,
        bad=jsonl(
            {"messages": [*_SHORT["messages"][:1], {"role": "system", "content": "x"}, _SHORT["messages"][1]]}
        ),
        good=jsonl(_WITH_SYSTEM),
        options=GPT_OSS,
    ),
    Rule(
        "DP702",
        "content-not-rendered",
        Severity.ERROR,
        "a message's content does not appear in the rendered text",
        "Some templates drop content silently: Mistral's v2/v3 Hugging Face templates emit the system prompt\n"
        "only when the conversation ends with a user turn, so every training example loses it. The finding\n"
        "names the JSON path of the content that is missing.\n"
        "Bad:  a system prompt, with a template that drops it\n"
        "Good: the same conversation without one (or a template that keeps it, e.g. mistral-common's)",
        check=check_template,
        bad=jsonl(_WITH_SYSTEM),
        good=jsonl(_SHORT),
        options={**GPT_OSS, "chat_template": DROPS_SYSTEM},
    ),
    Rule(
        "DP703",
        "template-adds-text",
        Severity.INFO,
        "the template adds text the data does not have",
        "Templates add text the trainer sees and counts: a default system prompt (Qwen2.5 when the data has\n"
        "none), today's date (Llama 3.2, gpt-oss: counts change from day to day; pin it with --date), empty\n"
        "<think> blocks (Qwen3). The finding gives the token cost per example.\n"
        "Bad:  no system message, with a template that then adds a default system prompt\n"
        "Good: the data's own system message (or, for the date, --date 2025-06-28)",
        check=check_template,
        bad=jsonl(_SHORT),
        good=jsonl(_WITH_SYSTEM),
        options={**GPT_OSS, "chat_template": DEFAULT_SYSTEM},
    ),
    Rule(
        "DP704",
        "control-token-in-content",
        Severity.ERROR,
        "content holds the text of one of the model's control tokens",
        "transformers encodes control-token text found in content as the control token itself (the default,\n"
        "sanitize_control_tokens=False): a literal '<|end|>' in an answer ends the turn early. This is the\n"
        "model-specific, stricter twin of DP601 (generic special-token text, a warning): it knows the exact\n"
        "control tokens of the model's tokenizer.\n"
        "Bad:  content containing '<|end|>' for gpt-oss\n"
        "Good: the text without it (or escaped)",
        check=check_template,
        bad=jsonl({"messages": [{"role": "user", "content": "Print <|end|> please"}, _SHORT["messages"][1]]}),
        good=jsonl(_SHORT),
        options=GPT_OSS,
    ),
    Rule(
        "DP705",
        "nothing-trained",
        Severity.ERROR,
        "no token of the example carries loss",
        "With assistant-only loss, an example whose rendering has no assistant span trains nothing: TRL raises,\n"
        "other trainers learn nothing from it. Causes: no assistant turn, a template whose assistant turns\n"
        "cannot be located, or a template that drops them.\n"
        "Bad:  a conversation with no assistant turn\n"
        "Good: a user turn and an assistant answer",
        check=check_template,
        bad=jsonl({"messages": [{"role": "user", "content": "Hello?"}]}),
        good=jsonl(_SHORT),
        options=GPT_OSS,
    ),
    Rule(
        "DP706",
        "end-of-turn-not-trained",
        Severity.WARNING,
        "an assistant turn's end-of-turn token is not trained",
        "If the end-of-turn token (Llama 3 <|eot_id|>, ChatML <|im_end|>, gpt-oss <|return|>/<|end|>) is outside\n"
        "the trained span, the model may never learn to stop (TRL warns of the same).\n"
        "Bad:  two assistant turns, with a template that trains the end token of the last turn only\n"
        "Good: one assistant turn with the same template",
        check=check_template,
        bad=jsonl(
            {
                "messages": [
                    *_SHORT["messages"],
                    {"role": "user", "content": "And 3+3?"},
                    {"role": "assistant", "content": "6"},
                ]
            }
        ),
        good=jsonl(_SHORT),
        options={**GPT_OSS, "chat_template": LAST_EOT_ONLY},
    ),
    Rule(
        "DP707",
        "truncated-to-nothing",
        Severity.ERROR,
        "truncation at the sequence length removes every trained token",
        "The trainer cuts each sequence at --max-seq-length (default: the model's context length) from the end.\n"
        "When the cut removes every trained token, TRL drops the example and other trainers learn nothing.\n"
        "Bad:  a 400-word question with --max-seq-length 200\n"
        "Good: a short question",
        check=check_template,
        bad=jsonl(_LONG_QUESTION),
        good=jsonl(_SHORT),
        options={**GPT_OSS, "max_seq_length": 200},
    ),
    Rule(
        "DP708",
        "answer-truncated",
        Severity.WARNING,
        "truncation at the sequence length cuts the answer",
        "Part of the answer is past --max-seq-length: the model trains on a cut answer (and never on its end-of-\n"
        "turn token). The finding gives how many trained tokens remain.\n"
        "Bad:  a 400-word answer with --max-seq-length 200\n"
        "Good: a short answer",
        check=check_template,
        bad=jsonl(_LONG_ANSWER),
        good=jsonl(_SHORT),
        options={**GPT_OSS, "max_seq_length": 200},
    ),
)
