"""Self-hosted training compute: FLOPs, GPU-hours, dollars and whether one GPU holds the run.

The arithmetic (every constant is an assumption the report prints beside its figure; docs/compute.md explains them):

- FLOPs = factor x parameters x sequence tokens x epochs. A token costs 2 FLOPs per parameter forward; the
  backward costs 2 for the gradient with respect to the activations plus 2 for the gradient with respect to the
  weights. Full fine-tuning does all three: 6. LoRA and QLoRA freeze the base weights, so the weight-gradient
  matmuls are skipped, but the activation gradient still flows back through every frozen layer: 4 (the adapters
  themselves are well under 1% of the work). Preference (DPO) training adds a reference-model forward: +2.
  Mixture-of-experts models count the parameters active per token. Recomputation under gradient checkpointing
  is not counted (model FLOPs utilisation, MFU, is defined without it), nor is attention's sequence-squared term.
- GPU-hours = FLOPs / (peak dense BF16 FLOP/s x MFU) / 3600; USD = GPU-hours x price per GPU-hour.
- Memory on one GPU, bf16 mixed precision with AdamW, micro-batch 1 at the longest sequence: weights, gradients,
  optimizer states, activations, logits and a fixed allowance for the CUDA context (see `estimate_memory`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from dataprep.compute_choices import DEFAULT_MFU, METHODS
from dataprep.data_tables import read_toml_table
from dataprep.errors import ConfigError, UsageError

DATA = Path(__file__).resolve().parent / "data"
GPUS_FILE = DATA / "gpus.toml"
SHAPES_FILE = DATA / "model_shapes.toml"

Method = Literal["full", "lora", "qlora"]
FLOPS_PER_PARAMETER_TOKEN = {"full": 6, "lora": 4, "qlora": 4}
REFERENCE_FORWARD = 2  # DPO: the frozen reference model's forward pass per token
DEFAULT_EPOCHS = 3  # transformers' TrainingArguments.num_train_epochs (TRL and Axolotl keep it)
LORA_TRAINABLE_SHARE = (
    0.01  # adapters as a share of the model: rank 16 on every linear layer of an 8B is ~0.5%
)
QLORA_BITS_PER_PARAMETER = 4.127  # NF4 with double quantisation (QLoRA paper, Dettmers et al. 2023)
ACTIVATION_BYTES_PER_LAYER_TOKEN_HIDDEN = 34  # Korthikanti et al. 2022, 16-bit, flash attention (no s^2 term)
CUDA_OVERHEAD_GB = 1.0  # CUDA context, cuBLAS workspace, allocator slack
GB = 2**30  # GPU memory is sized in powers of two: an "80 GB" card holds about 80 x 2^30 bytes
_ASSUMED_VOCAB = 128_256


@dataclass(frozen=True, slots=True)
class GpuInfo:
    """One GPU: peak dense BF16 Tensor Core throughput and memory, from the vendor's data sheet."""

    id: str
    name: str
    peak_tflops: float
    memory_gb: float
    confidence: str
    source: str
    date: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ModelShape:
    """What the estimate needs to know of a model. Layers, hidden and vocabulary sizes None = derive them."""

    parameters: float
    active_parameters: float | None = None  # mixture of experts: parameters used per token
    layers: int | None = None
    hidden_size: int | None = None
    vocab_size: int | None = None
    source: str = "given"

    @property
    def flops_parameters(self) -> float:
        return self.active_parameters if self.active_parameters is not None else self.parameters

    def completed(self) -> ModelShape:
        """A copy with every missing figure derived from the parameter count (documented rule of thumb)."""
        if self.layers is not None and self.hidden_size is not None and self.vocab_size is not None:
            return self
        # A dense decoder has about 12 x layers x hidden^2 parameters, and layers ~ hidden / 128 (Llama 3 8B:
        # 32 layers of 4096); solve for hidden, round to a multiple of 128.
        hidden = self.hidden_size or max(128, round((128 * self.parameters / 12) ** (1 / 3) / 128) * 128)
        layers = self.layers or max(1, round(self.parameters / (12 * hidden * hidden)))
        vocab = self.vocab_size or _ASSUMED_VOCAB
        return ModelShape(
            self.parameters,
            self.active_parameters,
            layers,
            hidden,
            vocab,
            f"{self.source}; layers, hidden and vocabulary sizes derived from the parameter count",
        )


@dataclass(frozen=True, slots=True)
class MemoryEstimate:
    """GB (2^30 bytes) on one GPU, by what holds them."""

    weights: float
    gradients: float
    optimizer: float
    activations: float
    overhead: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer + self.activations + self.overhead

    def to_dict(self) -> dict[str, float]:
        return {
            "weights": round(self.weights, 3),
            "gradients": round(self.gradients, 3),
            "optimizer": round(self.optimizer, 3),
            "activations": round(self.activations, 3),
            "overhead": round(self.overhead, 3),
            "total": round(self.total, 3),
        }


