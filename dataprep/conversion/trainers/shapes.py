"""Each trainer's record shape, from dataprep's records (chat, OpenAI DPO preference, TRL KTO).

A record a trainer cannot take as the data says raises NotExpressible with the reason; the export then stops and
lists them (a trainer that drops or reinterprets rows hours into a run is what this tool exists to prevent).
Sources, per trainer:
- TRL: huggingface.co/docs/trl/dataset_formats (conversational `messages`; preference `prompt`/`chosen`/`rejected`
  with an explicit prompt; unpaired preference `prompt`/`completion`/`label`; `tools` beside them).
- Axolotl: docs/dataset-formats/conversation.qmd (`type: chat_template`, per-message training flags through
  `message_field_training`) and docs/rlhf.qmd (`chat_template.default`: `messages` plus `chosen`/`rejected` message
  objects); tool calls with `arguments` as an object, `field_tools: tools`.
- LLaMA-Factory: data/README.md, sharegpt formatting (human/gpt/function_call/observation turns, human and
  observation at odd positions, gpt and function_call at even ones; `system` and `tools` columns; `chosen`/`rejected`
  objects with `ranking: true`; `kto_tag`; `images` with `<image>` placeholders).
- AutoTrain: docs/source/tasks/llm_finetuning.mdx and src/autotrain/trainers/clm/utils.py (SFT renders the
  `messages` column with the chat template; DPO takes whole `chosen`/`rejected` conversations whose last message
  is the answer, and renames a `prompt` column it requires).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRAINERS = ("trl", "axolotl", "llama-factory", "autotrain")
IMAGE_PLACEHOLDER = "<image>"  # LLaMA-Factory's placeholder (data/README.md, Multimodal Dataset)


class NotExpressible(Exception):
    """This record cannot be written for this trainer without changing what is trained."""


@dataclass
class ImageSink:
    """Images that must become files beside the data (LLaMA-Factory reads paths, not data URLs): written under
    `folder` as they come (None: kept in memory, for a shape used on its own)."""

    folder: Path | None = None
    files: dict[str, int] = field(default_factory=dict)  # file -> bytes
    names: dict[str, str] = field(
        default_factory=dict
    )  # data URL digest -> file: one file per distinct image

    def add(self, url: str) -> str:
        if url.lower().startswith(("http://", "https://")):
            return url
        key = hashlib.sha256(url.encode("utf-8", "surrogatepass")).hexdigest()
        if key in self.names:
            return self.names[key]
        if not url.startswith("data:") or ";base64," not in url:
            raise NotExpressible(
                f"image URL {url[:40]!r}: only http(s) URLs and base64 data URLs can be written"
            )
        header, payload = url.split(",", 1)
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise NotExpressible("an image data URL whose base64 does not decode") from None
        suffix = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif"}.get(
            header[5:].split(";")[0].lower(), "bin"
        )
        name = f"images/{len(self.files) + 1:06d}.{suffix}"
        if self.folder is not None:
            (self.folder / "images").mkdir(parents=True, exist_ok=True)
            (self.folder / name).write_bytes(data)
        self.files[name] = len(data)
        self.names[key] = name
        return name


Shape = Callable[[dict[str, Any], ImageSink], dict[str, Any]]


# -- shared checks -----------------------------------------------------------------------------------------------


def _no_images(messages: list[dict[str, Any]], trainer: str) -> None:
    for message in messages:
        content = message.get("content")
        if isinstance(content, list) and any(
            isinstance(p, dict) and p.get("type") != "text" for p in content
        ):
            raise NotExpressible(
                f"image content parts: dataprep writes images for {trainer} only through LLaMA-Factory's "
                "`images` column (--to llama-factory)"
            )


def _unweighted(messages: list[dict[str, Any]], trainer: str) -> list[dict[str, Any]]:
    """Messages without `weight`: 1 is every trainer's default; 0 cannot be said to this trainer."""
    out = []
    for index, message in enumerate(messages):
        if "weight" in message:
            if message["weight"] == 0:
                raise NotExpressible(
                    f"messages[{index}] has weight 0 (not trained on), which {trainer} cannot express: it would "
                    "train on it (Axolotl can: --to axolotl)"
                )
            message = {k: v for k, v in message.items() if k != "weight"}
        out.append(message)
    return out


