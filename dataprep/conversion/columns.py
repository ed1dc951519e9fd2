"""Input columns the mapping does not use: listed in the summary, and refused when they change what is trained.

A chat mapping that reads `prompt`/`chosen` but not `rejected` would quietly turn a preference pair into plain
supervised data; one that drops `label` (KTO) or `images` trains on something else than the data says. Those
columns stop the conversion with a message naming the column and what handles it, unless the user says to drop
it (`--ignore-column NAME`, or `ignore_columns` in a mapping file).
"""

from __future__ import annotations

from collections.abc import Iterable

from dataprep.errors import MappingError

# Column name -> what it is and what handles it (dataprep convert makes chat records: none of these has a place).
TRAINING_COLUMNS: dict[str, str] = {
    "chosen": "a preference pair (chosen/rejected): DPO or reward-model data, which a preference trainer (TRL "
    "DPOTrainer, OpenAI preference fine-tuning) reads; `dataprep validate --kind preference` checks it",
    "rejected": "a preference pair (chosen/rejected): DPO or reward-model data, which a preference trainer (TRL "
    "DPOTrainer, OpenAI preference fine-tuning) reads; `dataprep validate --kind preference` checks it",
    "label": "a KTO label (desirable/undesirable): unpaired preference data, which a KTO trainer "
    "(TRL KTOTrainer) reads",
    "kto_tag": "a KTO tag (desirable/undesirable): unpaired preference data, which a KTO trainer "
    "(TRL KTOTrainer, LLaMA-Factory's kto_tag) reads",
    "images": "images: vision fine-tuning data, whose messages need image content parts; a text mapping "
    "trains on the text alone",
    "image": "an image: vision fine-tuning data, whose messages need image content parts; a text mapping "
    "trains on the text alone",
}


class ColumnGuard:
    """Collects the columns of the inputs that the mapping does not read, in first-seen order, and fails on the
    first one that changes what is trained."""

    def __init__(self, used: Iterable[str], ignored: Iterable[str] = ()) -> None:
        self.used = set(used)
        self.ignored = set(ignored)
        self.unused: dict[str, None] = {}

    def see(self, columns: Iterable[str], source: str) -> None:
        for name in columns:
            if name in self.used or name in self.unused:
                continue
            self.unused[name] = None
            what = TRAINING_COLUMNS.get(name.strip().casefold())
            if what is not None and name not in self.ignored:
                raise MappingError(
                    f"{source}: column {name!r} holds {what}. The mapping does not use it, so the chat "
                    f"records would silently train on something else; to drop it anyway, give "
                    f"--ignore-column {name} (ignore_columns in a mapping file)"
                )

    def unused_columns(self) -> list[str]:
        return list(self.unused)


class AllColumnsUsed(ColumnGuard):
    """A native reader (Vertex, Nova, TRL, LLaMA-Factory) reads or keeps every field: none is unused."""

    def __init__(self) -> None:
        super().__init__(())

    def see(self, columns: Iterable[str], source: str) -> None:
        return None