@dataclass(frozen=True, slots=True)
class ComputeEstimate:
    """A self-hosted fine-tuning run on these examples: compute, time, money and memory, with its assumptions."""

    method: str
    gpu: str
    gpu_name: str
    peak_tflops: float
    mfu: float
    mfu_source: str
    flops: float
    flops_factor: int
    parameters: float
    flops_parameters: float
    sequence_tokens: int
    epochs: int
    epochs_source: str
    gpu_hours: float
    gpu_price: float | None
    usd: float | None
    memory: MemoryEstimate
    gpu_memory_gb: float
    fits: bool
    longest_sequence: int
    gradient_checkpointing: bool
    preference: bool
    shape: ModelShape
    gpu_confidence: str = "official"
    assumptions: tuple[str, ...] = field(default=())  # behind the FLOPs and GPU-hours, in words
    memory_assumptions: tuple[str, ...] = field(default=())  # behind the memory figure

    @property
    def memory_gb(self) -> float:
        return self.memory.total

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "gpu": self.gpu,
            "peak_tflops": self.peak_tflops,
            "mfu": self.mfu,
            "flops": self.flops,
            "gpu_hours": self.gpu_hours,
            "usd": self.usd,
            "memory_gb": round(self.memory_gb, 3),
            "fits": self.fits,
            "gpu_name": self.gpu_name,
            "gpu_memory_gb": self.gpu_memory_gb,
            "gpu_price": self.gpu_price,
            "gpu_confidence": self.gpu_confidence,
            "mfu_source": self.mfu_source,
            "flops_factor": self.flops_factor,
            "parameters": self.parameters,
            "flops_parameters": self.flops_parameters,
            "sequence_tokens": self.sequence_tokens,
            "epochs": self.epochs,
            "epochs_source": self.epochs_source,
            "longest_sequence": self.longest_sequence,
            "gradient_checkpointing": self.gradient_checkpointing,
            "preference": self.preference,
            "memory": self.memory.to_dict(),
            "shape": {
                "layers": self.shape.layers,
                "hidden_size": self.shape.hidden_size,
                "vocab_size": self.shape.vocab_size,
                "source": self.shape.source,
            },
            "assumptions": list(self.assumptions),
            "memory_assumptions": list(self.memory_assumptions),
        }


# -- the GPU and shape tables ---------------------------------------------------------------------------------


def load_gpus(path: str | Path | None = None) -> dict[str, GpuInfo]:
    """The GPU table keyed by id. Raises ConfigError if the file is broken."""
    return dict(_gpu_table(str(path) if path is not None else str(GPUS_FILE)))


@lru_cache(maxsize=4)
def _gpu_table(path: str) -> tuple[tuple[str, GpuInfo], ...]:
    rows = _read_table(path, "gpus")
    out = []
    for gpu_id, row in rows.items():
        where = f"{path}: gpus.{gpu_id}"
        try:
            info = GpuInfo(
                id=gpu_id,
                name=str(row["name"]),
                peak_tflops=_positive(row["peak_tflops"], "peak_tflops"),
                memory_gb=_positive(row["memory_gb"], "memory_gb"),
                confidence=str(row["confidence"]),
                source=str(row["source"]),
                date=str(row["date"]),
                aliases=tuple(str(a) for a in row.get("aliases", ())),
            )
        except KeyError as exc:
            raise ConfigError(f"{where}: missing key {exc}") from exc
        except UsageError as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        out.append((gpu_id, info))
    return tuple(out)


def resolve_gpu(name: str, table: Mapping[str, GpuInfo] | None = None) -> GpuInfo:
    """The GPU named `name` (its id or an alias, any case). An unknown name raises UsageError listing the known."""
    gpus = load_gpus() if table is None else table
    wanted = _normal(name)
    for info in gpus.values():
        if wanted == _normal(info.id) or any(wanted == _normal(a) for a in info.aliases):
            return info
    raise UsageError(f"unknown GPU {name!r}. Known GPUs: {', '.join(gpus)} (give --peak-tflops for another)")


def model_shape(model_id: str, parameters: float, active_parameters: float | None = None) -> ModelShape:
    """The shape of `model_id` from the shape table (its parameter count given), or one derived from the count.

    `active_parameters` (a mixture of experts' parameters per token) wins over the shape table's figure.
    """
    row = dict(_shape_table(str(SHAPES_FILE))).get(model_id)
    if row is None:
        return ModelShape(
            parameters, active_parameters, source=f"{model_id} with {_count(parameters)} parameters"
        )
    active = active_parameters if active_parameters is not None else row.get("active_parameters")
    return ModelShape(
        parameters,
        float(active) if active is not None else None,
        int(row["layers"]),
        int(row["hidden_size"]),
        int(row["vocab_size"]),
        f"{model_id} with {_count(parameters)} parameters; layers, hidden and vocabulary sizes from its "
        f"config.json (checked {row['date']})",
    )


