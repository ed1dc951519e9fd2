"""DP0xx: reading and parsing. Detected by `dataprep.io.jsonl` and `dataprep.parse`; documented here."""

from __future__ import annotations

from dataprep.rules.base import Rule
from dataprep.types import Severity

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

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
    ),
    Rule(
        "DP003",
        "not-an-object",
        E,
        "line is valid JSON but not an object",
        "Every record is a JSON object; arrays, strings and numbers on a line are not records.\n"
        'Bad:  [{"role": "user", "content": "hi"}]\n'
        'Good: {"messages": [{"role": "user", "content": "hi"}]}',
    ),
    Rule(
        "DP004",
        "blank-line",
        W,
        "blank line",
        "Blank lines are skipped by dataprep but rejected by some upload validators.\n"
        "Bad:  (an empty line between two records)\n"
        "Good: one record per line, no empty lines",
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
    ),
    Rule(
        "DP006",
        "crlf-line-endings",
        INFO,
        "file uses CRLF line endings",
        "Windows line endings are accepted; reported once per file, at the first such line.\n"
        'Bad:  {"messages": [...]}\\r\\n\n'
        'Good: {"messages": [...]}\\n',
    ),
    Rule(
        "DP007",
        "no-final-newline",
        INFO,
        "last line has no newline",
        "The last record is read anyway; tools that count lines with `wc -l` will miss it.\n"
        'Bad:  ...{"messages": [...]}<end of file>\n'
        'Good: ...{"messages": [...]}\\n<end of file>',
    ),
    Rule(
        "DP008",
        "non-standard-number",
        E,
        "NaN or Infinity literal",
        "NaN, Infinity and -Infinity are not JSON; Python's json module writes them but strict parsers refuse.\n"
        'Bad:  {"messages": [...], "score": NaN}\n'
        'Good: {"messages": [...], "score": null}',
    ),
    Rule(
        "DP009",
        "nesting-too-deep",
        E,
        "JSON nested more than 1024 levels deep",
        "Such a record cannot be parsed safely and is never a real training example.\n"
        "Bad:  [[[[[[ ... 2000 levels ... ]]]]]]\n"
        'Good: {"messages": [{"role": "user", "content": "hi"}]}',
    ),
    Rule(
        "DP010",
        "empty-file",
        E,
        "file has no records",
        "An empty file (or one with only blank lines) trains nothing.\n"
        "Bad:  a 0-byte train.jsonl\n"
        'Good: at least one {"messages": [...]} line per file',
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
    ),
)
