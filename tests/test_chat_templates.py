"""Open-weight tokenizers and chat templates: the renderer, the folder loader, trained spans, template facts."""

from __future__ import annotations

import functools
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataprep.errors import UsageError
from dataprep.models import resolve_model, with_tokenizer_settings
from dataprep.tokens import build_tokenizer
from dataprep.tokens.encoders import Offsets, TiktokenEncoder, harmony_encoding, tokens_in_spans
from dataprep.tokens.folder import load_folder
from dataprep.tokens.render import ChatTemplate, TemplateRaised
from dataprep.tokens.template import ChatTemplateTokenizer, Conversation, conversations
from dataprep.types import Kind
from tests.tiny_tokenizer import write_tiny_tokenizer

FIXTURES = Path(__file__).parent / "fixtures" / "templates"
CHAT = [
    {"role": "system", "content": "You are a helpful assistant."},
    {"role": "user", "content": "What is 2+2?"},
    {"role": "assistant", "content": "It is 4."},
    {"role": "user", "content": "Translate good morning to French."},
    {"role": "assistant", "content": "bonjour"},
]


def fixture(name: str) -> str:
    return (FIXTURES / name / "template.jinja").read_text(encoding="utf-8")


def tiny(tmp_path: Path, template: str, **kw: str) -> ChatTemplateTokenizer:
    folder = load_folder(write_tiny_tokenizer(tmp_path / "tok", template, **kw))
    return ChatTemplateTokenizer("tiny", folder.encoder, template, variables=folder.variables, **kw_eot(kw))


def kw_eot(kw: dict[str, str]) -> dict[str, str]:
    return {"end_of_turn": kw["eos"]} if "eos" in kw else {}


def test_every_fixture_names_its_source_and_licence() -> None:
    for folder in FIXTURES.iterdir():
        text = (folder / "SOURCE.md").read_text(encoding="utf-8")
        assert "Source:" in text and "@" in text and "Licence:" in text, folder.name


def test_renderer_globals_filters_and_generation_spans() -> None:
    template = ChatTemplate(
        "{% for m in messages %}{% if m.role == 'bad' %}{{ raise_exception('no bad roles') }}{% endif %}"
        "{% if loop.index > 2 %}{% break %}{% endif %}"
        "{% if m.role == 'assistant' %}{% generation %}{{ m.content }}{% endgeneration %}"
        "{% else %}{{ m.content | tojson }}{% endif %}{% endfor %}{{ strftime_now('%Y') }}",
        date=datetime(2031, 5, 6),
    )
    assert template.has_generation
    out = template.render([{"role": "user", "content": "é"}, {"role": "assistant", "content": "ok"}])
    assert out.text == '"é"ok2031' and out.spans == ((3, 5),)  # tojson keeps non-ASCII, as transformers does
    with pytest.raises(TemplateRaised, match="no bad roles"):
        template.render([{"role": "bad", "content": "x"}])
    with pytest.raises(TemplateRaised, match="does not compile"):
        ChatTemplate("{% for %}")
    with pytest.raises(TemplateRaised, match=r"UndefinedError|failed"):
        ChatTemplate("{{ messages[0].content.nope() }}").render([{"role": "user", "content": "x"}])
    assert not ChatTemplate("{{ messages }}").has_generation


def test_the_sandbox_refuses_attribute_escapes() -> None:
    with pytest.raises(TemplateRaised):
        ChatTemplate("{{ messages.__class__.__mro__ }}{{ ''.__class__.__subclasses__() }}").render([])


def test_tokens_in_spans_takes_every_overlapping_token() -> None:
    offsets = Offsets([0, 3, 5, 9], [3, 5, 9, 12])
    assert tokens_in_spans(offsets, ((4, 6),)) == [(1, 3)]
    assert tokens_in_spans(offsets, ((9, 12), (2, 2))) == [(3, 4)]
    trimmed = Offsets([0, 4], [3, 6])  # " word": a byte-level token's offsets leave out its leading space
    assert tokens_in_spans(trimmed, ((3, 6),)) == [(1, 2)]


