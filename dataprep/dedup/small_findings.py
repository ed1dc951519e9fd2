"""The duplicate index's findings without numpy, for small indexes: the same findings as `dedup.findings`.

Loading numpy costs about 40 ms of CPU, more than this plain-Python search takes over a few thousand examples;
a pre-commit run on a small file reports its duplicates from here. Each step is the numpy version's, on lists
and dicts: groups of equal hashes in hash order, copies by role, conflicting answers, one representative per
normalised text and role, LSH buckets of whole 4-value bands, pairs confirmed by their estimated similarity,
and the same messages in the same order (tests/test_dedup_small.py compares the two on random indexes).

Band keys are the band's 8 bytes themselves, which is what the numpy search uses when a band holds 4 values;
`supported` says whether the parameters are such.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any, NamedTuple

from dataprep.dedup.params import BUCKET_CAP, FINGERPRINT_COLLISION, NearDupParams
from dataprep.rules.duplicates import CONFLICT, EXACT, LEAK, NEAR, NEAR_LEAK, NORMALISED, SEVERITY
from dataprep.types import Finding, Location

LIST_LIMIT = 10  # lines named in one message; the rest are counted (as dedup.findings)
_NORMALISED = "normalising case, whitespace and Unicode"
TRAIN, VALIDATION = 0, 1
_BAND_ROWS = 4  # values per band this search handles: a band's key is its 8 bytes


class Rows(NamedTuple):
    """The index's columns as plain sequences (one entry per example row; signatures of `sig_rows`)."""

    labels: Sequence[str]
    file_roles: Sequence[int]
    file: Sequence[int]
    line: Sequence[int]
    exact: Sequence[int]
    normal: Sequence[int]
    prompt: Sequence[int]
    answer: Sequence[int]
    sig_rows: Sequence[int]
    sigs: bytes


def supported(params: NearDupParams) -> bool:
    """Whether the numpy search would key bands by their bytes (4 values a band), as this one does."""
    return params.rows == _BAND_ROWS


def analyse(c: Rows, params: NearDupParams) -> list[Finding]:
    """`dedup.findings.analyse` of the same columns."""
    out = _Out(c)
    role = [c.file_roles[f] for f in c.file]
    every = range(len(c.line))
    for group in equal_groups(c.exact, every):
        for members in _by_role(group, role):
            _copies(out, EXACT, members, "exact duplicate of {}")
    for group in equal_groups(c.normal, every):
        _normalised(out, group, role)
    for group in equal_groups(c.prompt, [r for r in every if c.prompt[r]]):
        _conflict(out, group)
    if len(c.sig_rows) > 1:
        _near(out, role, near_pairs(c, params, role))
    return out.sorted()


def equal_groups(keys: Sequence[int], rows: Sequence[int]) -> list[list[int]]:
    """Rows sharing a key, for keys held by two rows or more; groups in key order, rows ascending."""
    by_key: dict[int, list[int]] = {}
    for row in rows:
        by_key.setdefault(keys[row], []).append(row)
    return [group for _, group in sorted(by_key.items()) if len(group) > 1]


def _by_role(group: list[int], role: list[int]) -> list[list[int]]:
    parts = ([r for r in group if role[r] == TRAIN], [r for r in group if role[r] == VALIDATION])
    return [p for p in parts if len(p) > 1]


def _copies(out: _Out, code: str, members: list[int], words: str, rows: list[int] | None = None) -> None:
    """One finding per repeat in `rows` (default: all but the first member), naming the first member."""
    first, total = members[0], len(members)
    positions = range(1, total) if rows is None else [members.index(r) for r in rows]
    for k in positions:
        at = members[k]
        out.add(code, at, f"{words.format(out.ref(first, at))} (copy {k + 1} of {total})", first)


