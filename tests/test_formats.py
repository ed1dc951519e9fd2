"""CI output formats: GitHub workflow commands, SARIF 2.1.0 (checked against the official schema), JUnit XML."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import dataprep
from dataprep.cli import main
from dataprep.report.formats import RENDERERS
from dataprep.report.github import escape_data, escape_property, render_github
from dataprep.report.junit import render_junit
from dataprep.report.model import Report
from dataprep.report.sarif import SARIF_SCHEMA, render_sarif, sarif_log
from dataprep.rules.registry import ALL_RULES
from dataprep.types import Finding, Location, Severity
from tests.conftest import assistant, chat, user

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _report(write_jsonl: Callable[..., Path], *findings: Finding) -> Report:
    """A real report of a clean 60-example file, with the given findings in place of its own (if any)."""
    path = write_jsonl([chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(60)], "good.jsonl")
    report = dataprep.validate_files([path])
    return dataclasses.replace(report, findings=findings) if findings else report


def _finding(code: str, severity: Severity, message: str, path: str, line: int, col: int = 1) -> Finding:
    return Finding(code, severity, message, Location(path, line, col, ""))


# --- GitHub workflow commands ----------------------------------------------------------------------------


def test_escaping_follows_githubs_rules() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("dir:a,b/50%\n") == "dir%3Aa%2Cb/50%25%0A"
    # `%` is escaped first: a literal "%0A" in the text must not turn into a newline for the runner.
    assert escape_data("%0A") == "%250A"


def _parse_command(line: str) -> tuple[str, dict[str, str], str]:
    """Read a workflow command back the way the runner does: split, then undo the escapes."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    command, props_text, data = match.groups()

    def unescape(text: str) -> str:
        for escaped, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
            text = text.replace(escaped, raw)
        return text

    props = dict(item.split("=", 1) for item in props_text.split(","))
    return command, {k: unescape(v) for k, v in props.items()}, unescape(data)


def test_github_levels_locations_and_round_trip(write_jsonl: Callable[..., Path]) -> None:
    hostile = "odd:name, 100%.jsonl"
    report = _report(
        write_jsonl,
        _finding("DP002", E, "malformed JSON:\nline two, 5%", hostile, 7, 12),
        _finding("DP204", W, "last message is 'user'", "train.jsonl", 3),
        _finding("DP005", INFO, "file starts with a BOM", "train.jsonl", 1),
        _finding("DP501", E, "3 training examples", "train.jsonl", 0),
    )
    lines = render_github(report).splitlines()
    assert len(lines) == 5  # one command per finding (newlines escaped) and the summary
    parsed = [_parse_command(line) for line in lines[:4]]
    assert [p[0] for p in parsed] == ["error", "warning", "notice", "error"]
    _, props, message = parsed[0]
    assert props == {"file": hostile, "line": "7", "col": "12", "title": "DP002"}
    assert message == "malformed JSON:\nline two, 5%"
    # A file-level finding (line 0) annotates the file: no line or col property at all.
    assert parsed[3][1] == {"file": "train.jsonl", "title": "DP501"}
    assert lines[4] == "dataprep: FAILED: 2 error(s), 1 warning(s), 1 info"


def test_github_paths_are_relative_to_the_checkout(write_jsonl: Callable[..., Path], tmp_path: Path) -> None:
    inside = str(tmp_path / "data" / "train.jsonl")  # the tests run from tmp_path
    report = _report(write_jsonl, _finding("DP002", E, "bad", inside, 2))
    assert render_github(report).startswith("::error file=data/train.jsonl,line=2,col=1,title=DP002::bad\n")


def test_cli_github_format(capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]) -> None:
    path = write_jsonl(
        [chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(12)] + [b'{"messages": [1,]}']
    )
    code = main(["validate", str(path), "--format", "github", "--ignore", "DP4,DP50"])
    out = capsys.readouterr().out
    assert code == 1
    assert out.splitlines()[0] == (
        f"::error file={escape_property(path.name)},line=13,col=16,title=DP002::"
        "malformed JSON: trailing comma is not allowed"
    )


