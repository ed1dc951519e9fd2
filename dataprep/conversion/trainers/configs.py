"""The configuration that loads the exported data, per trainer, with only the keys each trainer's docs name.

Sources (stored copies read 2026-12-02):
- Axolotl: docs/dataset-formats/conversation.qmd (datasets: path, type: chat_template, field_messages,
  message_property_mappings, roles_to_train, train_on_eos, message_field_training), docs/rlhf.qmd (rl: dpo,
  type: chat_template.default, field_chosen, field_rejected), docs/config.qmd (sequence_len, sample_packing,
  test_datasets, val_set_size).
- LLaMA-Factory: data/README.md (dataset_info.json: file_name, formatting, ranking, columns, tags) and its
  training YAML keys (stage, dataset, dataset_dir, eval_dataset, cutoff_len, packing, output_dir).
- TRL: trl/trainer/sft_config.py and dpo_config.py (max_length, packing, assistant_only_loss) and the `trl` CLI's
  script arguments (dataset_name, dataset_train_split, dataset_test_split, model_name_or_path).
- AutoTrain: docs/source/config.mdx and configs/llm_finetuning/*.yml (task, base_model, project_name, backend,
  data.path/train_split/valid_split/chat_template/column_mapping, params.trainer/block_size/model_max_length/
  max_prompt_length/padding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DATA_DIR = "data"


@dataclass(frozen=True, slots=True)
class TrainerOptions:
    """What the user said about the run; None = not said, so the trainer's own default applies."""

    base_model: str | None = None
    max_length: int | None = None
    max_prompt_length: int | None = None
    packing: bool = False
    assistant_only_loss: bool = False
    name: str = "dataprep"  # LLaMA-Factory dataset name; AutoTrain project name


@dataclass(frozen=True, slots=True)
class DataFacts:
    """What the written data holds that the config must mention."""

    kind: str
    validation: bool
    tools: bool = False
    weights: bool = False
    images: bool = False
    system: bool = False  # a top-level system column (LLaMA-Factory reads a named column, so it must exist)
    message_keys: tuple[str, ...] = ()  # message keys besides role and content (Axolotl maps them)


@dataclass(frozen=True, slots=True)
class ConfigFile:
    name: str
    document: dict[str, Any]
    comments: tuple[str, ...]
    format: str  # yaml or json
    run: str  # how to start training from the export folder


def _model_line(options: TrainerOptions, key: str) -> dict[str, Any]:
    return {key: options.base_model} if options.base_model else {}


def _missing_model(options: TrainerOptions, key: str) -> tuple[str, ...]:
    return (
        ()
        if options.base_model
        else (f"Set `{key}` (the model to fine-tune): give --base-model to write it.",)
    )


# -- Axolotl ---------------------------------------------------------------------------------------------------------


def axolotl_config(facts: DataFacts, options: TrainerOptions) -> ConfigFile:
    def stanza(path: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"path": path, "ds_type": "json", "split": "train"}
        mappings = {"role": "role", "content": "content", **{k: k for k in facts.message_keys}}
        if facts.kind == "preference":
            entry |= {
                "type": "chat_template.default",
                "field_messages": "messages",
                "field_chosen": "chosen",
                "field_rejected": "rejected",
                "message_property_mappings": mappings,
            }
            return entry
        entry |= {
            "type": "chat_template",
            "field_messages": "messages",
            "message_property_mappings": mappings,
            "roles_to_train": ["assistant"],
            "train_on_eos": "turn",
        }
        if facts.weights:
            entry["message_field_training"] = "training"
        if facts.tools:
            entry["field_tools"] = "tools"
        return entry

    document: dict[str, Any] = _model_line(options, "base_model")
    document["chat_template"] = "tokenizer_default"
    if facts.kind == "preference":
        document["rl"] = "dpo"
    document["datasets"] = [stanza(f"{DATA_DIR}/train.jsonl")]
    if facts.validation:
        document["test_datasets"] = [stanza(f"{DATA_DIR}/validation.jsonl")]
        document["val_set_size"] = 0
    if options.max_length is not None:
        document["sequence_len"] = options.max_length
    document["sample_packing"] = options.packing and facts.kind == "chat"
    document["output_dir"] = "./outputs"
    comments = (
        "Written by `dataprep export --to axolotl`. Train from this folder: axolotl train axolotl.yaml",
        "Formats: https://docs.axolotl.ai/docs/dataset-formats/conversation.html and docs/rlhf.qmd (DPO).",
        *(
            ("Messages with weight 0 carry training: false (message_field_training).",)
            if facts.weights
            else ()
        ),
        *_missing_model(options, "base_model"),
    )
    return ConfigFile("axolotl.yaml", document, comments, "yaml", "axolotl train axolotl.yaml")


# -- LLaMA-Factory ---------------------------------------------------------------------------------------------------