def _normalised(out: _Out, group: list[int], role: list[int]) -> None:
    exact = out.c.exact
    for members in _by_role(group, role):
        # An exact copy of an earlier member is DP401 already; the first of each other exact text is DP402.
        seen: set[int] = set()
        firsts = []
        for row in members:
            if exact[row] not in seen:
                seen.add(exact[row])
                firsts.append(row)
        rows = [r for r in firsts if r != members[0]]
        if rows:
            _copies(out, NORMALISED, members, f"duplicate of {{}} after {_NORMALISED}", rows)
    train = [r for r in group if role[r] == TRAIN]
    valid = [r for r in group if role[r] == VALIDATION]
    if train and valid:
        for v in valid:
            same = [t for t in train if exact[t] == exact[v]]
            how = "exact copy" if same else f"same after {_NORMALISED}"
            t = same[0] if same else train[0]
            out.add(LEAK, v, f"also in the training data: {out.pair(t, v)} ({how})", t)


def _conflict(out: _Out, group: list[int]) -> None:
    answers = [out.c.answer[r] for r in group]
    if all(a == answers[0] for a in answers):
        return
    classes: dict[int, list[int]] = {}
    for row, answer in zip(group, answers, strict=True):
        classes.setdefault(answer, []).append(row)
    at = next(r for r, a in zip(group, answers, strict=True) if a != answers[0])
    shown = list(classes.values())[:5]
    listed = "; ".join(f"{chr(65 + i)} {out.refs(rows, at)}" for i, rows in enumerate(shown))
    more = f"; {len(classes) - len(shown)} more answers" if len(classes) > len(shown) else ""
    out.add(
        CONFLICT,
        at,
        f"same prompt as {out.ref(group[0], at)} but a different answer "
        f"({len(group)} examples, {len(classes)} answers: {listed}{more})",
        group[0],
    )


Pairs = list[tuple[int, int, float]]  # (earlier row, later row, estimated similarity), earlier row first


def near_pairs(c: Rows, params: NearDupParams, role: list[int]) -> Pairs:
    """Confirmed near-duplicate pairs as example rows, in (first, second) order, with their similarity; one
    representative per (normalised text, role) takes part (`dedup.findings.near_pairs`)."""
    width = 2 * params.num_perm
    seen: set[tuple[int, int]] = set()
    rows: list[int] = []
    sigs: list[bytes] = []
    for position, row in enumerate(c.sig_rows):
        key = (c.normal[row], role[row])
        if key not in seen:
            seen.add(key)
            rows.append(row)
            sigs.append(c.sigs[position * width : (position + 1) * width])
    rank = [c.normal[row] for row in rows]
    pairs = []
    for a, b, similarity in confirmed_pairs(sigs, params, rank):
        ra, rb = rows[a], rows[b]
        if c.normal[ra] != c.normal[rb]:
            pairs.append((ra, rb, similarity))
    return pairs


def confirmed_pairs(sigs: list[bytes], params: NearDupParams, rank: list[int]) -> Pairs:
    """Pairs (i < j) of signatures sharing a band, kept when their estimated similarity is at least the
    threshold (`dedup.lsh.confirmed_pairs`, with its anchor-and-neighbour pairs in oversized buckets)."""
    candidates: set[tuple[int, int]] = set()
    for band in range(params.bands):
        buckets: dict[bytes, list[int]] = {}
        for i, sig in enumerate(sigs):
            buckets.setdefault(sig[8 * band : 8 * band + 8], []).append(i)
        for members in buckets.values():
            if len(members) < 2:
                continue
            if len(members) <= BUCKET_CAP:
                candidates.update(combinations(members, 2))
                continue
            members.sort(key=lambda m: (rank[m], m))  # anchor on the smallest content key
            for i in range(1, len(members)):
                for x, y in ((members[0], members[i]), (members[i - 1], members[i])):
                    candidates.add((min(x, y), max(x, y)))
    out = []
    for i, j in sorted(candidates):
        similarity = estimate(sigs[i], sigs[j])
        if similarity >= params.threshold:
            out.append((i, j, similarity))
    return out


