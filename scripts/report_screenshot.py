"""Screenshot an HTML report in headless Chromium (the README's picture): `make screenshot` runs it.

Usage (from the repository root): python scripts/report_screenshot.py REPORT.html OUT.png [--width W] [--height H]
The top of the page (header, contents, first charts) at W x H CSS pixels; the DevTools client is the one the
browser tests use (tests/browser.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import Browser, find_chromium  # noqa: E402 - after the repository root is on the path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1400)
    args = parser.parse_args()
    executable = find_chromium()
    if executable is None:
        print("report_screenshot: Chromium not found (apt-get install chromium)", file=sys.stderr)
        return 2
    with Browser(executable, width=args.width, height=args.height) as browser:
        browser.open(args.report)
        errors = browser.console_errors()
        if errors:
            print(f"report_screenshot: the page logged errors: {errors}", file=sys.stderr)
            return 1
        browser.screenshot(args.output, full_page=False)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
