"""The compute estimate's choices, known before anything is computed: the training methods and the default
model FLOPs utilisation. The command line offers them and the configuration checks them without importing
dataprep.compute (its tables and classes), which a run without --method or --gpu never needs."""

from __future__ import annotations

METHODS: tuple[str, ...] = ("full", "lora", "qlora")
DEFAULT_MFU = 0.35