def llama_factory_dataset_info(facts: DataFacts, options: TrainerOptions) -> ConfigFile:
    columns: dict[str, str] = {"messages": "conversations"}
    if facts.kind == "preference":
        columns |= {"chosen": "chosen", "rejected": "rejected"}
    if facts.kind == "kto":
        columns["kto_tag"] = "kto_tag"
    if facts.system:
        columns["system"] = "system"
    if facts.tools:
        columns["tools"] = "tools"
    if facts.images:
        columns["images"] = "images"

    def entry(file_name: str) -> dict[str, Any]:
        out: dict[str, Any] = {"file_name": file_name, "formatting": "sharegpt"}
        if facts.kind == "preference":
            out["ranking"] = True
        out["columns"] = dict(columns)
        return out

    document = {options.name: entry("train.jsonl")}
    if facts.validation:
        document[f"{options.name}_validation"] = entry("validation.jsonl")
    return ConfigFile("dataset_info.json", document, (), "json", "")


def llama_factory_train_args(facts: DataFacts, options: TrainerOptions) -> ConfigFile:
    stage = {"chat": "sft", "preference": "dpo", "kto": "kto"}[facts.kind]
    document: dict[str, Any] = _model_line(options, "model_name_or_path")
    document |= {
        "stage": stage,
        "do_train": True,
        "finetuning_type": "lora",
        "dataset_dir": ".",
        "dataset": options.name,
    }
    if facts.validation:
        document["eval_dataset"] = f"{options.name}_validation"
    if options.max_length is not None:
        document["cutoff_len"] = options.max_length
    if facts.kind == "chat":
        document["packing"] = options.packing
    document["output_dir"] = "outputs"
    comments = (
        "Written by `dataprep export --to llama-factory`. Train from this folder: llamafactory-cli train "
        "llamafactory.yaml",
        "Set `template` to the model's chat template name (LLaMA-Factory's README lists them).",
        *_missing_model(options, "model_name_or_path"),
    )
    return ConfigFile(
        "llamafactory.yaml", document, comments, "yaml", "llamafactory-cli train llamafactory.yaml"
    )


# -- TRL -------------------------------------------------------------------------------------------------------------


def trl_config(facts: DataFacts, options: TrainerOptions) -> ConfigFile:
    command = {"chat": "sft", "preference": "dpo", "kto": "kto"}[facts.kind]
    document: dict[str, Any] = _model_line(options, "model_name_or_path")
    document |= {"dataset_name": DATA_DIR, "dataset_train_split": "train"}
    if facts.validation:
        document["dataset_test_split"] = "validation"
    if options.max_length is not None:
        document["max_length"] = options.max_length
    if facts.kind == "chat":
        document["packing"] = options.packing
        document["assistant_only_loss"] = options.assistant_only_loss
    if facts.kind == "preference" and options.max_prompt_length is not None:
        document["max_prompt_length"] = options.max_prompt_length
    document["output_dir"] = "outputs"
    comments = (
        f"Written by `dataprep export --to trl`. Train from this folder: trl {command} --config trl.yaml",
        "The data folder loads with datasets.load_dataset('data') (train.jsonl, validation.jsonl).",
        *(
            ("assistant_only_loss needs a chat template with {% generation %} markers.",)
            if options.assistant_only_loss
            else ()
        ),
        *_missing_model(options, "model_name_or_path"),
    )
    return ConfigFile("trl.yaml", document, comments, "yaml", f"trl {command} --config trl.yaml")


# -- AutoTrain -------------------------------------------------------------------------------------------------------


def autotrain_config(facts: DataFacts, options: TrainerOptions) -> ConfigFile:
    preference = facts.kind == "preference"
    document: dict[str, Any] = {"task": "llm" if preference else "llm-sft"}
    document |= _model_line(options, "base_model")
    document |= {"project_name": options.name, "log": "tensorboard", "backend": "local"}
    mapping = (
        {"text_column": "chosen", "rejected_text_column": "rejected", "prompt_text_column": "prompt"}
        if preference
        else {"text_column": "messages"}
    )
    document["data"] = {
        "path": DATA_DIR,
        "train_split": "train",
        "valid_split": "validation" if facts.validation else None,
        "chat_template": "tokenizer",
        "column_mapping": mapping,
    }
    params: dict[str, Any] = {"trainer": "dpo"} if preference else {}
    if options.max_length is not None:
        params |= {"block_size": options.max_length, "model_max_length": options.max_length}
    if preference and options.max_prompt_length is not None:
        params["max_prompt_length"] = options.max_prompt_length
    params["padding"] = "right"
    document["params"] = params
    comments = (
        "Written by `dataprep export --to autotrain`. Train from this folder: autotrain --config autotrain.yml",
        "Formats: https://huggingface.co/docs/autotrain/tasks/llm_finetuning",
        *_missing_model(options, "base_model"),
    )
    return ConfigFile("autotrain.yml", document, comments, "yaml", "autotrain --config autotrain.yml")


CONFIGS = {
    "axolotl": (axolotl_config,),
    "llama-factory": (llama_factory_dataset_info, llama_factory_train_args),
    "trl": (trl_config,),
    "autotrain": (autotrain_config,),
}
