"""The hooks in .pre-commit-hooks.yaml: the manifest itself, its entry run in-process, and the real `pre-commit`
tool running it with `try-repo` in temporary git repositories - offline.

A `language: python` hook makes pre-commit build a virtualenv and `pip install` the project, which normally
downloads the build backend and every dependency. Two offline ways are tested:
- the manifest with only `language` and the entry's program rewritten (to this interpreter's dataprep):
  pre-commit's own file selection, serial/parallel runs, args, output and exit status, in about 3 s;
- the unmodified manifest, `language: python` and all, with pip kept off the network (no index, no build
  isolation, no dependency resolution) and the dependencies reached through PYTHONPATH, in about 10-15 s.
DATAPREP_NETWORK_TESTS=1 adds the plain networked install of the unmodified manifest.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import yaml

from dataprep.cli import main
from dataprep.rules.registry import ALL_RULES
from tests.conftest import REPO, assistant, chat, user

# Property sweeps, real pre-commit runs and wheel builds: `make quick` skips them, `make test` runs them.
pytestmark = pytest.mark.slow

MANIFEST = REPO / ".pre-commit-hooks.yaml"
HOOK_IDS = ("dataprep-validate", "dataprep-validate-fast")
# 48 words, 8-10 per text: no two generated examples come near the near-duplicate threshold (max Jaccard ~0.2).
_VOCABULARY = (
    "lentil cumin paprika rice onion garlic basil thyme lemon ginger tofu leek barley fennel plum kale saffron "
    "quinoa walnut almond pepper radish turnip celery parsley oregano mint sage chive apricot fig date mango "
    "papaya melon cherry peach pear apple carrot beet squash pumpkin potato yam cabbage spinach lettuce"
)
_WORDS = tuple(_VOCABULARY.split())

needs_tools = pytest.mark.skipif(
    shutil.which("git") is None or importlib.util.find_spec("pre_commit") is None,
    reason="needs git and pre-commit",
)


def _hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}


def _records(seed: int, n: int = 60) -> list[dict[str, Any]]:
    """Distinct, unrelated examples (so no duplicate rule can fire between the test files)."""
    rng = random.Random(seed)
    return [
        chat(user(" ".join(rng.sample(_WORDS, 8)) + "?"), assistant(" ".join(rng.sample(_WORDS, 10)) + "."))
        for _ in range(n)
    ]


def _write(path: Path, items: list[Any]) -> Path:
    from tests.conftest import to_line

    path.write_bytes(b"".join(to_line(item) + b"\n" for item in items))
    return path


# --- the manifest ------------------------------------------------------------------------------------------


def test_manifest_declares_both_hooks_as_pre_commit_requires() -> None:
    hooks = _hooks()
    assert set(hooks) == set(HOOK_IDS)
    for hook in hooks.values():
        for key in ("id", "name", "entry", "language"):
            assert isinstance(hook[key], str) and hook[key], key
        assert hook["language"] == "python"
        entry = shlex.split(hook["entry"])
        assert entry[:2] == ["dataprep", "validate"]
        assert "--quiet" in entry
        # Options end before the file names pre-commit appends, so no file name is read as an option; args
        # would come after `--` too, so the hooks have none.
        assert entry[-1] == "--"
        assert "args" not in hook
        files = re.compile(hook["files"])
        assert files.search("data/train.jsonl") and files.search("x.validation.jsonl")
        assert not files.search("train.json") and not files.search("train.jsonl.bak")
    # The full hook must see every file in one process for the cross-file checks; the fast one need not.
    assert hooks["dataprep-validate"]["require_serial"] is True
    assert hooks["dataprep-validate-fast"]["require_serial"] is False
    assert "--ignore=DP4,DP51" in shlex.split(hooks["dataprep-validate-fast"]["entry"])


@needs_tools
def test_manifest_passes_pre_commits_own_schema() -> None:
    from pre_commit.clientlib import load_manifest  # type: ignore[import-untyped]

    loaded = {hook["id"]: hook for hook in load_manifest(str(MANIFEST))}
    assert set(loaded) == set(HOOK_IDS)
    assert loaded["dataprep-validate"]["pass_filenames"] is True


@pytest.mark.parametrize("hook_id", HOOK_IDS)
def test_entry_and_args_run_through_main(
    hook_id: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    hook = _hooks()[hook_id]
    argv = shlex.split(hook["entry"])
    assert argv[0] == "dataprep"
    good = _write(tmp_path / "good.jsonl", _records(1))
    bad = _write(tmp_path / "bad.jsonl", [*_records(2), b'{"messages": [1,]}'])

    assert main([*argv[1:], str(good)]) == 0
    assert capsys.readouterr().out == ""  # quiet: findings only, and there are none
    assert main([*argv[1:], str(good), str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{bad}:61:16: DP002 malformed JSON: trailing comma is not allowed" in lines
    assert all(line.startswith(f"{bad}:") for line in lines)  # findings only, none about the good file


def test_cross_file_checks_only_in_the_serial_hook(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    same = _records(3)
    first, second = _write(tmp_path / "a.jsonl", same), _write(tmp_path / "b.jsonl", same)
    hooks = _hooks()
    fast = shlex.split(hooks["dataprep-validate-fast"]["entry"])
    main([*fast[1:], str(first), str(second)])
    assert not re.search(r" DP(4\d\d|51\d) ", capsys.readouterr().out)
    if any(rule.code.startswith("DP4") for rule in ALL_RULES):  # once the duplicate rules exist
        full = shlex.split(hooks["dataprep-validate"]["entry"])
        main([*full[1:], str(first), str(second)])
        assert re.search(r" DP4\d\d ", capsys.readouterr().out)


# --- the real pre-commit tool ------------------------------------------------------------------------------


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without git/pre-commit/pip settings that could leak in (say, from a hook running
    these tests), with pre-commit's and virtualenv's caches in the temporary folder."""
    drop = ("GIT_", "PRE_COMMIT", "PIP_", "VIRTUALENV_", "PYTHONPATH")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    env["VIRTUALENV_OVERRIDE_APP_DATA"] = str(tmp_path / "virtualenv-data")
    env.update(extra)
    return env