def test_folder_loader_reads_template_special_tokens_and_jinja_file(tmp_path: Path) -> None:
    folder = write_tiny_tokenizer(tmp_path / "f", [{"name": "default", "template": "{{ bos_token }}"}])  # type: ignore[arg-type]
    loaded = load_folder(folder)
    assert loaded.template == "{{ bos_token }}" and loaded.variables["eos_token"] == "</s>"
    (folder / "chat_template.jinja").write_text("{{ eos_token }}", encoding="utf-8")
    assert load_folder(folder).template == "{{ eos_token }}"  # the .jinja file wins, as in transformers
    with pytest.raises(UsageError, match=r"folder holding tokenizer\.json"):
        load_folder(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match=r"no tokenizer\.json"):
        load_folder(tmp_path / "empty")
    (folder / "tokenizer_config.json").write_text("{bad", encoding="utf-8")
    with pytest.raises(UsageError, match="not readable JSON"):
        load_folder(folder)


def test_generation_markers_train_each_assistant_turn_with_its_end_of_turn(tmp_path: Path) -> None:
    tok = tiny(tmp_path, fixture("llama3_training"), bos="<|begin_of_text|>", eos="<|eot_id|>")
    facts = tok.analyse(Conversation(CHAT, "messages"))
    assert facts.method == "generation markers" and len(facts.trained_ranges) == 2
    assert facts.eot_trained is True and facts.raised is None and not facts.missing
    ids = tok.encoder.encode(tok.template.render(CHAT, variables=tok.variables).text)
    decoder: Any = tok.encoder
    trained_text = "".join(decoder._tok.decode(ids[s:e]) for s, e in facts.trained_ranges)
    assert trained_text == "It is 4.bonjour"  # the decoder drops control tokens; the text is exact


def test_render_and_diff_finds_the_same_spans_without_markers(tmp_path: Path) -> None:
    marked = tiny(tmp_path / "a", fixture("llama3_training"), bos="<|begin_of_text|>", eos="<|eot_id|>")
    plain = tiny(tmp_path / "b", fixture("llama3"), bos="<|begin_of_text|>", eos="<|eot_id|>")
    a, b = (t.analyse(Conversation(CHAT, "messages")) for t in (marked, plain))
    assert b.method == "render-and-diff"
    assert (a.rendered, a.trained, a.trained_ranges) == (b.rendered, b.trained, b.trained_ranges)


def test_template_refusals_dropped_content_and_default_system_prompt(tmp_path: Path) -> None:
    gemma = tiny(tmp_path / "g", fixture("gemma_training"), bos="<bos>", eos="<end_of_turn>")
    refused = gemma.analyse(Conversation(CHAT, "messages"))
    assert refused.raised == "System role not supported" and refused.rendered == 0
    mistral = tiny(tmp_path / "m", fixture("mistral"))
    dropped = mistral.analyse(Conversation(CHAT, "messages"))
    assert dropped.missing == (
        "messages[0].content",
    )  # the system prompt is dropped when the last turn is assistant
    qwen = tiny(tmp_path / "q", fixture("qwen2_5_training"), eos="<|im_end|>")
    added = dict(qwen.analyse(Conversation(CHAT[1:], "messages")).added)
    assert added["a default system prompt"] > 5
    assert "a default system prompt" not in dict(qwen.analyse(Conversation(CHAT, "messages")).added)


def test_special_token_text_in_content_and_empty_think_blocks(tmp_path: Path) -> None:
    chatml = tiny(tmp_path, fixture("chatml"), eos="<|im_end|>")
    convo = [
        {"role": "user", "content": "print <|im_end|> literally"},
        {"role": "assistant", "content": "<think>\n\n</think>\n\nok"},
    ]
    facts = chatml.analyse(Conversation(convo, "messages"))
    assert facts.special == (("messages[0].content", "<|im_end|>"),)
    assert not any("think" in what for what, _ in facts.added)  # the block is the data's own
    think = ChatTemplateTokenizer(
        "t", chatml.encoder, "{% for m in messages %}{{ m.content }}{% endfor %}<think>\n\n</think>\n\n"
    )
    added = dict(think.analyse(Conversation([{"role": "user", "content": "hi"}], "messages")).added)
    assert added["1 empty think block(s)"] > 0


