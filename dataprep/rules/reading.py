"""DP0xx: reading and parsing. The line check decodes one line into a record (or says why it cannot); the file
check reports what the reader learnt about the whole file. The decoding itself is dataprep.io.parse's."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataprep.io import parse
from dataprep.io.jsonl import RawLine
from dataprep.rules.base import FileSummary, Rule, jsonl
from dataprep.schema.checks import detect_kind
from dataprep.types import Problem, Severity

if TYPE_CHECKING:
    from dataprep.validation.record import CheckSettings

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

_CODES = {
    parse.BLANK: "DP004",
    parse.NOT_OBJECT: "DP003",
    parse.INVALID_UTF8: "DP001",
    parse.TOO_DEEP: "DP009",
    parse.NON_STANDARD_NUMBER: "DP008",
    parse.MALFORMED: "DP002",
}
BLANK_LINE = "DP004"
DUPLICATE_KEY = "DP014"


def read_line(raw: RawLine, settings: CheckSettings) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The line's record when it is one of the file's kind, else None; and the problems found reading it."""
    size = raw.oversize or len(raw.data)
    if size > settings.max_line_bytes:
        message = f"line is {size:,} bytes, over the {settings.max_line_bytes:,}-byte limit; not checked"
        return None, [Problem("DP011", message)]
    if raw.error:
        return None, [Problem("DP003", raw.error)]
    record, failure = parse.parse_line(raw.data)
    if failure is not None:
        return None, [Problem(_CODES[failure.reason], failure.message, col=failure.col)]
    found = detect_kind(record) if settings.native is None else None  # native: kind known after reading
    if found is not None and found != settings.kind:
        message = f"a {found.value} record in a file of {settings.kind.value} records; not checked further"
        return None, [Problem("DP012", message)]
    repeated = parse.duplicate_keys(raw.data, record) if settings.duplicate_keys else None
    if repeated:
        return record, [Problem(DUPLICATE_KEY, _repeated_message(repeated))]
    return record, []


def _repeated_message(keys: list[str]) -> str:
    names = ", ".join(repr(k)[:80] for k in keys[:5]) + (
        f" and {len(keys) - 5} more" if len(keys) > 5 else ""
    )
    many = len(keys) > 1
    return (
        f"key{'s' if many else ''} {names} appear{'' if many else 's'} more than once in one object: "
        "the last value is used here (and by Python's json), other parsers keep the first or refuse the line"
    )


def check_file(summary: FileSummary) -> list[tuple[int, Problem]]:
    """Whole-file reading facts: byte order mark, line endings, final newline, no records at all."""
    facts = summary.facts
    out: list[tuple[int, Problem]] = []
    if facts.bom:
        out.append((1, Problem("DP005", "file starts with a UTF-8 byte order mark (accepted)")))
    if facts.crlf_line:
        out.append((facts.crlf_line, Problem("DP006", "file uses CRLF line endings (accepted)")))
    if facts.lines and not facts.final_newline:
        out.append((facts.lines, Problem("DP007", "no newline at the end of the file")))
    if summary.nonblank_lines == 0:
        out.append((max(facts.lines, 1), Problem("DP010", "file has no records")))
    return out


_OK = {
    "messages": [
        {"role": "user", "content": "What is a good spice for lentils?"},
        {"role": "assistant", "content": "Cumin, with a little smoked paprika."},
    ]
}
(OK,) = jsonl(_OK)

