"""Writing a JSON document whose one long list is serialised item by item (JSON and SARIF reports)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

CHUNK_ITEMS = 1000  # items per yielded piece: few write calls, and a piece stays small


def nested_list(document: str, empty: str, indent: int, items: Iterable[str]) -> Iterator[str]:
    """`document` (indented JSON) with its one `empty` member (e.g. `"findings": []`, at `indent` spaces)
    filled with `items` (each an indented JSON value), in the layout a whole-document dump would give.

    The member is found as a line of its own at exactly that indentation: values inside strings are escaped
    onto one line and nested members are indented deeper, so the match is the member itself.
    """
    marker = "\n" + " " * indent + empty
    at = document.index(marker) + len(marker) - 1  # the closing bracket of the empty list
    yield document[:at]
    pad = "\n" + " " * (indent + 2)
    batch: list[str] = []
    count = 0
    for item in items:
        batch.append(pad + item.replace("\n", pad))
        count += 1
        if len(batch) == CHUNK_ITEMS:
            yield ("," if count > CHUNK_ITEMS else "") + ",".join(batch)
            batch = []
    if batch:
        yield ("," if count > len(batch) else "") + ",".join(batch)
    if count:
        yield "\n" + " " * indent
    yield document[at:]