def _git(cwd: Path, *args: str) -> None:
    identity = ("-c", "user.name=dataprep tests", "-c", "user.email=tests@example.invalid")
    subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )


def _commit_all(repo: Path) -> Path:
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "hooks under test")
    return repo


def _target_repo(tmp_path: Path) -> Path:
    """A repository to check: two good JSONL files, one bad, and files the `files` pattern must skip."""
    target = tmp_path / "target"
    (target / "data").mkdir(parents=True)
    _write(target / "data" / "good1.jsonl", _records(10))
    _write(target / "good2.jsonl", _records(11))
    _write(target / "bad.jsonl", [*_records(12), b'{"messages": [1,]}'])
    (target / "notes.json").write_text("{not json at all", encoding="utf-8")
    (target / "notes.txt").write_text("[1]\n", encoding="utf-8")
    _git(target, "init", "-q")
    _git(target, "add", "-A")  # --all-files means the files git knows
    return target


def _try_repo(
    repo: Path, target: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), *args, "--color", "never"]
    return subprocess.run(command, cwd=target, env=env, capture_output=True, text=True, timeout=timeout)


def _offline_manifest(text: str) -> str:
    """The real manifest with only the install step taken out: `language: python` becomes the no-install
    language, and the entry's program becomes this interpreter's `python -m dataprep`."""
    language = "unsupported" if importlib.util.find_spec("pre_commit.languages.unsupported") else "system"
    text, languages = re.subn(r"(?m)^(\s*)language: python$", rf"\1language: {language}", text)
    program = shlex.join([sys.executable, "-m", "dataprep"])
    text, entries = re.subn(r"(?m)^(\s*entry: )dataprep(?= )", lambda m: m.group(1) + program, text)
    assert languages == entries == len(HOOK_IDS), "the manifest's layout changed: update this rewrite"
    return text