@lru_cache(maxsize=2)
def _shape_table(path: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    return tuple(_read_table(path, "shapes").items())


def _read_table(path: str, key: str) -> dict[str, dict[str, Any]]:
    raw = read_toml_table(path, "the table")
    table = raw.get(key)
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise ConfigError(f'{path}: expected [{key}."<name>"] tables')
    return table


def _normal(name: str) -> str:
    return re.sub(r"[\s_-]+", "", name).lower()


def _positive(value: object, what: str) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise UsageError(f"{what} must be a number > 0, got {value!r}")
    return float(value)


_SUFFIX = {"": 1.0, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12}


def parse_parameters(text: str | float | int) -> float:
    """`8e9`, `8000000000`, `8B`, `7.6b`, `500M` -> parameters. Raises UsageError otherwise."""
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return _positive(text, "parameters")
    match = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:e[0-9]+)?)\s*([kmbt]?)\s*", str(text), re.IGNORECASE)
    if match is None:
        raise UsageError(f"parameters must be a number such as 8e9 or 8B, got {text!r}")
    return _positive(float(match.group(1)) * _SUFFIX[match.group(2).lower()], "parameters")


# -- the estimate ---------------------------------------------------------------------------------------------


def estimate_memory(
    shape: ModelShape,
    method: str,
    sequence_length: int,
    *,
    preference: bool = False,
    gradient_checkpointing: bool = True,
) -> MemoryEstimate:
    """GB on one GPU for one micro-batch of `sequence_length` tokens (two sequences for a preference pair).

    Full: bf16 weights (2 bytes/parameter), bf16 gradients (2), AdamW in fp32 with an fp32 master copy (12), the
    "16 bytes per parameter" of mixed-precision Adam (ZeRO paper); DPO keeps a bf16 reference copy (+2).
    LoRA: frozen bf16 weights (2) plus adapters of LORA_TRAINABLE_SHARE of the parameters in fp32 (PEFT's default)
    with their gradients (4) and AdamW states (8). QLoRA: as LoRA, but the linear layers' weights in NF4 with
    double quantisation (4.127 bits); embeddings and output head stay bf16. The reference model of LoRA DPO is the
    base with adapters off: no copy.
    Activations: with gradient checkpointing (TRL's SFTConfig default) one bf16 hidden state per layer boundary
    (2 x layers x s x h bytes) plus one layer's working set being recomputed (34 x s x h bytes, Korthikanti et al.
    2022 with flash attention); without it, 34 x s x h for every layer. Logits: fp32, s x vocabulary x 4 bytes.
    """
    full = shape.completed()
    assert full.layers is not None and full.hidden_size is not None and full.vocab_size is not None
    n = full.parameters
    trainable = n * LORA_TRAINABLE_SHARE
    if method == "full":
        weights = 2 * n + (2 * n if preference else 0)
        gradients, optimizer = 2 * n, 12 * n
    elif method in ("lora", "qlora"):
        if method == "lora":
            base = 2 * n
        else:
            embeddings = min(n, 2 * full.vocab_size * full.hidden_size)  # input embeddings and output head
            base = (n - embeddings) * QLORA_BITS_PER_PARAMETER / 8 + 2 * embeddings
        weights = base + 4 * trainable
        gradients, optimizer = 4 * trainable, 8 * trainable
    else:
        raise UsageError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    s, h, layers = sequence_length * (2 if preference else 1), full.hidden_size, full.layers
    per_layer = ACTIVATION_BYTES_PER_LAYER_TOKEN_HIDDEN * s * h
    stored = 2 * layers * s * h + per_layer if gradient_checkpointing else layers * per_layer
    activations = stored + 4 * s * full.vocab_size
    return MemoryEstimate(weights / GB, gradients / GB, optimizer / GB, activations / GB, CUDA_OVERHEAD_GB)