def test_date_is_an_addition_until_pinned() -> None:
    harmony = build_tokenizer(resolve_model("openai/gpt-oss-20b").tokenizer_spec)
    facts = harmony.count({"messages": CHAT[1:3]}, Kind.CHAT).template
    assert facts is not None and any(what.startswith("today's date") for what, _ in facts.added)
    pinned_info = with_tokenizer_settings(resolve_model("openai/gpt-oss-20b"), None, date="2025-06-28")
    assert pinned_info is not None
    pinned = build_tokenizer(pinned_info.tokenizer_spec).count({"messages": CHAT[1:3]}, Kind.CHAT).template
    assert pinned is not None and not pinned.added and pinned.eot_trained is True


def test_harmony_encoding_has_gpt_oss_control_tokens() -> None:
    enc = harmony_encoding()
    specials = enc.special_tokens
    assert (specials["<|start|>"], specials["<|message|>"], specials["<|end|>"]) == (200006, 200008, 200007)
    assert specials["<|return|>"] == 200002 and specials["<|call|>"] == 200012 and len(specials) >= 1090
    assert enc.encode("<|start|>user<|message|>hi<|end|>")[0] == 200006


def test_conversations_of_each_kind() -> None:
    assert conversations({"messages": "x"}, Kind.CHAT) is None
    assert conversations({"messages": []}, Kind.CHAT) is None
    assert conversations({"messages": [{"role": "user", "content": "q"}, "x"]}, Kind.CHAT) is None
    chat = conversations({"messages": [{"role": "user", "content": "q"}], "tools": []}, Kind.CHAT)
    assert chat == [Conversation([{"role": "user", "content": "q"}], "messages", [])]
    pref = {
        "input": {"messages": [{"role": "user", "content": "q"}]},
        "preferred_output": [{"role": "assistant", "content": "good"}],
        "non_preferred_output": [{"role": "assistant", "content": "bad"}],
    }
    both = conversations(pref, Kind.PREFERENCE)
    assert both is not None and [c.messages[-1]["content"] for c in both] == ["good", "bad"]
    assert conversations({"input": "x"}, Kind.PREFERENCE) is None
    assert conversations({**pref, "preferred_output": "x"}, Kind.PREFERENCE) is None
    comp = conversations({"prompt": "p", "completion": "c"}, Kind.COMPLETION)
    assert comp is not None and comp[0].messages[1] == {"role": "assistant", "content": "c"}
    assert conversations({"prompt": 1}, Kind.COMPLETION) is None


def test_folder_model_settings_and_errors(tmp_path: Path) -> None:
    folder = write_tiny_tokenizer(tmp_path / "my-model", fixture("chatml"), eos="<|im_end|>")
    info = with_tokenizer_settings(None, None, tokenizer=str(folder))
    assert info is not None and info.id == "my-model" and info.max_tokens == 4096  # model_max_length
    tok = build_tokenizer(info.tokenizer_spec)
    counted = tok.count({"messages": CHAT[1:3]}, Kind.CHAT)
    assert counted.template is not None and counted.total == counted.template.rendered > counted.trained > 0
    (folder / "config.json").write_text(json.dumps({"max_position_embeddings": 2048}), encoding="utf-8")
    assert with_tokenizer_settings(None, "x", tokenizer=str(folder)).max_tokens == 2048  # type: ignore[union-attr]
    assert with_tokenizer_settings(None, None) is None
    with pytest.raises(UsageError, match="needs a tokenizer"):
        with_tokenizer_settings(None, None, chat_template="{{ x }}")
    with pytest.raises(UsageError, match="API model"):
        with_tokenizer_settings(resolve_model(None), None, chat_template="{{ x }}")
    with pytest.raises(UsageError, match="YYYY-MM-DD"):
        with_tokenizer_settings(resolve_model("openai/gpt-oss-20b"), None, date="June 5")
    with pytest.raises(UsageError, match="cannot read the chat template"):
        with_tokenizer_settings(resolve_model("openai/gpt-oss-20b"), None, chat_template=str(tmp_path / "no"))
    bare = write_tiny_tokenizer(tmp_path / "bare", None)
    (bare / "tokenizer_config.json").write_text("{}", encoding="utf-8")
    with pytest.raises(UsageError, match="no context length"):
        with_tokenizer_settings(None, None, tokenizer=str(bare))
    no_template = with_tokenizer_settings(None, None, tokenizer=str(bare), max_seq_length=100)
    assert no_template is not None and no_template.max_tokens == 100
    with pytest.raises(UsageError, match="no chat template"):
        build_tokenizer(no_template.tokenizer_spec)


