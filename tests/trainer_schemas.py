"""JSON Schemas of the trainer configurations `dataprep export` writes, written from each trainer's own docs (the
trainers themselves need torch, which the test environment does not install). Only the keys dataprep writes are
described, with the values the docs allow; `additionalProperties: false` makes a misspelt key fail.

Sources (stored copies, read 2026-12-02):
- Axolotl: docs/dataset-formats/conversation.qmd (chat_template datasets: field_messages,
  message_property_mappings, roles_to_train, train_on_eos: turn|last|all|none, message_field_training),
  docs/rlhf.qmd (rl: dpo, type: chat_template.default with field_messages/field_chosen/field_rejected),
  docs/config.qmd (base_model, chat_template, datasets[].path/ds_type/split, test_datasets, val_set_size,
  sequence_len, sample_packing, output_dir).
- LLaMA-Factory: data/README.md (dataset_info.json entries: file_name, formatting alpaca|sharegpt, ranking,
  columns prompt/query/response/history/messages/system/tools/images/chosen/rejected/kto_tag, tags); training
  arguments stage (pt|sft|rm|ppo|dpo|kto), model_name_or_path, dataset, dataset_dir, eval_dataset, cutoff_len,
  packing, finetuning_type (lora|freeze|full), do_train, output_dir (examples/train_lora/*.yaml).
- TRL: trl/trainer/sft_config.py, dpo_config.py (max_length, packing, assistant_only_loss, max_prompt_length) and
  the script arguments of the `trl` CLI (model_name_or_path, dataset_name, dataset_train_split, dataset_test_split).
- AutoTrain: docs/source/config.mdx and configs/llm_finetuning/*.yml (task llm|llm-sft|llm-dpo|...,
  base_model, project_name, log, backend, data.path/train_split/valid_split/chat_template
  (none|zephyr|chatml|tokenizer)/column_mapping text_column/rejected_text_column/prompt_text_column,
  params.trainer (default|sft|reward|dpo|orpo), block_size, model_max_length, max_prompt_length, padding).
"""

from __future__ import annotations

from typing import Any

_STR = {"type": "string", "minLength": 1}
_POSITIVE = {"type": "integer", "minimum": 1}

_AXOLOTL_MAPPINGS = {
    "type": "object",
    "required": ["role", "content"],
    "additionalProperties": {"type": "string"},
}
_AXOLOTL_SFT_DATASET = {
    "type": "object",
    "required": ["path", "type", "field_messages"],
    "additionalProperties": False,
    "properties": {
        "path": _STR,
        "ds_type": {"enum": ["json", "parquet", "csv", "arrow", "text"]},
        "split": _STR,
        "type": {"const": "chat_template"},
        "field_messages": _STR,
        "field_tools": _STR,
        "message_property_mappings": _AXOLOTL_MAPPINGS,
        "roles_to_train": {"type": "array", "items": {"enum": ["system", "user", "assistant", "tool"]}},
        "train_on_eos": {"enum": ["turn", "last", "all", "none"]},
        "message_field_training": _STR,
    },
}
_AXOLOTL_DPO_DATASET = {
    "type": "object",
    "required": ["path", "type", "field_messages", "field_chosen", "field_rejected"],
    "additionalProperties": False,
    "properties": {
        "path": _STR,
        "ds_type": {"enum": ["json", "parquet", "csv", "arrow", "text"]},
        "split": _STR,
        "type": {"const": "chat_template.default"},
        "field_messages": _STR,
        "field_chosen": _STR,
        "field_rejected": _STR,
        "message_property_mappings": _AXOLOTL_MAPPINGS,
    },
}


def axolotl(kind: str) -> dict[str, Any]:
    dataset = _AXOLOTL_DPO_DATASET if kind == "preference" else _AXOLOTL_SFT_DATASET
    schema: dict[str, Any] = {
        "type": "object",
        "required": ["datasets"],
        "additionalProperties": False,
        "properties": {
            "base_model": _STR,
            "chat_template": {"enum": ["tokenizer_default", "chatml", "gemma", "llama3", "qwen_25"]},
            "datasets": {"type": "array", "minItems": 1, "items": dataset},
            "test_datasets": {"type": "array", "items": dataset},
            "val_set_size": {"type": "number", "minimum": 0},
            "sequence_len": _POSITIVE,
            "sample_packing": {"type": "boolean"},
            "output_dir": _STR,
            "rl": {"enum": ["dpo", "ipo", "kto", "orpo"]},
        },
    }
    if kind == "preference":
        schema["required"] = ["datasets", "rl"]
        schema["properties"]["sample_packing"] = {"const": False}  # rlhf.qmd examples: no packing for pairs
    return schema


