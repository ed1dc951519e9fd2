"""Exact and normalised duplicates, conflicting answers and exact leakage (DP401, DP402, DP404, DP405)."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from dataprep.dedup import DuplicateIndex, example_digest, find_duplicates
from dataprep.dedup.canonical import normalise_pieces
from dataprep.types import Finding, Kind, Severity


def chat(question: str, answer: str, system: str | None = None, **extra: Any) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}] if system else []
    messages += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return {"messages": messages, **extra}


NATO = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november"


def distinct(n: int) -> list[dict[str, Any]]:
    """Examples that share nothing worth reporting."""
    words = NATO.split(" ")
    return [
        chat(f"question {i}: {words[i % 14]} {i * 7919}?", f"answer {i}: {words[(i * 5) % 14]} {i}")
        for i in range(n)
    ]


def codes(findings: list[Finding]) -> list[tuple[str, int]]:
    return [(f.code, f.location.line) for f in findings]


def test_key_order_and_json_whitespace_do_not_matter() -> None:
    a = {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}]}
    b = {"messages": [{"content": "hi", "role": "user"}, {"content": "hello", "role": "assistant"}]}
    assert example_digest(a, Kind.CHAT).exact == example_digest(b, Kind.CHAT).exact
    assert example_digest(a, Kind.CHAT).exact != example_digest(chat("hi", "hello!"), Kind.CHAT).exact


def test_every_copy_of_an_exact_duplicate_is_reported_naming_the_first(write_jsonl: Any) -> None:
    records = distinct(8)
    lines = [records[0], records[1], records[2], records[1], records[3], records[1], records[0]]
    path = write_jsonl(lines, "train.jsonl")
    # The same record written with other key order and spacing is still the same example.
    path.write_bytes(
        path.read_bytes() + b'{ "messages" : [ {"content": "question 3: delta 23757?", '
        b'"role": "user"}, {"role": "assistant", "content": "answer 3: bravo 3"} ] }\n'
    )
    findings = find_duplicates(path, near=False)
    assert codes(findings) == [("DP401", 4), ("DP401", 6), ("DP401", 7), ("DP401", 8)]
    by_line = {f.location.line: f for f in findings}
    assert by_line[4].message == "exact duplicate of line 2 (copy 2 of 3)"
    assert by_line[6].message == "exact duplicate of line 2 (copy 3 of 3)"
    assert by_line[7].message == "exact duplicate of line 1 (copy 2 of 2)"
    assert by_line[8].message == "exact duplicate of line 5 (copy 2 of 2)"
    assert all(f.severity is Severity.WARNING and f.location.path == str(path) for f in findings)
    # The first copy is also a structured related location.
    assert [(r.path, r.line) for r in by_line[6].related] == [(str(path), 2)]
    assert by_line[8].to_dict()["related"] == [{"path": str(path), "line": 5}]


def test_normalised_duplicates_case_whitespace_nfkc() -> None:
    base = chat("What is RAM?", "Random-access memory.")
    records = [
        *distinct(3),
        base,
        chat("what  is ram?", "random-access\nmemory."),  # case and whitespace
        chat("Ｗhat is RAM?", "Random\u2011access memory."),  # full-width W: NFKC; non-breaking hyphen is not
        chat("What is RAM?\u00a0", "Random-access memory."),  # NBSP at the end
        base,
    ]
    findings = find_duplicates(records, near=False)
    # Line 6 keeps its non-breaking hyphen (NFKC makes it U+2010, not "-"): same prompt, other answer.
    # Every copy once: 5 and 7 differ from line 4 only after normalising; 8 is an exact copy of it.
    assert codes(findings) == [("DP402", 5), ("DP404", 6), ("DP402", 7), ("DP401", 8)]
    assert findings[0].message == (
        "duplicate of line 4 after normalising case, whitespace and Unicode (copy 2 of 4)"
    )
    assert findings[2].message.endswith("(copy 3 of 4)")
    assert findings[3].message == "exact duplicate of line 4 (copy 2 of 2)"
    assert all(f.related[0].line == 4 for f in findings)
    assert findings[0].location.path == "<records>"


def test_whitespace_deleted_for_hashing_but_kept_for_shingles() -> None:
    compact, spaced = normalise_pieces(["  Hello\tWORLD\n\n", "ﬁne \u2028 day", "x\x00y"])
    assert compact == [b"helloworld", b"fineday", "x\ufffdy".encode()]  # a NUL cannot pass for a separator
    assert spaced[0].split() == [b"hello", b"world"] and spaced[1].split() == [b"fine", b"day"]


def test_conflicting_answers_group_with_lines() -> None:
    records = [
        chat("Is 37.5 C a fever?", "No, most guides start at 38 C.", system="Be brief."),
        *distinct(2),
        chat("is 37.5 c a  fever?", "Yes.", system="Be brief."),
        chat("Is 37.5 C a fever?", "No, most guides start at 38 C.", system="Be brief."),
        chat("Is 37.5 C a fever?", "Maybe.", system="Be brief."),
        chat("Is 37.5 C a fever?", "Yes.", system="Be kind."),  # another system prompt: another prompt
    ]
    findings = [f for f in find_duplicates(records, near=False) if f.code == "DP404"]
    assert codes(findings) == [("DP404", 4)]
    assert findings[0].message == (
        "same prompt as line 1 but a different answer (4 examples, 3 answers: A lines 1, 5; B line 4; C line 6)"
    )


def test_no_conflict_without_a_prompt_or_for_preference_records() -> None:
    lone = [{"messages": [{"role": "assistant", "content": f"hello {i}"}]} for i in range(3)]
    pref = [
        {
            "input": {"messages": [{"role": "user", "content": "Pick one"}]},
            "preferred_output": [{"role": "assistant", "content": answer}],
            "non_preferred_output": [{"role": "assistant", "content": "meh"}],
        }
        for answer in ("A", "B")
    ]
    assert not [f for f in find_duplicates([*lone, *pref], near=False) if f.code == "DP404"]


def test_exact_and_normalised_leakage_is_an_error_per_validation_line() -> None:
    train = [*distinct(5), chat("Capital of France?", "Paris.")]
    valid = [chat("x", "y"), distinct(5)[2], chat("capital of  FRANCE?", "paris."), distinct(5)[2]]
    findings = find_duplicates(train, validation=valid, near=False)
    leaks = [f for f in findings if f.code == "DP405"]
    assert codes(leaks) == [("DP405", 2), ("DP405", 3), ("DP405", 4)]
    assert leaks[0].message == "also in the training data: <records>:3 ~ <validation>:2 (exact copy)"
    assert leaks[1].message.endswith(
        "<records>:6 ~ <validation>:3 (same after normalising case, whitespace and Unicode)"
    )
    assert all(f.severity is Severity.ERROR and f.location.path == "<validation>" for f in leaks)
    # Within validation, lines 2 and 4 are also duplicates of each other.
    assert ("DP401", 4) in codes(findings)


def test_duplicates_across_two_training_files_name_the_other_file() -> None:
    index = DuplicateIndex()
    record = chat("same", "thing")
    index.add("a.jsonl", "train", 3, example_digest(record, Kind.CHAT, near=False))
    index.add("b.jsonl", "train", 9, example_digest(record, Kind.CHAT, near=False))
    (finding,) = index.findings()
    assert finding.format() == "b.jsonl:9:1: DP401 exact duplicate of a.jsonl:3 (copy 2 of 2)"
    assert finding.related[0].path == "a.jsonl" and finding.related[0].line == 3


def test_a_long_group_gives_one_short_finding_per_copy() -> None:
    findings = find_duplicates([chat("q", "a")] * 25, near=False)
    assert [f.location.line for f in findings] == list(range(2, 26))
    assert findings[-1].message == "exact duplicate of line 1 (copy 25 of 25)"
    assert all(len(f.related) == 1 and f.related[0].line == 1 for f in findings)


@pytest.mark.parametrize(
    "record",
    [
        {},
        {"messages": None},
        {"messages": [1, "two", None, {"role": 3, "content": {"x": [1, 2]}}]},
        {"messages": [{"role": "assistant", "content": None, "tool_calls": [{"function": {"name": "f"}}]}]},
        {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
        {"prompt": 1, "completion": None},
        {"input": "not a dict", "preferred_output": 5},
        {"deep": [[[[[["x"]]]]]], "n": 1.5e300, "t": True},
    ],
)
def test_digest_never_raises(record: dict[str, Any]) -> None:
    for kind in (None, Kind.CHAT, Kind.PREFERENCE, Kind.COMPLETION):
        digest = example_digest(record, kind)
        assert digest.exact != 0 and digest.normal != 0


def test_digest_without_near_work_does_not_import_numpy() -> None:
    code = (
        "import sys\n"
        "from dataprep.dedup import DuplicateIndex, example_digest\n"
        "d = example_digest({'messages': [{'role': 'user', 'content': 'hi there'}]}, None, near=False)\n"
        "i = DuplicateIndex(); i.add('f', 'train', 1, d)\n"
        "assert d.signature == b'' and 'numpy' not in sys.modules, sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_index_rejects_bad_role_and_foreign_signatures() -> None:
    index = DuplicateIndex()
    digest = example_digest(chat("a b c d", "e f g h"), Kind.CHAT)
    with pytest.raises(ValueError, match="role"):
        index.add("f", "test", 1, digest)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="signature"):
        index.add("f", "train", 1, digest._replace(signature=b"xx"))