def test_a_tokenizer_that_is_not_installed_says_how_to_get_it() -> None:
    with pytest.raises(UsageError, match="--tokenizer PATH"):
        build_tokenizer(resolve_model("google/gemma-2-9b-it").tokenizer_spec)


def test_namespace_and_dict_globals_are_safe() -> None:
    ok = ChatTemplate("{% set ns = namespace(n=1) %}{% set ns.n = ns.n + 1 %}{{ ns.n }}{{ dict(a=1)['a'] }}")
    assert ok.render([]).text == "21"
    with pytest.raises(TemplateRaised):
        ChatTemplate("{% set ns = namespace(_x=1) %}").render([])


def test_none_values_are_dropped_and_reasoning_is_aliased() -> None:
    template = ChatTemplate("{% for m in messages %}[{{ m.content }}|{{ m.thinking }}]{% endfor %}")
    text = template.render([{"role": "assistant", "content": None, "reasoning_content": "hmm"}]).text
    assert text == "[|hmm]"


def test_llama3_from_the_installed_llama_models_wheel() -> None:
    pytest.importorskip("llama_models")
    tok = build_tokenizer(resolve_model("meta-llama/Llama-3.1-8B-Instruct").tokenizer_spec)
    counted = tok.count({"messages": CHAT[1:3]}, Kind.CHAT)
    facts = counted.template
    assert facts is not None and facts.method == "generation markers" and facts.eot_trained is True
    # trained: "It", " is", " ", "4", ".", "<|eot_id|>" (Llama 3 splits digits from the space before them)
    assert counted.trained == 6 and not facts.added  # Llama 3.1's date is fixed (26 Jul 2024)
    assert tok.count({"messages": [{"role": "user", "content": "<|eot_id|>"}]}, Kind.CHAT).template.special  # type: ignore[union-attr]


def test_mistral_models_render_through_mistral_common() -> None:
    pytest.importorskip("mistral_common")
    nemo = build_tokenizer(resolve_model("mistralai/Mistral-Nemo-Instruct-2407").tokenizer_spec)
    facts = nemo.count({"messages": CHAT}, Kind.CHAT).template
    assert facts is not None and facts.method == "mistral-common"
    assert not facts.missing  # mistral-common keeps the system prompt, before the last user message
    assert len(facts.trained_ranges) == 2 and facts.eot_trained is True
    refused = nemo.count(
        {"messages": CHAT[:2]}, Kind.CHAT
    ).template  # fine-tuning mode wants a last assistant
    assert refused is not None and refused.raised and "assistant" in refused.raised.lower()
    v3 = build_tokenizer(resolve_model("mistralai/Mistral-7B-Instruct-v0.3").tokenizer_spec)
    assert not v3.count({"messages": CHAT}, Kind.CHAT).template.missing  # type: ignore[union-attr]
    assert len(nemo.message_tokens({"messages": CHAT}, Kind.CHAT)) == 5


def test_gpt_oss_multi_turn_trains_every_end_of_turn() -> None:
    info = with_tokenizer_settings(resolve_model("openai/gpt-oss-20b"), None, date="2025-06-28")
    assert info is not None
    facts = build_tokenizer(info.tokenizer_spec).count({"messages": CHAT}, Kind.CHAT).template
    # earlier assistant turns end with <|end|>, the last with <|return|>: both are end-of-turn tokens
    assert facts is not None and len(facts.trained_ranges) == 2 and facts.eot_trained is True


def test_byte_offsets_map_non_ascii_spans_exactly() -> None:
    info = with_tokenizer_settings(resolve_model("openai/gpt-oss-20b"), None, date="2025-06-28")
    assert info is not None
    tok: Any = build_tokenizer(info.tokenizer_spec)
    convo = [
        {"role": "user", "content": "你好，今天天气怎么样？"},
        {"role": "assistant", "content": "今天晴天。"},
    ]
    facts = tok.analyse(Conversation(convo, "messages"))
    ids = tok.encoder.encode(tok.template.render(convo, variables=tok.variables).text)
    ((start, end),) = facts.trained_ranges
    assert tok.encoder._enc.decode(ids[start:end]) == "<|channel|>final<|message|>今天晴天。<|return|>"


