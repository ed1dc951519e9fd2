"""The dataset-wide half of duplicate detection: a column store of digests that reports at the end.

`add` appends one digest in file order (about 40 bytes per example plus its 256-byte signature, in flat
arrays: no Python object per example); `findings` sorts and groups the columns with numpy (in plain Python up
to SMALL_ROWS examples, with the same result). Two indexes built
on separate parts of a dataset `merge` into one (rows keep their order: merge parts in file order).
"""

from __future__ import annotations

import sys
from array import array
from typing import TYPE_CHECKING, Literal

from dataprep.dedup.digest import DEFAULT_PARAMS, ExampleDigest
from dataprep.dedup.params import NearDupParams
from dataprep.types import Finding, Location

if TYPE_CHECKING:
    from dataprep.dedup.findings import Columns
    from dataprep.dedup.small_findings import Rows

# Up to this many examples the findings are searched in plain Python (dedup.small_findings): loading numpy
# would cost more than the search.
SMALL_ROWS = 1000

Role = Literal["train", "validation"]
ROLES: tuple[Role, Role] = ("train", "validation")


class DuplicateIndex:
    """Digests of every example of a run, from any number of training and validation files.

    Findings (dataprep.types.Finding, severities from dataprep.rules.duplicates.RULES):
    DP401/DP402 once per group within a role, at its first repeat, listing every line of the group;
    DP403 once per near-duplicate cluster within a role, at its second member, with similarities;
    DP404 once per prompt with several answers, at the first differing answer, listing the answers' lines;
    DP405/DP406 at every leaked validation line, as `train.jsonl:12 ~ val.jsonl:7 (0.93)`.
    """

    def __init__(self, params: NearDupParams | None = None, *, threshold: float | None = None) -> None:
        base = params or DEFAULT_PARAMS
        if threshold is not None:
            base = NearDupParams(threshold, base.num_perm, base.bands, base.shingle_bytes, base.seed)
        self.params = base
        self._labels: list[str] = []
        self._roles = array("B")  # per file: index into ROLES
        self._file_ids: dict[tuple[str, str], int] = {}
        self._file = array("I")
        self._line = array("I")
        self._exact = array("Q")
        self._normal = array("Q")
        self._prompt = array("Q")
        self._answer = array("Q")
        self._sig_rows = array("I")  # the example row of each stored signature
        self._sigs = bytearray()

    def __len__(self) -> int:
        return len(self._line)

    def add(self, file_label: str, role: Role, line: int, digest: ExampleDigest) -> None:
        """Record one example. Call in file order; `line` is 1-based (a row index + 1 for datasets)."""
        fid = self._file_ids.get((file_label, role))
        if fid is None:
            fid = self._register(file_label, role)
        signature = digest.signature
        if signature:
            if len(signature) != self.params.signature_bytes:
                raise ValueError(
                    f"signature of {len(signature)} bytes; this index expects {self.params.signature_bytes} "
                    "(digests and index must use the same NearDupParams)"
                )
            self._sig_rows.append(len(self._line))
            self._sigs += signature
        self._file.append(fid)
        self._line.append(line)
        self._exact.append(digest.exact)
        self._normal.append(digest.normal)
        self._prompt.append(digest.prompt)
        self._answer.append(digest.answer)

    def merge(self, other: DuplicateIndex) -> None:
        """Append every example of `other` after this index's own (same signature parameters required)."""
        if not self.params.same_signatures(other.params):
            raise ValueError("cannot merge indexes built with different shingling, signature size or seed")
        remap = array(
            "I",
            (
                self._register_once(label, ROLES[r])
                for label, r in zip(other._labels, other._roles, strict=True)
            ),
        )
        offset = len(self._line)
        self._file.extend(remap[f] for f in other._file)
        self._line.extend(other._line)
        self._exact.extend(other._exact)
        self._normal.extend(other._normal)
        self._prompt.extend(other._prompt)
        self._answer.extend(other._answer)
        self._sig_rows.extend(row + offset for row in other._sig_rows)
        self._sigs += other._sigs

    def memory_bytes(self) -> int:
        """Bytes held by the index's columns (allocated sizes, as the process sees them)."""
        columns = (self._roles, self._file, self._line, self._exact, self._normal, self._prompt, self._answer)
        held = sum(sys.getsizeof(c) for c in (*columns, self._sig_rows, self._sigs))
        return held + sys.getsizeof(self._labels) + sum(sys.getsizeof(label) for label in self._labels)

    def findings(self) -> list[Finding]:
        """Every duplicate, conflict and leakage finding, in file order. The index is left unchanged."""
        if len(self._line) < 2:
            return []
        from dataprep.dedup import small_findings

        if len(self._line) <= SMALL_ROWS and small_findings.supported(self.params):
            return small_findings.analyse(self._rows(), self.params)
        from dataprep.dedup.findings import analyse  # numpy is needed from here on

        return analyse(self._columns(), self.params)

    def near_pairs(self) -> list[tuple[Location, Location, float]]:
        """Confirmed near-duplicate pairs (earlier example first) with their estimated Jaccard similarity.

        Exact and normalised copies are represented by their first occurrence in each role.
        """
        if len(self._sig_rows) < 2:
            return []
        from dataprep.dedup.findings import near_pairs

        first, second, sims = near_pairs(self._columns(), self.params)
        return [
            (self._location(a), self._location(b), s)
            for a, b, s in zip(first.tolist(), second.tolist(), sims.tolist(), strict=True)
        ]

    def _rows(self) -> Rows:
        from dataprep.dedup.small_findings import Rows

        return Rows(
            labels=self._labels,
            file_roles=self._roles,
            file=self._file,
            line=self._line,
            exact=self._exact,
            normal=self._normal,
            prompt=self._prompt,
            answer=self._answer,
            sig_rows=self._sig_rows,
            sigs=bytes(self._sigs),
        )

    def _columns(self) -> Columns:
        from dataprep.dedup.findings import Columns

        return Columns.from_buffers(
            labels=list(self._labels),
            roles=self._roles,
            file=self._file,
            line=self._line,
            exact=self._exact,
            normal=self._normal,
            prompt=self._prompt,
            answer=self._answer,
            sig_rows=self._sig_rows,
            sigs=self._sigs,
            num_perm=self.params.num_perm,
        )

    def _location(self, row: int) -> Location:
        return Location(self._labels[self._file[row]], self._line[row], 1)

    def _register(self, label: str, role: str) -> int:
        if role not in ROLES:
            raise ValueError(f"role must be 'train' or 'validation', not {role!r}")
        fid = len(self._labels)
        self._labels.append(label)
        self._roles.append(ROLES.index(role))
        self._file_ids[(label, role)] = fid
        return fid

    def _register_once(self, label: str, role: str) -> int:
        fid = self._file_ids.get((label, role))
        return fid if fid is not None else self._register(label, role)