def estimate_compute(
    sequence_tokens: int,
    longest_sequence: int,
    shape: ModelShape | float,
    *,
    method: str = "lora",
    gpu: str | GpuInfo = "H100",
    mfu: float | None = None,
    gpu_price: float | None = None,
    epochs: int | None = None,
    peak_tflops: float | None = None,
    preference: bool = False,
    gradient_checkpointing: bool = True,
) -> ComputeEstimate:
    """Estimate a self-hosted fine-tuning run.

    `sequence_tokens`: the tokens of every training sequence the trainer processes in one epoch (each capped at
    the maximum sequence length; both sequences of a preference pair). `longest_sequence`: the longest of them,
    which sets the activation memory. `shape`: a ModelShape, or a parameter count. `mfu` defaults to DEFAULT_MFU,
    `epochs` to DEFAULT_EPOCHS; `gpu_price` (USD per GPU-hour) gives the dollar figure; `peak_tflops` replaces
    the table's figure.
    """
    if method not in METHODS:
        raise UsageError(f"method must be one of {', '.join(METHODS)}, got {method!r}")
    info = gpu if isinstance(gpu, GpuInfo) else resolve_gpu(gpu)
    model = shape if isinstance(shape, ModelShape) else ModelShape(parse_parameters(shape))
    if mfu is not None and (isinstance(mfu, bool) or not 0 < mfu <= 1):
        raise UsageError(f"mfu must be a fraction in (0, 1], got {mfu!r}")
    if gpu_price is not None and (
        isinstance(gpu_price, bool) or not math.isfinite(gpu_price) or gpu_price < 0
    ):
        raise UsageError(f"GPU price must be a number >= 0 (USD per GPU-hour), got {gpu_price!r}")
    if epochs is not None and (type(epochs) is not int or epochs < 1):
        raise UsageError(f"epochs must be a whole number >= 1, got {epochs!r}")
    peak = info.peak_tflops if peak_tflops is None else _positive(peak_tflops, "peak TFLOPS")
    used_mfu = DEFAULT_MFU if mfu is None else float(mfu)
    n_epochs = DEFAULT_EPOCHS if epochs is None else epochs
    factor = FLOPS_PER_PARAMETER_TOKEN[method] + (REFERENCE_FORWARD if preference else 0)
    flops = factor * model.flops_parameters * max(0, sequence_tokens) * n_epochs
    gpu_hours = flops / (peak * 1e12 * used_mfu) / 3600
    memory = estimate_memory(
        model,
        method,
        max(1, longest_sequence),
        preference=preference,
        gradient_checkpointing=gradient_checkpointing,
    )
    estimate = ComputeEstimate(
        method=method,
        gpu=info.id,
        gpu_name=info.name,
        peak_tflops=peak,
        mfu=used_mfu,
        mfu_source="default" if mfu is None else "user",
        flops=flops,
        flops_factor=factor,
        parameters=model.parameters,
        flops_parameters=model.flops_parameters,
        sequence_tokens=max(0, sequence_tokens),
        epochs=n_epochs,
        epochs_source="default" if epochs is None else "user",
        gpu_hours=gpu_hours,
        gpu_price=gpu_price,
        usd=None if gpu_price is None else gpu_hours * gpu_price,
        memory=memory,
        gpu_memory_gb=info.memory_gb,
        fits=memory.total <= info.memory_gb,
        longest_sequence=max(1, longest_sequence),
        gradient_checkpointing=gradient_checkpointing,
        preference=preference,
        shape=model.completed(),
        gpu_confidence=info.confidence if peak_tflops is None else "user",
    )
    return _with_assumptions(estimate)


_METHOD_WORDS = {
    "full": "full fine-tuning: forward 2 + activation-gradient 2 + weight-gradient 2 per parameter and token",
    "lora": "LoRA: forward 2 + activation-gradient 2; frozen weights get no weight gradient",
    "qlora": (
        "QLoRA: forward 2 + activation-gradient 2; frozen weights get no weight gradient "
        "(4-bit dequantisation costs time, not counted FLOPs: lower --mfu if it shows)"
    ),
}


def _with_assumptions(e: ComputeEstimate) -> ComputeEstimate:
    """The assumptions behind each figure, in words, for renderers to print beside it."""
    notes = [_METHOD_WORDS[e.method]]
    if e.preference:
        notes.append("DPO: +2 for the reference model's forward pass; chosen and rejected both processed")
    if e.flops_parameters != e.parameters:
        notes.append(f"mixture of experts: FLOPs use the {_count(e.flops_parameters)} active parameters")
    if e.epochs_source == "default":
        notes.append(f"{e.epochs} epochs is transformers' num_train_epochs default (--epochs to change)")
    else:
        notes.append(f"{e.epochs} epochs as given")
    memory = [
        f"one GPU, micro-batch 1 at the longest sequence ({e.longest_sequence:,} tokens"
        + (", two per preference pair" if e.preference else "")
        + f"), bf16 with AdamW, gradient checkpointing {'on' if e.gradient_checkpointing else 'off'}",
    ]
    if e.method != "full":
        memory.append(f"adapters {LORA_TRAINABLE_SHARE:.0%} of the parameters, fp32")
    if e.method == "qlora":
        memory.append(f"linear weights NF4 at {QLORA_BITS_PER_PARAMETER} bits, embeddings and head bf16")
    memory.append(f"model shape: {e.shape.source}")
    return replace(e, assumptions=tuple(notes), memory_assumptions=tuple(memory))


def _count(n: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if n >= size:
            return f"{n / size:.3g}{suffix}"
    return f"{n:,.0f}"
