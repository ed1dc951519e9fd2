"""From the index's columns to findings: groups of equal hashes, conflicts, near-duplicate pairs, leaks.

Every repeated example gets its own finding on its own line, naming the example it repeats (also as the
finding's `related` location). Message shapes (lines in the finding's own file are bare numbers, others are
`file:line`):
  DP401  exact duplicate of line 12 (copy 2 of 3)
  DP402  duplicate of line 12 after normalising case, whitespace and Unicode (copy 2 of 3)
  DP403  near-duplicate of line 12 (similarity 0.81)      [; similar to 2 more earlier examples]
  DP404  same prompt as line 12 but a different answer (3 examples, 2 answers: A lines 12, 40; B line 77)
  DP405  also in the training data: train.jsonl:12 ~ val.jsonl:7 (exact copy)
  DP406  near-duplicate of training data: train.jsonl:12 ~ val.jsonl:7 (0.93)
A near-duplicate is always reported against one example it was confirmed similar to, with that pair's
estimated similarity: never against the first member of a chain of pairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dataprep.dedup.lsh import confirmed_pairs
from dataprep.dedup.minhash import as_matrix
from dataprep.dedup.params import NearDupParams
from dataprep.rules.duplicates import CONFLICT, EXACT, LEAK, NEAR, NEAR_LEAK, NORMALISED, SEVERITY
from dataprep.types import Finding, Location

IntArray = npt.NDArray[np.int64]
LIST_LIMIT = 10  # lines named in one message; the rest are counted
_NORMALISED = "normalising case, whitespace and Unicode"
TRAIN, VALIDATION = 0, 1


@dataclass(frozen=True)
class Columns:
    labels: list[str]
    file_roles: npt.NDArray[np.uint8]
    file: IntArray
    line: IntArray
    exact: npt.NDArray[np.uint64]
    normal: npt.NDArray[np.uint64]
    prompt: npt.NDArray[np.uint64]
    answer: npt.NDArray[np.uint64]
    sig_rows: IntArray
    sigs: npt.NDArray[np.uint16]

    @classmethod
    def from_buffers(
        cls,
        *,
        labels: list[str],
        roles: Any,
        file: Any,
        line: Any,
        exact: Any,
        normal: Any,
        prompt: Any,
        answer: Any,
        sig_rows: Any,
        sigs: bytes | bytearray,
        num_perm: int,
    ) -> Columns:
        """Columns over the index's arrays: the 64-bit hashes and the signatures are read-only views (at a
        million examples copies would be 32 MB and 256 MB more), the narrower columns are widened copies. An
        array cannot grow while viewed: drop the Columns before adding to the index again."""
        return cls(
            labels=labels,
            file_roles=np.array(roles, dtype=np.uint8),
            file=np.array(file, dtype=np.int64),
            line=np.array(line, dtype=np.int64),
            exact=_hashes_view(exact),
            normal=_hashes_view(normal),
            prompt=_hashes_view(prompt),
            answer=_hashes_view(answer),
            sig_rows=np.array(sig_rows, dtype=np.int64),
            sigs=as_matrix(memoryview(sigs).toreadonly(), num_perm),
        )


def _hashes_view(column: Any) -> npt.NDArray[np.uint64]:
    """A read-only uint64 view of an array("Q") (or any buffer of native 64-bit unsigned values)."""
    view: npt.NDArray[np.uint64] = np.frombuffer(memoryview(column).toreadonly(), dtype=np.uint64)
    return view


NearPairs = tuple[IntArray, IntArray, npt.NDArray[np.float64]]


def analyse(c: Columns, params: NearDupParams, near: NearPairs | None = None) -> list[Finding]:
    """The findings of the columns. `near`: confirmed near-duplicate pairs (rows of `c`, as `near_pairs`
    returns them) found elsewhere, e.g. across a cluster (`dedup.distributed`); by default they are searched
    here in the columns' signatures."""
    out = _Out(c)
    role = c.file_roles[c.file]
    for group in equal_groups(c.exact):
        for members in _by_role(group, role):
            _copies(out, EXACT, members, "exact duplicate of {}")
    for group in equal_groups(c.normal):
        _normalised(out, group, role)
    with_prompt = np.flatnonzero(c.prompt)
    for group in equal_groups(c.prompt, with_prompt):
        _conflict(out, group)
    if near is not None:
        _near(out, role, *near)
    elif c.sig_rows.size > 1:
        _near(out, role, *near_pairs(c, params))
    return out.sorted()


def _copies(out: _Out, code: str, members: IntArray, words: str, rows: IntArray | None = None) -> None:
    """One finding per repeat in `rows` (default: all but the first member), naming the first member."""
    first = members[0]
    total = members.size
    positions = range(1, total) if rows is None else np.searchsorted(members, rows).tolist()
    for k in positions:
        at = members[k]
        out.add(code, at, f"{words.format(out.ref(first, at))} (copy {k + 1} of {total})", first)