_LF_COLUMNS = [
    "prompt", "query", "response", "history", "messages", "system", "tools", "images", "chosen", "rejected",
    "kto_tag",
]  # fmt: skip
_LF_TAGS = [
    "role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag",
]  # fmt: skip
_LF_TAGS = [
    "role_tag", "content_tag", "user_tag", "assistant_tag", "observation_tag", "function_tag", "system_tag",
]  # fmt: skip
LLAMA_FACTORY_DATASET_INFO = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "type": "object",
        "required": ["file_name"],
        "additionalProperties": False,
        "properties": {
            "file_name": _STR,
            "formatting": {"enum": ["alpaca", "sharegpt"]},
            "ranking": {"type": "boolean"},
            "columns": {
                "type": "object",
                "propertyNames": {"enum": _LF_COLUMNS},
                "additionalProperties": {"type": "string"},
            },
            "tags": {
                "type": "object",
                "propertyNames": {"enum": _LF_TAGS},
            },
        },
    },
}
LLAMA_FACTORY_TRAIN_ARGS = {
    "type": "object",
    "required": ["stage", "do_train", "dataset", "output_dir"],
    "additionalProperties": False,
    "properties": {
        "model_name_or_path": _STR,
        "stage": {"enum": ["pt", "sft", "rm", "ppo", "dpo", "kto"]},
        "do_train": {"type": "boolean"},
        "finetuning_type": {"enum": ["lora", "freeze", "full"]},
        "dataset": _STR,
        "dataset_dir": _STR,
        "eval_dataset": _STR,
        "cutoff_len": _POSITIVE,
        "packing": {"type": "boolean"},
        "output_dir": _STR,
    },
}


def trl(kind: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "model_name_or_path": _STR,
        "dataset_name": _STR,
        "dataset_train_split": _STR,
        "dataset_test_split": _STR,
        "max_length": _POSITIVE,
        "output_dir": _STR,
    }
    if kind == "chat":  # SFTConfig
        properties |= {"packing": {"type": "boolean"}, "assistant_only_loss": {"type": "boolean"}}
    if kind == "preference":  # DPOConfig
        properties["max_prompt_length"] = _POSITIVE
    return {
        "type": "object",
        "required": ["dataset_name", "dataset_train_split"],
        "additionalProperties": False,
        "properties": properties,
    }


def autotrain(kind: str) -> dict[str, Any]:
    preference = kind == "preference"
    mapping: dict[str, Any] = {
        "type": "object",
        "required": ["text_column", *(["rejected_text_column", "prompt_text_column"] if preference else [])],
        "additionalProperties": False,
        "properties": {"text_column": _STR, "rejected_text_column": _STR, "prompt_text_column": _STR},
    }
    return {
        "type": "object",
        "required": ["task", "project_name", "data", "params"],
        "additionalProperties": False,
        "properties": {
            "task": {"enum": ["llm", "llm-sft", "llm-generic", "llm-reward", "llm-dpo", "llm-orpo"]},
            "base_model": _STR,
            "project_name": _STR,
            "log": {"enum": ["tensorboard", "wandb", "none"]},
            "backend": _STR,
            "data": {
                "type": "object",
                "required": ["path", "train_split", "column_mapping"],
                "additionalProperties": False,
                "properties": {
                    "path": _STR,
                    "train_split": _STR,
                    "valid_split": {"type": ["string", "null"]},
                    "chat_template": {"enum": ["none", "zephyr", "chatml", "tokenizer"]},
                    "column_mapping": mapping,
                },
            },
            "params": {
                "type": "object",
                "additionalProperties": False,
                "required": ["trainer"] if preference else [],
                "properties": {
                    "trainer": {"enum": ["default", "sft", "reward", "dpo", "orpo"]},
                    "block_size": _POSITIVE,
                    "model_max_length": _POSITIVE,
                    "max_prompt_length": _POSITIVE,
                    "padding": {"enum": ["left", "right"]},
                },
            },
        },
    }
