"""The self-hosted compute estimate: FLOPs, GPU-hours, dollars, memory and the GPU table, against hand arithmetic.

GB in the memory figures is 2^30 bytes (1,073,741,824).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from dataprep import Config, estimate_compute, validate
from dataprep.cli import main
from dataprep.compute import (
    GPUS_FILE,
    ModelShape,
    estimate_memory,
    load_gpus,
    model_shape,
    parse_parameters,
    resolve_gpu,
)
from dataprep.errors import ConfigError, UsageError
from tests.conftest import assistant, chat, user

LLAMA_8B = ModelShape(8.03e9, layers=32, hidden_size=4096, vocab_size=128_256)


def test_gpu_table_has_every_gpu_the_issue_names_with_source_and_date() -> None:
    gpus = load_gpus()
    assert set(gpus) == {"H100", "H200", "A100", "L40S", "A10G", "L4", "RTX4090"}
    expected = {  # dense BF16 TFLOPS (half the data sheets' "with sparsity" figure), memory GB
        "H100": (989.5, 80),
        "H200": (989.5, 141),
        "A100": (312, 80),
        "L40S": (362.05, 48),
        "A10G": (70, 24),
        "L4": (121, 24),
        "RTX4090": (165.2, 24),
    }
    for gpu_id, (tflops, memory) in expected.items():
        info = gpus[gpu_id]
        assert (info.peak_tflops, info.memory_gb) == (tflops, memory), gpu_id
        assert "https://" in info.source and info.date.startswith("2026-"), gpu_id
    assert gpus["A10G"].confidence == "copy"  # NVIDIA publishes no A10G data sheet
    assert {i.confidence for k, i in gpus.items() if k != "A10G"} == {"official"}


@pytest.mark.parametrize(("name", "gpu_id"), [("h100", "H100"), ("RTX 4090", "RTX4090"), ("a10-g", "A10G")])
def test_gpu_names_are_forgiving(name: str, gpu_id: str) -> None:
    assert resolve_gpu(name).id == gpu_id


def test_unknown_gpu_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown GPU 'V100'.*H100, H200, A100"):
        resolve_gpu("V100")


@pytest.mark.parametrize(
    ("text", "value"),
    [("8e9", 8e9), ("8B", 8e9), ("7.6b", 7.6e9), ("500M", 5e8), ("3210000000", 3.21e9), (7e9, 7e9)],
)
def test_parameter_counts(text: str | float, value: float) -> None:
    assert parse_parameters(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["eight billion", "8 GB", "-8e9", "0", True])
def test_bad_parameter_counts(text: Any) -> None:
    with pytest.raises(UsageError):
        parse_parameters(text)


def test_full_fine_tuning_figures() -> None:
    # 6 x 8e9 x 1,000,000 tokens x 3 epochs = 1.44e17 FLOPs.
    # 989.5e12 x 0.35 = 3.46325e14 FLOP/s -> 415.794 s -> 0.115498 GPU-hours; x $2.50 = $0.288746.
    e = estimate_compute(1_000_000, 2048, 8e9, method="full", gpu="H100", gpu_price=2.5)
    assert e.flops == 1.44e17
    assert e.gpu_hours == pytest.approx(0.115498, rel=1e-5)
    assert e.usd == pytest.approx(0.288746, rel=1e-5)
    assert (e.mfu, e.mfu_source, e.epochs, e.epochs_source) == (0.35, "default", 3, "default")
    # 16 bytes per parameter: 8e9 x (2 + 2 + 12) = 128e9 bytes = 119.2 GB > 80 GB.
    assert (e.memory.weights, e.memory.gradients, e.memory.optimizer) == pytest.approx(
        (14.9012, 14.9012, 89.4070), abs=1e-3
    )
    assert not e.fits


def test_lora_factor_is_four_and_mfu_epochs_are_taken() -> None:
    # 4 x 8e9 x 1e6 x 2 = 6.4e16; / (121e12 x 0.5) = 1,057.85 s = 0.293848 h on an L4.
    e = estimate_compute(1_000_000, 1024, 8e9, method="lora", gpu="L4", mfu=0.5, epochs=2)
    assert e.flops == 6.4e16 and e.flops_factor == 4
    assert e.gpu_hours == pytest.approx(0.293848, rel=1e-5)
    assert e.usd is None and e.mfu_source == "user" and e.epochs_source == "user"


def test_preference_adds_the_reference_forward() -> None:
    # DPO: full 6 + 2 = 8, LoRA 4 + 2 = 6 FLOPs per parameter and token.
    full = estimate_compute(1000, 100, 1e9, method="full", preference=True)
    lora = estimate_compute(1000, 100, 1e9, method="qlora", preference=True)
    assert (full.flops, lora.flops) == (8 * 1e9 * 1000 * 3, 6 * 1e9 * 1000 * 3)
    assert any("reference model" in a for a in full.assumptions)


def test_mixture_of_experts_counts_active_parameters() -> None:
    shape = model_shape("openai/gpt-oss-20b", 20.9e9)
    e = estimate_compute(10_000, 512, shape, method="lora", gpu="H100")
    assert e.flops == 4 * 3.6e9 * 10_000 * 3
    assert e.memory.weights > 20.9e9 * 2 / 2**30  # memory holds every expert
    assert any("3.6B active parameters" in a for a in e.assumptions)


def test_lora_memory_for_llama_8b_at_2048_tokens() -> None:
    m = estimate_memory(LLAMA_8B, "lora", 2048)
    # weights 2 x 8.03e9 + adapters 4 x 8.03e7 = 16.3812e9 B = 15.2561 GB; gradients 4 x 8.03e7 = 0.2991 GB;
    # AdamW 8 x 8.03e7 = 0.5983 GB; activations 2x32x2048x4096 + 34x2048x4096 + 4x2048x128256
    # = 536,870,912 + 285,212,672 + 1,050,673,152 = 1,872,756,736 B = 1.7442 GB; + 1 GB CUDA overhead.
    assert (m.weights, m.gradients, m.optimizer, m.activations, m.overhead) == pytest.approx(
        (15.2561, 0.2991, 0.5983, 1.7442, 1.0), abs=1e-3
    )
    assert m.total == pytest.approx(18.8977, abs=1e-3)


def test_qlora_weights_are_four_bit_but_embeddings_stay_bf16() -> None:
    m = estimate_memory(LLAMA_8B, "qlora", 2048)
    # embeddings + head 2 x 128,256 x 4,096 = 1,050,673,152 parameters at 2 bytes = 2,101,346,304 B;
    # the other 6,979,326,848 at 4.127 / 8 bytes = 3,600,435,737 B; adapters 4 x 8.03e7 = 321,200,000 B:
    # 6,022,982,041 B = 5.6094 GB.
    assert m.weights == pytest.approx(5.6094, abs=1e-3)


def test_without_gradient_checkpointing_every_layer_keeps_its_activations() -> None:
    m = estimate_memory(LLAMA_8B, "lora", 2048, gradient_checkpointing=False)
    # 32 x 34 x 2048 x 4096 = 9,126,805,504 B + logits 1,050,673,152 B = 10,177,478,656 B = 9.4785 GB.
    assert m.activations == pytest.approx(9.4785, abs=1e-3)


def test_fits_is_decided_against_the_gpu_memory() -> None:
    # LoRA on Llama 3.1 8B at 2,048 tokens needs 18.9 GB: it fits a 24 GB L4. Full fine-tuning needs
    # 16 x 8.03e9 B = 119.657 GB + 1.744 + 1 = 122.401 GB: not an 80 GB H100, but a 141 GB H200.
    assert estimate_compute(1000, 2048, LLAMA_8B, method="lora", gpu="L4").fits
    full = estimate_compute(1000, 2048, LLAMA_8B, method="full", gpu="H100")
    assert full.memory_gb == pytest.approx(122.401, abs=1e-3) and not full.fits
    assert estimate_compute(1000, 2048, LLAMA_8B, method="full", gpu="H200").fits
    assert estimate_compute(1000, 2048, ModelShape(1e9), method="full", gpu="L4").fits


def test_unknown_shape_is_derived_and_said() -> None:
    e = estimate_compute(1000, 1000, 8e9, method="lora")
    # hidden = (128 x 8e9 / 12)^(1/3) = 4,402 -> 4,352 (multiple of 128); layers = 8e9 / (12 x 4352^2) = 35.
    assert (e.shape.hidden_size, e.shape.layers, e.shape.vocab_size) == (4352, 35, 128_256)
    assert "derived from the parameter count" in e.memory_assumptions[-1]


def test_peak_override_and_bad_inputs() -> None:
    e = estimate_compute(1000, 10, 1e9, gpu="H100", peak_tflops=500)
    assert e.peak_tflops == 500 and e.gpu_confidence == "user"
    with pytest.raises(UsageError, match="method"):
        estimate_compute(1000, 10, 1e9, method="adapter")
    with pytest.raises(UsageError, match="mfu"):
        estimate_compute(1000, 10, 1e9, mfu=1.5)
    with pytest.raises(UsageError, match="GPU price"):
        estimate_compute(1000, 10, 1e9, gpu_price=-1)
    with pytest.raises(UsageError, match="epochs"):
        estimate_compute(1000, 10, 1e9, epochs=0)
    with pytest.raises(UsageError, match="method"):
        estimate_memory(LLAMA_8B, "adapter", 10)


def test_broken_gpu_table_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "gpus.toml"
    bad.write_text('[gpus.X]\nname = "X"\npeak_tflops = -1\nmemory_gb = 8\n')
    with pytest.raises(ConfigError, match="peak_tflops"):
        load_gpus(bad)
    bad.write_text('[gpus.X]\nname = "X"\n')
    with pytest.raises(ConfigError, match="missing key"):
        load_gpus(bad)
    bad.write_text("gpus = 3\n")
    with pytest.raises(ConfigError, match="expected"):
        load_gpus(bad)
    with pytest.raises(ConfigError, match="cannot read"):
        load_gpus(tmp_path / "missing.toml")
    assert load_gpus(GPUS_FILE) == load_gpus()


# -- through validate, the JSON report and the CLI ------------------------------------------------------------


def _records() -> list[dict[str, Any]]:
    return [chat(user(f"Translate {i} into words."), assistant(f"The number {i}.")) for i in range(20)]


def test_validate_carries_the_estimate(write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl(_records())
    report = validate(
        path, config=Config(), jobs=1, method="lora", gpu="A100", parameters="8B", gpu_price=1.8
    )
    e = report.compute
    assert e is not None and report.cost is not None
    assert e.sequence_tokens == report.cost.billed_tokens  # every sequence, capped at the context
    assert e.flops == 4 * 8e9 * report.cost.billed_tokens * 3
    dist = report.files[0].stats.total_tokens
    assert dist is not None and e.longest_sequence == dist.max
    assert validate(path, config=Config(), jobs=1).compute is None


def test_preference_file_is_estimated_as_dpo(write_jsonl: Callable[..., Path]) -> None:
    pair = {
        "input": {"messages": [user("Name a prime.")]},
        "preferred_output": [assistant("Seven.")],
        "non_preferred_output": [assistant("Nine, I think.")],
    }
    report = validate(write_jsonl([pair] * 12), config=Config(), jobs=1, method="full", parameters=1e9)
    assert report.compute is not None and report.compute.preference and report.compute.flops_factor == 8


def test_json_report_has_the_compute_object(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl(_records())
    main(
        ["validate", str(path), "--format", "json", "--gpu", "RTX4090", "--parameters", "3e9", "--mfu", "0.4"]
    )
    compute = json.loads(capsys.readouterr().out)["compute"]
    assert {"method", "gpu", "peak_tflops", "mfu", "flops", "gpu_hours", "usd", "memory_gb", "fits"} <= set(
        compute
    )
    assert (compute["method"], compute["gpu"], compute["peak_tflops"], compute["mfu"]) == (
        "lora",
        "RTX4090",
        165.2,
        0.4,
    )
    assert compute["usd"] is None and compute["fits"] is True


def test_text_report_prints_each_assumption_beside_its_figure(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl(_records())
    main(
        [
            "validate",
            str(path),
            "--method",
            "qlora",
            "--gpu",
            "A10G",
            "--parameters",
            "7e9",
            "--gpu-price",
            "1.2",
        ]
    )
    out = capsys.readouterr().out
    assert "Self-hosted estimate: QLoRA on one NVIDIA A10G 24GB (AWS EC2 G5)" in out
    assert "= 4 x 7B parameters x" in out and "frozen weights get no weight gradient" in out
    assert "70 TFLOPS peak dense BF16 x 35% MFU" in out and "no vendor data sheet" in out
    assert "MFU: assumed, the default" in out and "per GPU-hour (as given)" in out
    assert "fits on one GPU" in out and "NF4 at 4.127 bits" in out and "gradient checkpointing on" in out


def test_text_report_without_price_says_how_to_get_one(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    main(
        ["validate", str(write_jsonl(_records())), "--method", "full", "--parameters", "70B", "--mfu", "1e-4"]
    )
    out = capsys.readouterr().out
    assert "--gpu-price USD_PER_HOUR" in out and "does NOT fit" in out
    assert re.search(r"GPU-hours \d+\.\d\d = FLOPs / \(989\.5 TFLOPS peak dense BF16 x 0\.01% MFU\)", out)


def test_tiny_models_and_runs_print_plain_figures(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    main(["validate", str(write_jsonl(_records())), "--gpu", "H200", "--parameters", "500k"])
    out = capsys.readouterr().out
    assert "x 500,000 parameters x" in out and "GPU-hours < 1 s" in out


def test_cli_usage_errors_exit_two_before_reading(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    path = str(write_jsonl(_records()))
    assert main(["validate", path, "--gpu", "H100"]) == 2
    assert "give --parameters (e.g. 8e9)" in capsys.readouterr().err
    assert main(["validate", path, "--gpu", "TPU", "--parameters", "8e9"]) == 2
    assert "unknown GPU 'TPU'" in capsys.readouterr().err
    assert main(["validate", path, "--method", "lora", "--parameters", "lots"]) == 2
    assert "8e9 or 8B" in capsys.readouterr().err


def test_config_file_settings(tmp_path: Path) -> None:
    config = Config().with_overrides(
        "test", method="qlora", gpu="L4", mfu=0.3, gpu_price=0.7, parameters="8B"
    )
    assert (config.method, config.parameters) == ("qlora", 8e9)
    with pytest.raises(ConfigError, match="method must be one of"):
        Config().with_overrides("test", method="sft")
    with pytest.raises(ConfigError, match="parameters"):
        Config().with_overrides("test", parameters=[8])
    with pytest.raises(ConfigError, match="8e9 or 8B"):
        Config().with_overrides("test", parameters="big")


def test_docs_worked_example_matches_the_code() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "compute.md").read_text()
    e = estimate_compute(1_000_000, 2048, 8e9, method="full", gpu="H100", gpu_price=2.5)
    assert f"**{e.flops:.3g}**".replace("e+", "e") in doc
    assert f"{e.gpu_hours * 3600:.2f} s = **{e.gpu_hours:.4f}**; cost **${e.usd:.2f}**" in doc
    assert f"8e9 x 16 bytes = {(e.memory.weights + e.memory.gradients + e.memory.optimizer):.2f} GB" in doc
    lora = estimate_compute(1000, 2048, LLAMA_8B, method="lora", gpu="L4")
    assert f"at 2,048 tokens: {lora.memory_gb:.2f} GB, which fits" in doc and lora.fits
    for gpu in load_gpus().values():
        assert f"| {gpu.peak_tflops:g}" in doc, gpu.id
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert f"gpu_hours {e.gpu_hours:.4f}, usd {e.usd:.2f}, memory_gb {e.memory_gb:.1f}, fits False" in readme


def test_gpus_command_lists_the_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gpus"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 7 and out[0].startswith("H100        989.5 TFLOPS    80 GB  official")
    assert any(line.startswith("A10G") and " copy " in line for line in out)


def test_open_weight_models_give_their_parameter_count() -> None:
    from dataprep.models import resolve_model
    from dataprep.validation.run import _check_compute_settings, _parameters

    llama = resolve_model("meta-llama/Llama-3.1-8B-Instruct")
    assert _parameters(Config(method="lora"), llama) == 8_030_261_248  # the open-weight table's figure
    assert _parameters(Config(method="lora", parameters=7e9), llama) == 7e9  # --parameters wins
    _check_compute_settings(Config(method="lora"), llama)  # no --parameters needed
    with pytest.raises(UsageError, match="give --parameters"):
        _check_compute_settings(Config(gpu="L4"), resolve_model("gpt-4o-mini-2024-07-18"))


def test_open_weight_shape_uses_config_figures_and_active_parameters() -> None:
    shape = model_shape("meta-llama/Llama-3.1-8B-Instruct", 8_030_261_248)
    assert (shape.layers, shape.hidden_size, shape.vocab_size) == (32, 4096, 128_256)
    assert "config.json" in shape.source
    moe = model_shape("openai/gpt-oss-20b", 20_914_757_184, 3.61e9)
    assert moe.flops_parameters == 3.61e9  # the model table's active count wins over the shape table's
    assert model_shape("org/unknown", 1e9, 2e8).flops_parameters == 2e8
