"""The chat-template backend: a record rendered through the model's own template and tokenizer.

Per record it yields what the trainer sees (rendered tokens), what carries loss (trained tokens: from
`{% generation %}` markers when the template has them, otherwise by rendering each assistant turn's prompt and
diffing, as trainers do), whether each assistant turn's end-of-turn token is trained, and the template findings
(refusals, dropped content, added text, control-token text in content). Mistral models render through
`mistral-common` in fine-tuning mode (dataprep.tokens.mistral), the reference for their format.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from dataprep.errors import UsageError
from dataprep.tokens.encoders import TextEncoder, tokens_in_spans
from dataprep.tokens.protocol import RecordTokens, TemplateFacts
from dataprep.tokens.render import ChatTemplate, TemplateRaised
from dataprep.types import Kind

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "data" / "templates"
_EMPTY_THINK = re.compile(r"<think>\s*</think>\s*")
_PROBE = ({"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"})


class Conversation(NamedTuple):
    """The messages of one trained sequence, where they sit in the record, and its tools (a NamedTuple: one or
    two are built for every record)."""

    messages: list[dict[str, Any]]
    path: str  # JSON path of the messages list, for findings
    tools: Any = None


def count_conversations(
    analyse: Callable[[Conversation], TemplateFacts], record: Mapping[str, Any], kind: Kind
) -> RecordTokens:
    """A record's counts from the facts of each sequence it trains on: the longest must fit, every one is
    billed, and the first (the preferred answer of a pair) is what is trained."""
    convs = conversations(record, kind)
    if convs is None:
        return RecordTokens(0, 0, 0, (0,))
    if len(convs) == 1:  # the common case, without the generic bookkeeping
        only = analyse(convs[0])
        return RecordTokens(only.rendered, only.trained, only.trained, (only.rendered,), only)
    facts = [analyse(c) for c in convs]
    first = facts[0]
    return RecordTokens(
        total=max(f.rendered for f in facts),
        assistant=first.trained,
        trained=first.trained,
        billed=tuple(f.rendered for f in facts),
        template=first,
    )


def conversations(record: Mapping[str, Any], kind: Kind) -> list[Conversation] | None:
    """The sequences a record trains on (two for a preference pair); None when the record has no usable shape
    (the schema rules report that)."""
    if kind is Kind.CHAT:
        messages = record.get("messages")
        if isinstance(messages, list) and _is_messages(messages):
            return [Conversation(list(messages), "messages", record.get("tools"))]
        return None
    if kind is Kind.PREFERENCE:
        inp = record.get("input")
        if not isinstance(inp, Mapping):
            return None
        prompt = inp.get("messages")
        out = []
        for key in ("preferred_output", "non_preferred_output"):
            answer = record.get(key)
            if not (isinstance(prompt, list) and isinstance(answer, list)):
                return None
            if not (_is_messages(prompt) and _is_messages(answer)):
                return None
            out.append(Conversation([*prompt, *answer], "input.messages", inp.get("tools")))
        return out
    prompt, completion = record.get("prompt"), record.get("completion")
    if isinstance(prompt, str) and isinstance(completion, str):
        return [
            Conversation(
                [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}], ""
            )
        ]
    return None


def _is_messages(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for message in value:  # noqa: SIM110 - a generator in all() costs more than the test on a short list
        if not isinstance(message, dict):
            return False
    return True


class ChatTemplateTokenizer:
    """The Tokenizer seam for an open-weight model rendered through a Jinja chat template."""

    def __init__(
        self,
        label: str,
        encoder: TextEncoder,
        template_source: str,
        *,
        variables: Mapping[str, str] | None = None,
        end_of_turn: str = "",
        date: datetime | None = None,
    ) -> None:
        self._label = label
        self.encoder = encoder
        self.template = ChatTemplate(template_source, date=date)
        self.variables = dict(variables or {})
        # one or more end-of-turn tokens, space-separated (gpt-oss: <|return|> ends the last turn, <|end|> others)
        ends = (end_of_turn or self.variables.get("eos_token", "")).split()
        self.end_of_turn = ends[0] if ends else ""
        specials = self.encoder.special_tokens
        self.eot_ids = frozenset(specials[t] for t in ends if t in specials)
        self.date_pinned = date is not None
        texts = sorted(specials, key=len, reverse=True)
        self._special_re = re.compile("|".join(map(re.escape, texts))) if texts else None
        # what every control token starts with (Llama 3's 256 all start with `<|`): a cheap test before the regex
        leads = {t[:2] for t in texts}
        self._special_leads = tuple(leads) if len(leads) <= 4 else ("",)

    @property
    def name(self) -> str:
        how = "generation markers" if self.template.has_generation else "render-and-diff"
        return f"{self._label} ({self.encoder.name}, chat template, trained spans by {how})"

    def count(self, record: Mapping[str, Any], kind: Kind) -> RecordTokens:
        return count_conversations(self.analyse, record, kind)

    def message_tokens(self, record: Mapping[str, Any], kind: Kind) -> list[int]:
        convs = conversations(record, kind)
        if not convs:
            return []
        return [self.encoder.count(_text(m.get("content"))) for m in convs[0].messages]

    def analyse(self, conv: Conversation) -> TemplateFacts:
        messages = conv.messages
        try:
            rendered = self.template.render(messages, variables=self.variables, tools=conv.tools)
        except TemplateRaised as exc:
            return TemplateFacts(0, 0, raised=str(exc))
        text = rendered.text
        ids, offsets = self.encoder.encode_with_offsets(text)
        if self.template.has_generation:
            spans, method = rendered.spans, "generation markers"
        else:
            spans, method = self._diff_spans(messages, text, conv.tools), "render-and-diff"
        ranges = tuple(tokens_in_spans(offsets, offsets.spans_in_units(text, spans)))
        trained = 0
        for start, end in ranges:
            trained += end - start
        missing, special = self._content_findings(messages, text, conv.path)
        return TemplateFacts(
            rendered=len(ids),
            trained=trained,
            trained_ranges=ranges,
            method=method,
            eot_trained=self._ends_of_turn_trained(ids, ranges) if ranges and self.eot_ids else None,
            missing=missing,
            added=self._added(messages, text),
            special=special,
        )

    def _ends_of_turn_trained(self, ids: Sequence[int], ranges: tuple[tuple[int, int], ...]) -> bool:
        """Whether every trained range holds an end-of-turn token: usually its last token, otherwise one inside
        it (`in` scans a list or a numpy array in C)."""
        eot = self.eot_ids
        at = getattr(ids, "item", ids.__getitem__)  # numpy: item() gives an int, not a numpy scalar
        for start, end in ranges:
            if at(end - 1) not in eot and not any(t in ids[start:end] for t in eot):
                return False
        return True

    def _diff_spans(
        self, messages: list[dict[str, Any]], text: str, tools: Any
    ) -> tuple[tuple[int, int], ...]:
        """Each assistant turn's span: the render up to it, minus the render of its prompt (with the generation
        prompt); when the template is not prefix-stable, the turn's content located in the text up to its
        end-of-turn token."""
        spans: list[tuple[int, int]] = []
        cursor = 0
        for i, message in enumerate(messages):
            if message.get("role") != "assistant":
                continue
            prompt: str | None
            upto: str | None
            try:
                prompt = self.template.render(
                    messages[:i], add_generation_prompt=True, variables=self.variables, tools=tools
                ).text
                upto = self.template.render(messages[: i + 1], variables=self.variables, tools=tools).text
            except TemplateRaised:
                prompt = upto = None
            if prompt is not None and upto is not None and upto.startswith(prompt) and text.startswith(upto):
                if len(upto) > len(prompt):
                    spans.append((len(prompt), len(upto)))
                cursor = len(upto)
                continue
            content = _text(message.get("content")).strip()
            at = text.find(content, cursor) if content else -1
            if at < 0:
                continue
            end = at + len(content)
            if self.end_of_turn:
                eot = text.find(self.end_of_turn, end)
                if eot >= 0 and not text[end:eot].strip():
                    end = eot + len(self.end_of_turn)
            spans.append((at, end))
            cursor = end
        return tuple(spans)

    def _content_findings(
        self, messages: Sequence[Mapping[str, Any]], text: str, path: str
    ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
        """One pass over the messages: the JSON paths of content missing from the rendered text, and the
        control-token text held in content."""
        missing: list[str] = []
        special: list[tuple[str, str]] = []
        cursor = 0
        special_re, leads = self._special_re, self._special_leads
        lead = leads[0] if len(leads) == 1 else None  # the usual single lead: one `in` test, no generator
        for i, message in enumerate(messages):
            content = message.get("content")
            if not isinstance(content, str):
                continue
            if (
                special_re is not None
                and (lead in content if lead is not None else any(lead in content for lead in leads))
                and (hit := special_re.search(content))
            ):
                special.append((f"{path}[{i}].content", hit.group(0)))
            stripped = content.strip()
            if not stripped:
                continue
            at = text.find(stripped, cursor) if len(stripped) <= _SHORT else _find(text, stripped, cursor)
            if at < 0 < cursor:  # not after the last one found: the template may have moved it
                at = _find(text, stripped, 0)
            if at < 0:
                missing.append(f"{path}[{i}].content")
            else:
                cursor = at + len(stripped)
        return tuple(missing), tuple(special)

    def _added(self, messages: Sequence[Mapping[str, Any]], text: str) -> tuple[tuple[str, int], ...]:
        out: list[tuple[str, int]] = []
        if self._default_system_cost > 0 and not any(m.get("role") == "system" for m in messages):
            out.append(("a default system prompt", self._default_system_cost))
        if not self.date_pinned and self._date_cost > 0:
            out.append(("today's date (pin it with --date)", self._date_cost))
        if "<think>" not in text:  # the common case: no think block anywhere
            return tuple(out)
        in_data = sum(len(_EMPTY_THINK.findall(_text(m.get("content")))) for m in messages)
        blocks = _EMPTY_THINK.findall(text)
        if len(blocks) > in_data:
            cost = sum(self.encoder.count(b) for b in blocks[in_data:])
            out.append((f"{len(blocks) - in_data} empty think block(s)", cost))
        return tuple(out)

    @cached_property
    def _default_system_cost(self) -> int:
        """Tokens the template adds when the data has no system message (a default system prompt)."""
        try:
            bare = self.template.render(list(_PROBE), variables=self.variables).text
            empty = self.template.render(
                [{"role": "system", "content": ""}, *_PROBE], variables=self.variables
            ).text
        except TemplateRaised:
            return 0
        return max(0, self.encoder.count(bare) - self.encoder.count(empty))

    @cached_property
    def _date_cost(self) -> int:
        """Tokens of the date the template writes from today's clock (0 when it writes none)."""
        renders = []
        for day in (datetime(2001, 2, 3), datetime(2002, 11, 28)):
            probe = ChatTemplate(self.template.source, date=day)
            try:
                renders.append(probe.render(list(_PROBE), variables=self.variables).text)
            except TemplateRaised:
                return 0
        if renders[0] == renders[1]:
            return 0
        a, b = renders
        start = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
        tail = next(i for i, (x, y) in enumerate(zip(reversed(a), reversed(b), strict=False)) if x != y)
        changed = a[start : len(a) - tail]
        # the whole date line, not only the characters that differ between the two probe days
        line_start = a.rfind("\n", 0, start) + 1
        line_end = a.find("\n", start + len(changed))
        return self.encoder.count(a[line_start : line_end if line_end >= 0 else len(a)])


_SHORT = 64  # a needle str.find prepares quickly


def _find(text: str, part: str, start: int) -> int:
    """text.find(part, start), cheaper for a long `part`: str.find prepares the whole needle before it scans,
    so look for its first 64 characters and compare the rest where they occur."""
    if len(part) <= _SHORT:
        return text.find(part, start)
    head = part[:_SHORT]
    at = text.find(head, start)
    while at >= 0 and not text.startswith(part, at):
        at = text.find(head, at + 1)
    return at


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
        )
    return ""


def parse_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y-%m-%d")
    except ValueError as exc:
        raise UsageError(f"--date must be YYYY-MM-DD, got {value!r}") from exc