def test_tiktoken_offsets_are_each_tokens_bytes_in_order() -> None:
    enc = harmony_encoding()
    text = "Réponse: 红烧肉 <|end|> done"
    ids, offsets = enc.encode_with_offsets(text)
    data = text.encode("utf-8")
    assert offsets.in_bytes and len(offsets.starts) == len(offsets.ends) == len(ids)
    pieces = [data[a:b] for a, b in zip(offsets.starts, offsets.ends, strict=True)]
    assert b"".join(pieces) == data
    assert pieces == [enc._enc.decode_single_token_bytes(i) for i in ids]
    assert offsets.starts[0] == 0 and offsets.starts[-1] == offsets.ends[-2]
    assert list(offsets.starts[1:3]) == list(offsets.ends[0:2])
    with pytest.raises(IndexError):
        offsets.starts[len(ids)]


def test_contiguous_offsets_find_the_same_tokens_as_explicit_starts() -> None:
    import random
    from itertools import accumulate

    rng = random.Random(7)
    for _ in range(300):
        lengths = [rng.randint(1, 6) for _ in range(rng.randint(0, 12))]
        ends = list(accumulate(lengths))
        starts = [0, *ends[:-1]] if ends else []
        total = ends[-1] if ends else 0
        spans = tuple(sorted((rng.randint(0, total + 2), rng.randint(0, total + 2))) for _ in range(3))
        explicit = tokens_in_spans(Offsets(starts, ends), spans)
        assert tokens_in_spans(Offsets(starts, ends, contiguous=True), spans) == explicit


def test_numpy_ends_find_the_same_tokens_as_a_list() -> None:
    import random
    from itertools import accumulate

    import numpy as np

    rng = random.Random(11)
    for _ in range(300):
        ends = list(accumulate(rng.randint(1, 6) for _ in range(rng.randint(0, 12))))
        total = ends[-1] if ends else 0
        spans = tuple(sorted((rng.randint(0, total + 2), rng.randint(0, total + 2))) for _ in range(3))
        as_list = tokens_in_spans(Offsets([0, *ends[:-1]], ends, contiguous=True), spans)
        array = np.array(ends, dtype=np.int64)
        assert tokens_in_spans(Offsets([0, *ends[:-1]], array, contiguous=True), spans) == as_list


_PIECES = [
    "<|end|>", "<|start|>", "<|message|>", "<|return|>", "<|reserved_200013|>", "<|endoftext|>",
    "<|", "|>", "<", "|", ">", "<|<|end|>", "<|end|>|>", "<|not_a_token|>", "<||>", "<|end||>",
    "hello", " world", "\n\n", "  ", "红烧肉", "é", "🙂", "x" * 40, "1234567", "'s", "\t",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=30))
@settings(max_examples=300, deadline=None)
def test_allowing_only_the_control_tokens_a_text_holds_gives_tiktokens_ids(pieces: list[str]) -> None:
    enc = _harmony()
    text = "".join(pieces)
    expected = enc._enc.encode(text, allowed_special="all")
    assert enc.encode(text) == expected
    assert enc.count(text) == len(expected)
    ids, _ = enc.encode_with_offsets(text)
    assert list(ids) == expected


def test_control_tokens_of_another_shape_are_all_allowed() -> None:
    import tiktoken

    base = harmony_encoding()._enc
    odd = tiktoken.Encoding(
        "odd", pat_str=base._pat_str, mergeable_ranks=base._mergeable_ranks, special_tokens={"</s>": 300000}
    )
    enc = TiktokenEncoder(odd)
    assert not enc._shaped
    assert enc.encode("a</s>b") == odd.encode("a</s>b", allowed_special="all")
    assert 300000 in enc.encode("a</s>b")


@functools.cache
def _harmony() -> TiktokenEncoder:
    return harmony_encoding()