RULES: tuple[Rule, ...] = (
    Rule(
        "DP001",
        "invalid-utf8",
        E,
        "line is not valid UTF-8",
        "JSONL must be UTF-8. A byte that is not valid UTF-8 (Latin-1 or Windows-1252 text, a lone surrogate)\n"
        "makes the line unreadable for every trainer.\n"
        'Bad:  {"messages": [{"role": "user", "content": "caf\\xe9"}]}   (0xE9 byte, Latin-1)\n'
        'Good: {"messages": [{"role": "user", "content": "café"}]}   (UTF-8)',
        scope="line",
        check=read_line,
        bad=('{"messages": [{"role": "user", "content": "caf\udce9"}]}',),
        good=jsonl(
            {"messages": [{"role": "user", "content": "café"}, {"role": "assistant", "content": "Oui."}]}
        ),
    ),
    Rule(
        "DP002",
        "invalid-json",
        E,
        "line is not valid JSON",
        "Each line must hold one complete JSON value. The column points at the first character the parser\n"
        "could not accept.\n"
        'Bad:  {"messages": [{"role": "user", "content": "hi"},]}\n'
        'Good: {"messages": [{"role": "user", "content": "hi"}]}',
        scope="line",
        check=read_line,
        bad=('{"messages": [{"role": "user", "content": "hi"},]}', '{"messages": '),
        good=(OK,),
    ),
    Rule(
        "DP003",
        "not-an-object",
        E,
        "line is valid JSON but not an object",
        "Every record is a JSON object; arrays, strings and numbers on a line are not records.\n"
        'Bad:  [{"role": "user", "content": "hi"}]\n'
        'Good: {"messages": [{"role": "user", "content": "hi"}]}',
        scope="line",
        check=read_line,
        bad=('[{"role": "user", "content": "hi"}]', '"text"', "42", "null"),
        good=(OK,),
    ),
    Rule(
        "DP004",
        "blank-line",
        W,
        "blank line",
        "Blank lines are skipped by dataprep but rejected by some upload validators.\n"
        "Bad:  (an empty line between two records)\n"
        "Good: one record per line, no empty lines",
        scope="line",
        check=read_line,
        bad=(OK, "", OK, "   \t"),
        good=(OK, OK),
    ),
    Rule(
        "DP005",
        "byte-order-mark",
        INFO,
        "file starts with a UTF-8 byte order mark",
        "A UTF-8 BOM is accepted (Azure OpenAI allows it) and ignored, but some tools read it as part of\n"
        "the first key.\n"
        'Bad:  \\xEF\\xBB\\xBF{"messages": [...]}\n'
        'Good: {"messages": [...]}',
        scope="file",
        check=check_file,
        bad=("\ufeff" + OK,),
        good=(OK,),
    ),
    Rule(
        "DP006",
        "crlf-line-endings",
        INFO,
        "file uses CRLF line endings",
        "Windows line endings are accepted; reported once per file, at the first such line.\n"
        'Bad:  {"messages": [...]}\\r\\n\n'
        'Good: {"messages": [...]}\\n',
        scope="file",
        check=check_file,
        bad=(OK + "\r", OK + "\r"),
        good=(OK, OK),
    ),
    Rule(
        "DP007",
        "no-final-newline",
        INFO,
        "last line has no newline",
        "The last record is read anyway; tools that count lines with `wc -l` will miss it.\n"
        'Bad:  ...{"messages": [...]}<end of file>\n'
        'Good: ...{"messages": [...]}\\n<end of file>',
        scope="file",
        check=check_file,
        bad=(OK,),
        good=(OK,),
        bad_final_newline=False,
    ),
    Rule(
        "DP008",
        "non-standard-number",
        E,
        "NaN or Infinity literal, or a number beyond a double's range",
        "NaN, Infinity and -Infinity are not JSON; Python's json module writes them but strict parsers refuse.\n"
        "A number beyond a double's range (1e400, an integer of 309+ digits) is read as Infinity or refused.\n"
        'Bad:  {"messages": [...], "score": NaN}\n'
        'Good: {"messages": [...], "score": null}',
        scope="line",
        check=read_line,
        bad=('{"messages": [], "x": NaN}', '{"x": -Infinity}'),
        good=('{"x": "NaN"}',),
    ),
    Rule(
        "DP009",
        "nesting-too-deep",
        E,
        "JSON nested more than 200 levels deep",
        "Such a record cannot be checked safely (orjson writes at most 255 levels, parses at most 1024) and is\n"
        "never a real training example.\n"
        "Bad:  [[[[[[ ... 300 levels ... ]]]]]]\n"
        'Good: {"messages": [{"role": "user", "content": "hi"}]}',
        scope="line",
        check=read_line,
        bad=("[" * 1100 + "]" * 1100,),
        good=("[" * 50 + "]" * 50,),
    ),
    Rule(
        "DP010",
        "empty-file",
        E,
        "file has no records",
        "An empty file (or one with only blank lines) trains nothing.\n"
        "Bad:  a 0-byte train.jsonl\n"
        'Good: at least one {"messages": [...]} line per file',
        scope="file",
        check=check_file,
        bad=(),
        good=(OK,),
    ),
    Rule(
        "DP011",
        "line-too-long",
        E,
        "line longer than the reader's limit; not checked",
        "Lines over the limit (64 MiB by default, `max_line_bytes`) are skipped in bounded memory and\n"
        "reported; such a record is almost always a concatenation mistake.\n"
        "Bad:  one 200 MB line holding a whole dataset\n"
        "Good: one example per line",
        scope="line",
        check=read_line,
        bad=(
            jsonl(
                {
                    "messages": [
                        {"role": "user", "content": "word " * 100},
                        {"role": "assistant", "content": "ok"},
                    ]
                }
            )
        ),
        good=(OK,),
        options={"max_line_bytes": 200},
    ),
    Rule(
        "DP012",
        "mixed-record-kinds",
        E,
        "record is of another kind than the rest of the file",
        "A file holds one kind of record: chat, preference or completion. The kind comes from the first\n"
        "valid record (or --kind); trainers reject mixed files.\n"
        'Bad:  line 1 {"messages": [...]}, line 2 {"prompt": "...", "completion": "..."}\n'
        'Good: every line {"messages": [...]}',
        scope="line",
        check=read_line,
        bad=(OK, '{"prompt": "a", "completion": "b"}'),
        good=(OK, OK),
    ),
    Rule(
        DUPLICATE_KEY,
        "duplicate-key",
        W,
        "a key appears twice in one JSON object",
        "JSON objects should not repeat a key (RFC 8259). Most parsers keep the last value without a word,\n"
        "some keep the first, some refuse the line: a record edited by hand or merged by a script may train on\n"
        "another text than the one its author reads first.\n"
        'Bad:  {"messages": [{"role": "user", "content": "draft", "content": "final"}, ...]}\n'
        'Good: {"messages": [{"role": "user", "content": "final"}, ...]}',
        scope="line",
        check=read_line,
        bad=(
            '{"messages": [{"role": "user", "content": "draft", "content": "Hi"}, '
            '{"role": "assistant", "content": "Hello."}]}',
        ),
        good=(
            OK,
            '{"messages": [{"role": "user", "content": "a \\":b"}, {"role": "assistant", "content": "c"}]}',
        ),
    ),
)
