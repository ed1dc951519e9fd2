"""Images in convert: LLaMA-Factory's `images` column with `<image>` placeholders -> image content parts.

LLaMA-Factory (data/README.md, "Multimodal Dataset") keeps image paths in an `images` column and marks where each
goes with an `<image>` placeholder in the text; it stops when the counts differ. OpenAI's vision fine-tuning format
puts an image part `{"type": "image_url", "image_url": {"url": ...}}` into the user message's content list, with
an http(s) URL or a base64 data URL, and takes no images in assistant messages (REFERENCE.md section 2). So:

- placeholders in user messages become image parts in order, the text around them text parts;
- a count mismatch, or a placeholder outside a user message, rejects the row (either would train on another
  picture, or on none, than the data says);
- URLs are kept; a local file becomes a data URL only when asked (`embed`), since that copies the file's bytes into
  every output line; the target's per-image size and per-example count limits are checked when known.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dataprep.conversion.row_problem import RowProblem
from dataprep.targets import resolve_target

PLACEHOLDER = "<image>"
# Magic numbers of the formats vision fine-tuning takes (JPEG, PNG, WEBP) and GIF, which chat input takes.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True, slots=True)
class ImageOptions:
    """How images are written. `directory`: where relative paths are found (default: the input file's folder, as
    LLaMA-Factory's media_dir defaults to its dataset_dir). Limits come from the target profile when known."""

    embed: bool = False
    directory: Path | None = None
    max_count: int | None = None
    max_bytes: int | None = None
    target: str | None = None


def image_options(target: str | None, embed: bool, directory: str | os.PathLike[str] | None) -> ImageOptions:
    """How images are written, with the target's per-example count and per-image size limits when stated."""
    profile = resolve_target(target)
    return ImageOptions(
        embed=embed,
        directory=Path(directory) if directory is not None else None,
        max_count=profile.max_images_per_example if profile else None,
        max_bytes=profile.max_image_bytes if profile else None,
        target=profile.name if profile else None,
    )


def image_list(value: Any, column: str) -> list[str]:
    """The image references of one row: a list of strings (JSON text in CSV), or one string."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except (ValueError, RecursionError):
                raise RowProblem("bad-images", f"column {column!r} is not a valid JSON list") from None
        else:
            value = [text]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RowProblem("bad-images", f"column {column!r} must hold a list of image paths or URLs")
    return [v.strip() for v in value]


def attach_images(
    messages: list[dict[str, Any]], images: list[str], options: ImageOptions, base: Path | None
) -> list[dict[str, Any]]:
    """`messages` with each `<image>` placeholder replaced by the matching image part (new message dicts)."""
    found = 0
    for index, message in enumerate(messages):
        content = message.get("content")
        count = content.count(PLACEHOLDER) if isinstance(content, str) else 0
        if count and message.get("role") != "user":
            raise RowProblem(
                "image-outside-user",
                f"messages[{index}] ({message.get('role')}) holds {PLACEHOLDER}: images go in user messages only",
            )
        found += count
    if found != len(images):
        raise RowProblem(
            "image-count-mismatch",
            f"{len(images)} images for {found} {PLACEHOLDER} placeholders: each image needs its own placeholder",
        )
    if options.max_count is not None and len(images) > options.max_count:
        raise RowProblem(
            "too-many-images",
            f"{len(images)} images in one example; {options.target} takes at most {options.max_count}",
        )
    urls = iter([_url(image, options, base) for image in images])
    out: list[dict[str, Any]] = []
    for message in messages:
        content = message.get("content")
        if not isinstance(content, str) or PLACEHOLDER not in content:
            out.append(message)
            continue
        parts: list[dict[str, Any]] = []
        for position, text in enumerate(content.split(PLACEHOLDER)):
            if position:
                parts.append({"type": "image_url", "image_url": {"url": next(urls)}})
            if text:
                parts.append({"type": "text", "text": text})
        out.append({**message, "content": parts})
    return out


def _url(image: str, options: ImageOptions, base: Path | None) -> str:
    lowered = image.lower()
    if lowered.startswith(("http://", "https://", "data:")):
        return image
    if "://" in image:
        raise RowProblem(
            "unsupported-image-url",
            f"image {image!r}: only http(s) URLs, data URLs or local files can be written as image parts",
        )
    if not options.embed:
        raise RowProblem(
            "local-image",
            f"image {image!r} is a local file, which a provider cannot fetch: give --embed-images to write it "
            "as a data URL, or use URLs",
        )
    path = Path(image)
    if not path.is_absolute():
        path = (options.directory or base or Path.cwd()) / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RowProblem("image-not-found", f"image {str(path)!r}: {exc.strerror or exc}") from None
    if options.max_bytes is not None and len(data) > options.max_bytes:
        raise RowProblem(
            "image-too-large",
            f"image {str(path)!r} is {len(data):,} bytes; {options.target} takes at most {options.max_bytes:,}",
        )
    mime = image_type(data)
    if mime is None:
        raise RowProblem("image-format", f"image {str(path)!r} is not a PNG, JPEG, WEBP or GIF file")
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def image_type(data: bytes) -> str | None:
    """The MIME type of an image from its first bytes; None when it is none of the known formats."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((mime for magic, mime in _SIGNATURES if data.startswith(magic)), None)