def estimate(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of two signatures (`dedup.minhash.similarity`, without numpy)."""
    x, y = memoryview(a).cast("H"), memoryview(b).cast("H")
    matches = sum(p == q for p, q in zip(x, y, strict=True)) / len(x)
    return min(max((matches - FINGERPRINT_COLLISION) / (1.0 - FINGERPRINT_COLLISION), 0.0), 1.0)


def _near(out: _Out, role: list[int], pairs: Pairs) -> None:
    c = out.c
    within = [
        (later, -similarity, earlier)
        for earlier, later, similarity in pairs
        if role[earlier] == role[later] and not (c.prompt[earlier] == c.prompt[later] and c.prompt[earlier])
    ]
    # Each later example once, against its most similar earlier partner (ties: the earliest).
    for (at, negative, partner), count in _firsts(sorted(within)):
        more = f"; similar to {count - 1} more earlier examples" if count > 1 else ""
        out.add(
            NEAR, at, f"near-duplicate of {out.ref(partner, at)} (similarity {-negative:.2f}{more})", partner
        )
    cross = [(earlier, later, s) for earlier, later, s in pairs if role[earlier] != role[later]]
    _near_leaks(out, cross, role)


def _near_leaks(out: _Out, pairs: Pairs, role: list[int]) -> None:
    if not pairs:
        return
    c = out.c
    by_valid = sorted(
        (b, -s, a) if role[a] == TRAIN else (a, -s, b) for a, b, s in pairs
    )  # per validation row: most similar, then earliest
    copies = _copies_in_validation(c, role)
    # A validation example whose text is in the training data is DP405 already: one error per line.
    in_train = {c.normal[r] for r in range(len(c.line)) if role[r] == TRAIN}
    for (valid, negative, train), count in _firsts(by_valid):
        if c.normal[valid] in in_train:
            continue
        more = f"; {count - 1} more similar training examples" if count > 1 else ""
        for v in copies(valid):
            message = f"near-duplicate of training data: {out.pair(train, v)} ({-negative:.2f}){more}"
            out.add(NEAR_LEAK, v, message, train)


def _firsts(items: list[tuple[int, float, int]]) -> list[tuple[tuple[int, float, int], int]]:
    """The first item of each run of equal first values (sorted items), with the run's length."""
    runs: dict[int, list[Any]] = {}
    for item in items:
        run = runs.get(item[0])
        if run is None:
            runs[item[0]] = [item, 1]
        else:
            run[1] += 1
    return [(first, count) for first, count in runs.values()]


def _copies_in_validation(c: Rows, role: list[int]) -> Callable[[int], list[int]]:
    """row -> every validation row with the same normalised text (the row itself included), ascending."""
    by_text: dict[int, list[int]] = {}
    for row in range(len(c.line)):
        if role[row] == VALIDATION:
            by_text.setdefault(c.normal[row], []).append(row)
    return lambda row: by_text.get(c.normal[row], [])


class _Out:
    """Collects findings with their sort keys and words references relative to the finding's file."""

    def __init__(self, c: Rows) -> None:
        self.c = c
        self._items: list[tuple[int, int, str, Finding]] = []

    def add(self, code: str, row: int, message: str, related: int | None = None) -> None:
        location = self._location(row)
        others = (self._location(related),) if related is not None else ()
        finding = Finding(code, SEVERITY[code], message, location, others)
        self._items.append((self.c.file[row], location.line, code, finding))

    def _location(self, row: int) -> Location:
        return Location(self.c.labels[self.c.file[row]], self.c.line[row], 1)

    def ref(self, row: int, here: int) -> str:
        line = self.c.line[row]
        same = self.c.file[row] == self.c.file[here]
        return f"line {line}" if same else f"{self.c.labels[self.c.file[row]]}:{line}"

    def refs(self, rows: list[int], here: int) -> str:
        words = [self.ref(row, here).removeprefix("line ") for row in rows[:LIST_LIMIT]]
        more = f" and {len(rows) - LIST_LIMIT} more" if len(rows) > LIST_LIMIT else ""
        return f"{'lines' if len(rows) > 1 else 'line'} {', '.join(words)}{more}"

    def pair(self, train_row: int, valid_row: int) -> str:
        c = self.c
        t, v = train_row, valid_row
        return f"{c.labels[c.file[t]]}:{c.line[t]} ~ {c.labels[c.file[v]]}:{c.line[v]}"

    def sorted(self) -> list[Finding]:
        self._items.sort(key=lambda item: item[:3])
        return [item[3] for item in self._items]