# --- SARIF -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.Draft4Validator:
    # Byte for byte the file tests/data/README.md describes (the standard's own schema, unmodified).
    digest = hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest()
    assert digest == "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    # The official schema declares draft-04.
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"] == SARIF_SCHEMA
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)


def _assert_valid(validator: jsonschema.Draft4Validator, doc: Any) -> None:
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])


# RFC 3986 URI-reference characters (unreserved, reserved, percent escapes): what `format: uri-reference` needs.
_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def test_sarif_of_a_real_run_is_valid(
    sarif_validator: jsonschema.Draft4Validator, write_jsonl: Callable[..., Path]
) -> None:
    path = write_jsonl([chat()] * 3 + [b"[1]", b'{"messages": [1,]}'], "bad.jsonl")
    report = dataprep.validate_files([path])
    doc = json.loads(render_sarif(report))
    _assert_valid(sarif_validator, doc)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    results = doc["runs"][0]["results"]
    assert len(results) == len(report.findings)
    codes = {r["ruleId"] for r in results}
    assert {"DP002", "DP003", "DP501"} <= codes  # DP501 (too few examples) is a file-level finding


def test_sarif_catalogue_levels_and_file_level_findings(
    sarif_validator: jsonschema.Draft4Validator, write_jsonl: Callable[..., Path], tmp_path: Path
) -> None:
    findings = (
        _finding("DP002", E, "malformed JSON", "data dir/train.jsonl", 4, 9),
        _finding("DP204", W, "ends with user", "<records>", 2),
        _finding("DP006", INFO, "CRLF", str(tmp_path / "sub" / "x.jsonl"), 1),
        _finding("DP501", E, "too few examples", "train.jsonl", 0),  # file-level: line 0
        _finding("DP999", W, "a code outside the catalogue", "/elsewhere/x.jsonl", 3),
    )
    doc = sarif_log(_report(write_jsonl, *findings), base=tmp_path)
    _assert_valid(sarif_validator, doc)
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["name"] == "dataprep" and driver["version"] == dataprep.__version__
    rules = driver["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    # The full catalogue, not only the rules that fired, with the documented default level.
    for rule in ALL_RULES:
        descriptor = by_id[rule.code]
        level = {"error": "error", "warning": "warning", "info": "note"}[rule.severity.value]
        assert descriptor["defaultConfiguration"]["level"] == level
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["help"]["text"] == rule.doc and "Bad:" in descriptor["help"]["markdown"]
    results = doc["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "error", "warning"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert _URI_CHARS.fullmatch(uri), uri
    location = [r["locations"][0]["physicalLocation"] for r in results]
    assert location[0]["artifactLocation"] == {"uri": "data%20dir/train.jsonl", "uriBaseId": "%SRCROOT%"}
    assert location[0]["region"] == {"startLine": 4, "startColumn": 9}
    assert location[1]["artifactLocation"]["uri"] == "%3Crecords%3E"
    assert location[2]["artifactLocation"]["uri"] == "sub/x.jsonl"  # absolute inside the base: relative
    assert location[4]["artifactLocation"] == {"uri": "file:///elsewhere/x.jsonl"}
    # Line 0 still gives a valid region (SARIF lines start at 1) and says it is about the whole file.
    assert location[3]["region"] == {"startLine": 1}
    assert results[3]["properties"]["fileLevel"] is True


def test_sarif_schema_rejects_what_it_should(sarif_validator: jsonschema.Draft4Validator) -> None:
    """The kept schema really constrains: a region at line 0 and an unknown level are invalid."""
    run = {"tool": {"driver": {"name": "x"}}}
    bad_line = {
        "message": {"text": "m"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a"}, "region": {"startLine": 0}}}],
    }
    assert list(sarif_validator.iter_errors({"version": "2.1.0", "runs": [{**run, "results": [bad_line]}]}))
    bad_level = {"message": {"text": "m"}, "level": "info"}
    assert list(sarif_validator.iter_errors({"version": "2.1.0", "runs": [{**run, "results": [bad_level]}]}))


def test_cli_sarif_format(
    capsys: pytest.CaptureFixture[str],
    sarif_validator: jsonschema.Draft4Validator,
    write_jsonl: Callable[..., Path],
) -> None:
    path = write_jsonl([b"[1]"], "bad.jsonl")
    assert main(["validate", str(path), "--format", "sarif"]) == 1
    doc = json.loads(capsys.readouterr().out)
    _assert_valid(sarif_validator, doc)
    assert doc["runs"][0]["results"][0]["ruleId"] == "DP003"


# --- JUnit -----------------------------------------------------------------------------------------------


def test_junit_one_case_per_file_with_failures_and_output(write_jsonl: Callable[..., Path]) -> None:
    good = write_jsonl([chat(user(f"q {i}"), assistant(f"a {i}")) for i in range(60)], "good.jsonl")
    bad = write_jsonl([chat(user(f"x {i}"), assistant(f"y {i}")) for i in range(60)] + [b"[1]"], "bad.jsonl")
    warn = write_jsonl([chat(user(f"w {i}"), assistant(f" z {i}")) for i in range(60)], "warn.jsonl")
    report = dataprep.validate_files([good, bad, warn], ignore=("DP4", "DP5"))
    root = ET.fromstring(render_junit(report))
    suite = root.find("testsuite")
    assert suite is not None
    assert (root.get("tests"), root.get("failures")) == ("3", "1")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("3", "1", "0")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert list(cases) == [str(good), str(bad), str(warn)]
    assert cases[str(good)].find("failure") is None and cases[str(good)].find("system-out") is None
    failure = cases[str(bad)].find("failure")
    assert failure is not None and failure.get("type") == "DP003" and failure.get("message") == "1 error(s)"
    assert failure.text == f"{bad}:61:1: DP003 line is a JSON array, not a JSON object"
    out = cases[str(warn)].find("system-out")  # warnings are reported, but the file passes
    assert cases[str(warn)].find("failure") is None and out is not None and "DP212" in (out.text or "")


def test_junit_escapes_markup_and_drops_characters_xml_cannot_hold(write_jsonl: Callable[..., Path]) -> None:
    nasty = 'bad <tag> & "quotes" \x01 \x1b[31m \ud800 end'
    report = _report(
        write_jsonl,
        _finding("DP101", E, nasty, 'a&b<"c">.jsonl', 2),
        _finding("DP204", W, "note\x0c", 'a&b<"c">.jsonl', 3),
    )
    text = render_junit(report)
    text.encode("utf-8")  # a lone surrogate would make this raise
    root = ET.fromstring(text)
    case = next(c for c in root.iter("testcase") if c.get("name") == 'a&b<"c">.jsonl')
    failure = case.find("failure")
    assert failure is not None and failure.text is not None
    assert 'bad <tag> & "quotes" \\x01 \\x1b[31m \\ud800 end' in failure.text
    assert case.findtext("system-out", "").endswith("note\\x0c")
    assert root.get("tests") == "2"  # the report's own file and the file named by the findings


# --- registry --------------------------------------------------------------------------------------------


def test_every_format_is_registered_and_offered_by_the_cli(
    capsys: pytest.CaptureFixture[str], write_jsonl: Callable[..., Path]
) -> None:
    assert {"text", "json", "github", "sarif", "junit"} <= set(RENDERERS)
    path = _report(write_jsonl).files[0].path
    for name in ("github", "sarif", "junit"):
        assert main(["validate", path, "--format", name]) == 0
        assert capsys.readouterr().out.strip()