def test_content_is_found_wherever_the_template_put_it(tmp_path: Path) -> None:
    """DP702's search: a message the template moved before an earlier one is still found, and a long content
    is matched whole (its first 64 characters occurring elsewhere is not enough)."""
    tok = tiny(tmp_path, fixture("chatml"))
    long_answer = "x" * 64 + " and then the end of a long answer"
    text = f"second first {'x' * 64} decoy {long_answer}"
    messages = [{"content": "first"}, {"content": "second"}, {"content": long_answer}]

    def missing(messages: list[dict[str, Any]], path: str) -> tuple[str, ...]:
        return tok._content_findings(messages, text, path)[0]

    assert missing(messages, "messages") == ()
    assert missing([{"content": "x" * 64 + " not there"}], "messages") == ("messages[0].content",)
    assert missing([{"content": "first"}, {"content": "absent"}], "m") == ("m[1].content",)


def test_token_ranges_are_the_tokens_overlapping_each_span() -> None:
    """Against the definition (a token is trained when its [start, end) overlaps a span), for explicit offsets
    (a list, with gaps as byte-level tokenizers leave them) and contiguous ones (a list and a numpy array)."""
    import random
    from itertools import accumulate

    import numpy as np

    def overlapping(
        starts: list[int], ends: list[int], spans: tuple[tuple[int, int], ...]
    ) -> list[tuple[int, int]]:
        out = []
        for a, b in spans:
            hit = [i for i, (s, e) in enumerate(zip(starts, ends, strict=True)) if b > a and e > a and s < b]
            if hit:
                out.append((hit[0], hit[-1] + 1))
        return out

    rng = random.Random(3)
    for _ in range(400):
        ends = list(accumulate(rng.randint(1, 5) for _ in range(rng.randint(0, 15))))
        starts = [0, *ends[:-1]] if ends else []
        total = ends[-1] if ends else 0
        spans = tuple(
            sorted((rng.randint(0, total + 2), rng.randint(0, total + 2))) for _ in range(rng.randint(0, 4))
        )
        want = overlapping(starts, ends, spans)
        assert tokens_in_spans(Offsets(starts, ends, contiguous=True), spans) == want
        assert (
            tokens_in_spans(Offsets(starts, np.array(ends, dtype=np.int64), contiguous=True), spans) == want
        )
        trimmed = [
            s + (1 if e - s > 1 and rng.random() < 0.3 else 0) for s, e in zip(starts, ends, strict=True)
        ]
        assert tokens_in_spans(Offsets(trimmed, ends), spans) == overlapping(trimmed, ends, spans)


def test_byte_spans_of_non_ascii_text_in_and_out_of_order() -> None:
    """UTF-8 byte spans from character spans: encoded once per record when the spans come in text order, and
    still exact when they do not."""
    import random

    rng = random.Random(5)
    offsets = Offsets([], [], in_bytes=True)
    for _ in range(300):
        text = "".join(rng.choice(["a", " ", "é", "红", "🙂", "\n"]) for _ in range(rng.randint(1, 30)))
        cuts = sorted(rng.randint(0, len(text)) for _ in range(2 * rng.randint(1, 3)))
        spans = tuple(zip(cuts[::2], cuts[1::2], strict=True))
        if rng.random() < 0.3:
            spans = spans[::-1]  # out of order
        want = tuple((len(text[:a].encode()), len(text[:b].encode())) for a, b in spans)
        assert offsets.spans_in_units(text, spans) == (want if not text.isascii() else spans)


def test_end_of_turn_anywhere_in_a_trained_range_counts(tmp_path: Path) -> None:
    """The end-of-turn test reads the range's last token (numpy ids or a list), and scans the range when the
    last token is something else."""
    import numpy as np

    tok = tiny(tmp_path, fixture("chatml"))
    (eot,) = tok.eot_ids
    ids = [5, 6, eot, 7, 8, 9, eot]
    for seq in (ids, np.array(ids, dtype=np.uint32)):
        assert tok._ends_of_turn_trained(seq, ((0, 3), (3, 7)))  # last tokens
        assert tok._ends_of_turn_trained(seq, ((0, 4),))  # inside, not last
        assert not tok._ends_of_turn_trained(seq, ((0, 3), (3, 6)))  # the second holds none