def _tools_of(record: dict[str, Any]) -> Any:
    if record.get("functions"):
        raise NotExpressible("deprecated `functions` definitions: rewrite them as `tools`")
    return record.get("tools")


# -- TRL -------------------------------------------------------------------------------------------------------------


def trl_chat(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    messages = _unweighted(record["messages"], "TRL")
    _no_images(messages, "TRL")
    return _with_tools({"messages": messages}, _tools_of(record))


def trl_preference(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    prompt = _unweighted(record["input"]["messages"], "TRL")
    _no_images(prompt, "TRL")
    out = {"prompt": prompt, "chosen": record["preferred_output"], "rejected": record["non_preferred_output"]}
    return _with_tools(out, _tools_of(record["input"]))


def trl_kto(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    prompt = _unweighted(record["prompt"], "TRL")
    _no_images(prompt, "TRL")
    out = {"prompt": prompt, "completion": record["completion"], "label": record["label"]}
    return _with_tools(out, _tools_of(record))


def _with_tools(out: dict[str, Any], tools: Any) -> dict[str, Any]:
    if tools is not None:
        out["tools"] = tools
    return out


# -- Axolotl ---------------------------------------------------------------------------------------------------------

AXOLOTL_TRAINING_FIELD = "training"  # per-message flag named by message_field_training in the config


def axolotl_chat(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    _no_images(record["messages"], "Axolotl")
    messages = []
    for message in record["messages"]:
        message = dict(message)
        if "weight" in message:
            message[AXOLOTL_TRAINING_FIELD] = message.pop("weight") == 1
        if isinstance(message.get("tool_calls"), list):
            message["tool_calls"] = [_call_with_object_arguments(c) for c in message["tool_calls"]]
        messages.append(message)
    return _with_tools({"messages": messages}, _tools_of(record))


def _call_with_object_arguments(call: Any) -> Any:
    """Axolotl's docs give tool-call `arguments` as an object; OpenAI's records hold JSON text."""
    function = call.get("function") if isinstance(call, dict) else None
    if not isinstance(function, dict) or not isinstance(function.get("arguments"), str):
        return call
    try:
        arguments = json.loads(function["arguments"])
    except ValueError:
        raise NotExpressible(f"tool call {function.get('name')!r}: arguments are not JSON") from None
    return {**call, "function": {**function, "arguments": arguments}}


def axolotl_preference(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    if _tools_of(record["input"]) is not None:
        raise NotExpressible(
            "tools in a preference record: Axolotl's chat_template.default DPO format has none"
        )
    prompt = _unweighted(record["input"]["messages"], "Axolotl DPO")
    _no_images(prompt, "Axolotl")
    chosen, rejected = record["preferred_output"], record["non_preferred_output"]
    if len(chosen) != 1 or len(rejected) != 1:
        raise NotExpressible(
            "an answer of several messages: chat_template.default takes one message per answer"
        )
    return {"messages": prompt, "chosen": chosen[0], "rejected": rejected[0]}


# -- LLaMA-Factory ---------------------------------------------------------------------------------------------------


def llama_factory_chat(record: dict[str, Any], images: ImageSink) -> dict[str, Any]:
    out, last = _sharegpt(record["messages"], images)
    if last != "gpt":
        raise NotExpressible(
            "the conversation does not end with an assistant answer: LLaMA-Factory skips the row"
        )
    return _sharegpt_extras(out, _tools_of(record))


def llama_factory_preference(record: dict[str, Any], images: ImageSink) -> dict[str, Any]:
    out, last = _sharegpt(record["input"]["messages"], images)
    if last != "human":
        raise NotExpressible("the prompt does not end with a user message, which LLaMA-Factory's pairs need")
    for key, answer in (("chosen", record["preferred_output"]), ("rejected", record["non_preferred_output"])):
        turns, _ = _sharegpt(answer, images, expect="gpt")
        if len(turns["conversations"]) != 1 or turns["conversations"][0]["from"] != "gpt":
            raise NotExpressible(f"the {key} answer is not one assistant message")
        out[key] = turns["conversations"][0]
    return _sharegpt_extras(out, _tools_of(record["input"]))


def llama_factory_kto(record: dict[str, Any], images: ImageSink) -> dict[str, Any]:
    out, last = _sharegpt([*record["prompt"], *record["completion"]], images)
    if last != "gpt":
        raise NotExpressible("the completion is not an assistant answer")
    out["kto_tag"] = record["label"]
    return _sharegpt_extras(out, _tools_of(record))


def _sharegpt_extras(out: dict[str, Any], tools: Any) -> dict[str, Any]:
    if tools is not None:
        out["tools"] = json.dumps(tools, ensure_ascii=False)  # LLaMA-Factory's tools column is JSON text
    return out


_SHAREGPT_SIDE = {"human": "odd", "observation": "odd", "gpt": "even", "function_call": "even"}


def _sharegpt(
    messages: list[dict[str, Any]], images: ImageSink, expect: str = "human"
) -> tuple[dict[str, Any], str | None]:
    """OpenAI messages -> {"conversations": [{from, value}], "system"?, "images"?}, in LLaMA-Factory's order rules."""
    out: dict[str, Any] = {}
    turns: list[dict[str, Any]] = []
    pictures: list[str] = []
    for index, message in enumerate(_unweighted(messages, "LLaMA-Factory")):
        role = message.get("role")
        if role == "system":
            if index != 0:
                raise NotExpressible(
                    f"messages[{index}]: a system message after the start (LLaMA-Factory: only first)"
                )
            out["system"] = _text(message, index, images, pictures, allow_images=False)
            continue
        turns.append(_turn(message, index, images, pictures))
    side = "odd" if expect == "human" else "even"
    for position, turn in enumerate(turns):
        wanted = side if position % 2 == 0 else ("even" if side == "odd" else "odd")
        if _SHAREGPT_SIDE[turn["from"]] != wanted:
            raise NotExpressible(
                f"turn {position + 1} is {turn['from']}: LLaMA-Factory needs user/tool results and assistant/tool "
                "calls to alternate, starting with the user, and skips rows that do not"
            )
    out["conversations"] = turns
    if pictures:
        out["images"] = pictures
    return out, turns[-1]["from"] if turns else None


def _turn(message: dict[str, Any], index: int, images: ImageSink, pictures: list[str]) -> dict[str, Any]:
    role = message.get("role")
    extra = set(message) - {"role", "content", "tool_calls", "tool_call_id", "name"}
    if extra:
        raise NotExpressible(
            f"messages[{index}] has {', '.join(sorted(extra))}, which LLaMA-Factory has no place for"
        )
    if role == "user":
        return {"from": "human", "value": _text(message, index, images, pictures, allow_images=True)}
    if role == "tool":
        return {"from": "observation", "value": _text(message, index, images, pictures, allow_images=False)}
    if role != "assistant":
        raise NotExpressible(
            f"messages[{index}] has role {role!r}, which LLaMA-Factory's sharegpt format lacks"
        )
    calls = message.get("tool_calls")
    if calls:
        if message.get("content"):
            raise NotExpressible(
                f"messages[{index}]: text and tool calls in one message (LLaMA-Factory: one or the other)"
            )
        return {"from": "function_call", "value": json.dumps(_calls(calls, index), ensure_ascii=False)}
    return {"from": "gpt", "value": _text(message, index, images, pictures, allow_images=False)}


def _calls(calls: list[Any], index: int) -> Any:
    out = []
    for call in calls if isinstance(calls, list) else [calls]:
        function = call.get("function") if isinstance(call, dict) else None
        if not isinstance(function, dict) or not isinstance(function.get("name"), str):
            raise NotExpressible(f"messages[{index}]: a tool call without a function name")
        arguments = function.get("arguments", "{}")
        try:
            parsed = json.loads(arguments) if isinstance(arguments, str) else arguments
        except ValueError:
            raise NotExpressible(f"messages[{index}]: tool call arguments are not JSON") from None
        out.append({"name": function.get("name"), "arguments": parsed})
    return out[0] if len(out) == 1 else out


def _text(
    message: dict[str, Any], index: int, images: ImageSink, pictures: list[str], *, allow_images: bool
) -> str:
    content = message.get("content")
    if isinstance(content, str):
        if IMAGE_PLACEHOLDER in content:
            raise NotExpressible(
                f"messages[{index}] holds the text {IMAGE_PLACEHOLDER}, LLaMA-Factory's image marker"
            )
        return content
    if not isinstance(content, list):
        raise NotExpressible(f"messages[{index}] has no text content")
    pieces = []
    for part in content:
        kind = part.get("type") if isinstance(part, dict) else None
        if kind == "text" and isinstance(part.get("text"), str):
            if IMAGE_PLACEHOLDER in part["text"]:
                raise NotExpressible(
                    f"messages[{index}] holds the text {IMAGE_PLACEHOLDER}, LLaMA-Factory's image marker"
                )
            pieces.append(part["text"])
        elif kind == "image_url" and allow_images and isinstance(part.get("image_url"), dict):
            pictures.append(images.add(str(part["image_url"].get("url", ""))))
            pieces.append(IMAGE_PLACEHOLDER)
        else:
            raise NotExpressible(
                f"messages[{index}] has a {kind!r} content part LLaMA-Factory cannot take here"
            )
    return "".join(pieces)


# -- AutoTrain -------------------------------------------------------------------------------------------------------


def autotrain_chat(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    if _tools_of(record) is not None:
        raise NotExpressible(
            "tool definitions: AutoTrain renders only the messages column, so they would be lost"
        )
    messages = _unweighted(record["messages"], "AutoTrain")
    _no_images(messages, "AutoTrain")
    return {"messages": messages}


def autotrain_preference(record: dict[str, Any], _: ImageSink) -> dict[str, Any]:
    if _tools_of(record["input"]) is not None:
        raise NotExpressible("tool definitions: AutoTrain's DPO trainer renders only the conversations")
    prompt = _unweighted(record["input"]["messages"], "AutoTrain")
    _no_images(prompt, "AutoTrain")
    chosen, rejected = record["preferred_output"], record["non_preferred_output"]
    if len(chosen) != 1 or len(rejected) != 1:
        raise NotExpressible("an answer of several messages: AutoTrain takes the last message as the answer")
    # AutoTrain splits chosen[:-1] off as the prompt and requires a prompt column (which it then replaces).
    return {"prompt": prompt, "chosen": [*prompt, *chosen], "rejected": [*prompt, *rejected]}


SHAPES: dict[tuple[str, str], Shape] = {
    ("trl", "chat"): trl_chat,
    ("trl", "preference"): trl_preference,
    ("trl", "kto"): trl_kto,
    ("axolotl", "chat"): axolotl_chat,
    ("axolotl", "preference"): axolotl_preference,
    ("llama-factory", "chat"): llama_factory_chat,
    ("llama-factory", "preference"): llama_factory_preference,
    ("llama-factory", "kto"): llama_factory_kto,
    ("autotrain", "chat"): autotrain_chat,
    ("autotrain", "preference"): autotrain_preference,
}
# Kinds a trainer's documented formats cannot take, and why (the export stops before writing anything).
UNSUPPORTED = {
    (
        "axolotl",
        "kto",
    ): "Axolotl's documented KTO formats take a text prompt and completion, not conversations "
    "(docs/rlhf.qmd); export KTO records --to trl or --to llama-factory",
    ("autotrain", "kto"): "AutoTrain has no KTO trainer (llm trainers: sft, generic, reward, dpo, orpo); "
    "export KTO records --to trl or --to llama-factory",
}