@needs_tools
def test_try_repo_runs_both_hooks_fails_on_the_bad_file_and_passes_the_good_ones(tmp_path: Path) -> None:
    hooks_repo = tmp_path / "hooks"
    hooks_repo.mkdir()
    (hooks_repo / ".pre-commit-hooks.yaml").write_text(
        _offline_manifest(MANIFEST.read_text(encoding="utf-8"))
    )
    _commit_all(hooks_repo)
    target = _target_repo(tmp_path)
    # A staged `-h.jsonl` must not print help, and a staged `--config=cfg.jsonl` (bad data) must not become an
    # option that lets it pass: with `--` ending the entry's options, both are checked as data by both hooks.
    _write(target / "-h.jsonl", [*_records(20), b'{"messages": [1,]}'])
    _write(target / "--config=cfg.jsonl", [*_records(21), b'{"messages": [2,]}'])
    (target / "cfg.jsonl").write_text('[tool.dataprep]\nignore = ["DP"]\n', encoding="utf-8")
    _git(target, "add", "-A")
    env = _env(tmp_path)

    failed = _try_repo(hooks_repo, target, env, "--all-files")  # no hook id: every hook in the manifest
    out = failed.stdout + failed.stderr
    assert failed.returncode == 1, out
    assert re.search(r"dataprep validate\.+Failed", out) and re.search(r"per file\)\.+Failed", out)
    assert out.count("bad.jsonl:61:16: DP002 malformed JSON: trailing comma is not allowed") == 2
    assert "Usage:" not in out and "Show this message" not in out  # -h.jsonl was not --help
    assert out.count("-h.jsonl:61:16: DP002 malformed JSON") == 2
    assert (
        out.count("--config=cfg.jsonl:61:16: DP002 malformed JSON") == 2
    )  # checked, not taken as the config
    # Only .jsonl files reach the hook, and good files produce no output.
    for name in ("good1.jsonl", "good2.jsonl", "notes.json", "notes.txt"):
        assert name not in out

    passed = _try_repo(
        hooks_repo,
        target,
        env,
        "dataprep-validate",
        "--files",
        "data/good1.jsonl",
        "good2.jsonl",
        "notes.json",
        "notes.txt",
    )
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"dataprep validate\.+Passed", passed.stdout)


def _project_copy(tmp_path: Path) -> Path:
    """A committed copy of what `pip install .` needs, with the manifest unmodified."""
    project = tmp_path / "project"
    skip = shutil.ignore_patterns(
        ".git", ".venv", "__pycache__", "*.pyc", ".*_cache", ".hypothesis", "build", "dist", "*.egg-info",
        "tests", "benchmarks", "sample_data",
    )  # fmt: skip
    shutil.copytree(REPO, project, ignore=skip)
    assert (project / ".pre-commit-hooks.yaml").read_bytes() == MANIFEST.read_bytes()
    return _commit_all(project)


def _site_packages() -> str:
    paths = sysconfig.get_paths()
    return os.pathsep.join(dict.fromkeys([paths["purelib"], paths["platlib"]]))


@pytest.mark.slow
@needs_tools
@pytest.mark.skipif(importlib.util.find_spec("hatchling") is None, reason="needs the hatchling build backend")
def test_try_repo_installs_the_unmodified_python_hook_offline(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        PIP_NO_INDEX="1",  # never contact a package index
        PIP_NO_BUILD_ISOLATION="0",  # pip reads this as build_isolation=0: build with the hatchling we have
        PIP_NO_DEPS="1",  # the dependencies come from PYTHONPATH instead of being resolved
        PIP_CACHE_DIR=str(tmp_path / "pip-cache"),
        VIRTUALENV_NO_PERIODIC_UPDATE="1",  # virtualenv seeds pip from its bundled wheels, no update check
        PYTHONPATH=_site_packages(),
    )
    project, target = _project_copy(tmp_path), _target_repo(tmp_path)
    result = _try_repo(project, target, env, "dataprep-validate", "--all-files")
    out = result.stdout + result.stderr
    assert "Installing environment" in out, out  # the python-language install really ran
    assert result.returncode == 1, out
    assert "bad.jsonl:61:16: DP002 malformed JSON: trailing comma is not allowed" in out
    assert "good1.jsonl" not in out and "good2.jsonl" not in out


@pytest.mark.slow
@needs_tools
@pytest.mark.skipif(os.environ.get("DATAPREP_NETWORK_TESTS") != "1", reason="set DATAPREP_NETWORK_TESTS=1")
def test_try_repo_installs_the_python_hook_from_the_package_index(tmp_path: Path) -> None:
    project, target = _project_copy(tmp_path), _target_repo(tmp_path)
    result = _try_repo(project, target, _env(tmp_path), "dataprep-validate", "--all-files", timeout=600)
    out = result.stdout + result.stderr
    assert result.returncode == 1, out
    assert "bad.jsonl:61:16: DP002 malformed JSON: trailing comma is not allowed" in out
