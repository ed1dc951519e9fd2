"""DP520: the file's record kind and the model must fit (the model table's `trains` says what each model takes).

A chat file for a completion-only model, preference pairs for a model without DPO, or prompt/completion records
for a chat model: the provider rejects the job, or an open-weight trainer would need another trainer. One finding
per file, naming the models that do take this kind, so the user can switch model or convert the data.
"""

from __future__ import annotations

from dataprep.models import ModelInfo, load_models
from dataprep.rules.base import FileSummary, Rule, jsonl
from dataprep.types import Problem, Severity

_KIND_WORDS = {
    "chat": "chat records (messages, supervised fine-tuning)",
    "preference": "preference records (DPO pairs)",
    "completion": "prompt/completion records",
    "reinforcement": "reinforcement fine-tuning records",
}
_LISTED = 8  # models named in the message; the rest are counted


def check_model_fit(summary: FileSummary) -> list[tuple[int, Problem]]:
    """DP520 once per file when the model is not fine-tuned on the file's kind (only files with examples)."""
    model = summary.model
    kind = summary.kind.value
    if model is None or summary.examples == 0 or model.fits(kind):
        return []
    return [(summary.first_line, Problem("DP520", fit_message(model, kind)))]


def fit_message(model: ModelInfo, kind: str, table: dict[str, ModelInfo] | None = None) -> str:
    """What the model trains on, and which models in the table take `kind` instead."""
    takes = " and ".join(_KIND_WORDS[k] for k in model.trains)
    fitting = sorted(m.id for m in (load_models() if table is None else table).values() if m.fits(kind))
    if not fitting:
        others = "no model in the table takes them"
    else:
        named = ", ".join(fitting[:_LISTED])
        more = f" and {len(fitting) - _LISTED} more (`dataprep models`)" if len(fitting) > _LISTED else ""
        others = f"models that do: {named}{more}"
    from dataprep.open_models import load_open_models  # only when a DP520 is worded

    if load_open_models():
        others += "; so does every open-weight model of `dataprep models` (TRL trains every kind)"
    return f"{_KIND_WORDS[kind]} do not fit {model.id}, which is fine-tuned on {takes} only; {others}"


_CHAT = {
    "messages": [
        {"role": "user", "content": "Translate 'good morning' into French."},
        {"role": "assistant", "content": "Bonjour."},
    ]
}
_COMPLETION = {"prompt": "Translate 'good morning' into French.\n\n###\n\n", "completion": " Bonjour.\n"}

RULES: tuple[Rule, ...] = (
    Rule(
        "DP520",
        "format-model-mismatch",
        Severity.ERROR,
        "the file's record kind is not one the model is fine-tuned on",
        "Each model is fine-tuned on some record kinds only (the model table's `trains`, shown by "
        "`dataprep models`): babbage-002 and davinci-002 take prompt/completion records; the gpt-3.5-turbo "
        "models take chat records; gpt-4o, gpt-4o-mini and the gpt-4.1 family take chat records and DPO "
        "preference pairs; o4-mini takes reinforcement fine-tuning jobs only. Open-weight models trained "
        "with TRL take every kind (SFTTrainer: messages or prompt/completion; DPOTrainer: preference pairs). "
        "The finding names the models that take the file's kind; pick one of "
        "them, or convert the data (`dataprep convert`).\n"
        "Bad:  chat records validated for babbage-002\n"
        "Good: prompt/completion records for babbage-002, or the chat records for gpt-4o-mini-2024-07-18",
        scope="file",
        check=check_model_fit,
        bad=jsonl(_CHAT),
        good=jsonl(_COMPLETION),
        options={"model": "babbage-002"},
    ),
)