def equal_groups(keys: npt.NDArray[np.uint64], rows: IntArray | None = None) -> list[IntArray]:
    """Rows sharing a key, for keys held by two rows or more; rows ascending within each group."""
    rows = np.arange(keys.size, dtype=np.int64) if rows is None else rows
    if rows.size < 2:
        return []
    order = np.argsort(keys[rows], kind="stable")
    ordered = keys[rows][order]
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return []
    edges = np.diff(np.concatenate(([0], same.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) + 1
    return [rows[order[s:e]] for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _by_role(group: IntArray, role: npt.NDArray[np.uint8]) -> list[IntArray]:
    parts = [group[role[group] == r] for r in (TRAIN, VALIDATION)]
    return [p for p in parts if p.size > 1]


def _normalised(out: _Out, group: IntArray, role: npt.NDArray[np.uint8]) -> None:
    exact = out.c.exact
    for members in _by_role(group, role):
        # An exact copy of an earlier member is DP401 already; the first of each other exact text is DP402.
        ordered = np.argsort(exact[members], kind="stable")
        keys = exact[members][ordered]
        firsts = np.ones(keys.size, dtype=bool)
        firsts[1:] = keys[1:] != keys[:-1]
        rows = np.sort(members[ordered[firsts]])
        rows = rows[rows != members[0]]
        if rows.size:
            _copies(out, NORMALISED, members, f"duplicate of {{}} after {_NORMALISED}", rows)
    train, valid = group[role[group] == TRAIN], group[role[group] == VALIDATION]
    if train.size and valid.size:
        for v in valid.tolist():
            same = train[exact[train] == exact[v]]
            how = "exact copy" if same.size else f"same after {_NORMALISED}"
            t = same[0] if same.size else train[0]
            out.add(LEAK, v, f"also in the training data: {out.pair(t, v)} ({how})", t)


def _conflict(out: _Out, group: IntArray) -> None:
    answers = out.c.answer[group]
    if not (answers != answers[0]).any():
        return
    classes: dict[int, list[int]] = {}
    for row, answer in zip(group.tolist(), answers.tolist(), strict=True):
        classes.setdefault(answer, []).append(row)
    at = group[np.flatnonzero(answers != answers[0])[0]]
    shown = list(classes.values())[:5]
    listed = "; ".join(f"{chr(65 + i)} {out.refs(np.array(rows), at)}" for i, rows in enumerate(shown))
    more = f"; {len(classes) - len(shown)} more answers" if len(classes) > len(shown) else ""
    out.add(
        CONFLICT,
        at,
        f"same prompt as {out.ref(group[0], at)} but a different answer "
        f"({group.size} examples, {len(classes)} answers: {listed}{more})",
        group[0],
    )


def near_pairs(c: Columns, params: NearDupParams) -> tuple[IntArray, IntArray, npt.NDArray[np.float64]]:
    """Confirmed near-duplicate pairs as example rows (first < second), with their estimated similarity.

    One representative per (normalised text, role) takes part: its copies are DP401/DP402 already, and
    pairs of the same normalised text (across roles) are DP405.
    """
    reps = _representatives(c)
    rows = c.sig_rows[reps]
    # Oversized LSH buckets are walked in normalised-text order, so the pairs do not depend on file order.
    # The representatives are picked out of the signatures band by band: `c.sigs[reps]` would copy them all.
    subset = None if reps.size == c.sig_rows.size else reps
    a, b, sims = confirmed_pairs(c.sigs, params, c.normal[rows], subset)
    ra, rb = rows[a], rows[b]
    keep = c.normal[ra] != c.normal[rb]
    return ra[keep], rb[keep], sims[keep]


def _representatives(c: Columns) -> IntArray:
    """Positions in `c.sig_rows` of the first signature of each (normalised text, role), ascending (a
    function of its own, so that its sort arrays are freed before the search)."""
    role = c.file_roles[c.file]
    sig_role = role[c.sig_rows]
    key = c.normal[c.sig_rows]
    order = np.lexsort((np.arange(c.sig_rows.size), sig_role, key))
    first = np.ones(order.size, dtype=bool)
    first[1:] = (key[order][1:] != key[order][:-1]) | (sig_role[order][1:] != sig_role[order][:-1])
    reps: IntArray = np.sort(order[first])
    return reps


def _near(
    out: _Out, role: npt.NDArray[np.uint8], first: IntArray, second: IntArray, sims: npt.NDArray[np.float64]
) -> None:
    c = out.c
    cross = role[first] != role[second]
    # The same prompt with a different answer is a conflict (DP404), not a near-duplicate.
    same_prompt = (c.prompt[first] == c.prompt[second]) & (c.prompt[first] != 0)
    within = ~cross & ~same_prompt
    later, earlier, similar = second[within], first[within], sims[within]
    # Each later example once, against its most similar earlier partner (ties: the earliest): a pair that
    # was confirmed, with its own similarity. Pairs are not chained into clusters.
    order = np.lexsort((earlier, -similar, later))
    later, earlier, similar = later[order], earlier[order], similar[order]
    starts, counts = _runs(later)
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        at, partner = later[start], earlier[start]
        more = f"; similar to {count - 1} more earlier examples" if count > 1 else ""
        out.add(
            NEAR,
            at,
            f"near-duplicate of {out.ref(partner, at)} (similarity {similar[start]:.2f}{more})",
            partner,
        )
    _near_leaks(out, first[cross], second[cross], sims[cross], role)


def _near_leaks(
    out: _Out, first: IntArray, second: IntArray, sims: npt.NDArray[np.float64], role: npt.NDArray[np.uint8]
) -> None:
    if not first.size:
        return
    valid = np.where(role[first] == VALIDATION, first, second)
    train = np.where(role[first] == VALIDATION, second, first)
    order = np.lexsort((train, -sims, valid))  # per validation row: most similar, then earliest
    valid, train, sims = valid[order], train[order], sims[order]
    starts, counts = _runs(valid)
    copies = _copies_in_validation(out.c, role)
    # A validation example whose text is in the training data is DP405 already: one error per line.
    in_train = np.sort(out.c.normal[role == TRAIN])
    for start, count in zip(starts.tolist(), counts.tolist(), strict=True):
        key = out.c.normal[valid[start]]
        position = int(np.searchsorted(in_train, key))
        if position < in_train.size and in_train[position] == key:
            continue
        more = f"; {count - 1} more similar training examples" if count > 1 else ""
        for v in copies(int(valid[start])):
            pair = out.pair(train[start], v)
            message = f"near-duplicate of training data: {pair} ({sims[start]:.2f}){more}"
            out.add(NEAR_LEAK, v, message, train[start])


def _runs(keys: IntArray) -> tuple[IntArray, IntArray]:
    """Start and length of each run of equal values in sorted `keys`."""
    if not keys.size:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    return starts, np.diff(np.append(starts, keys.size))


def _copies_in_validation(c: Columns, role: npt.NDArray[np.uint8]) -> Callable[[int], list[int]]:
    """row -> every validation row with the same normalised text (the row itself included), ascending."""
    rows = np.flatnonzero(role == VALIDATION)
    order = np.argsort(c.normal[rows], kind="stable")
    keys, rows = c.normal[rows][order], rows[order]

    def copies(row: int) -> list[int]:
        lo = int(np.searchsorted(keys, c.normal[row], side="left"))
        hi = int(np.searchsorted(keys, c.normal[row], side="right"))
        found: list[int] = rows[lo:hi].tolist()
        return found

    return copies


class _Out:
    """Collects findings with their sort keys and words references relative to the finding's file."""

    def __init__(self, c: Columns) -> None:
        self.c = c
        self._items: list[tuple[int, int, str, Finding]] = []

    def add(self, code: str, row: Any, message: str, related: Any = None) -> None:
        location = self._location(row)
        others = (self._location(related),) if related is not None else ()
        finding = Finding(code, SEVERITY[code], message, location, others)
        self._items.append((int(self.c.file[row]), location.line, code, finding))

    def _location(self, row: Any) -> Location:
        return Location(self.c.labels[int(self.c.file[row])], int(self.c.line[row]), 1)

    def ref(self, row: Any, here: Any) -> str:
        line = int(self.c.line[row])
        same = self.c.file[row] == self.c.file[here]
        return f"line {line}" if same else f"{self.c.labels[int(self.c.file[row])]}:{line}"

    def refs(self, rows: IntArray, here: Any) -> str:
        words = [self.ref(row, here).removeprefix("line ") for row in rows[:LIST_LIMIT].tolist()]
        more = f" and {rows.size - LIST_LIMIT} more" if rows.size > LIST_LIMIT else ""
        return f"{'lines' if rows.size > 1 else 'line'} {', '.join(words)}{more}"

    def pair(self, train_row: Any, valid_row: Any) -> str:
        c = self.c
        t, v = int(train_row), int(valid_row)
        return f"{c.labels[int(c.file[t])]}:{int(c.line[t])} ~ {c.labels[int(c.file[v])]}:{int(c.line[v])}"

    def sorted(self) -> list[Finding]:
        self._items.sort(key=lambda item: item[:3])
        return [item[3] for item in self._items]
