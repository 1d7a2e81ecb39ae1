"""The effective document as JSON inside the package, so that `payex_billing_invoice.testing` needs no YAML parser.

`python -m pipeline.package_spec` writes `overlay/payex_billing_invoice/openapi.json` from `spec/openapi.yaml`;
`--check` fails when the two differ (`nox -s drift` runs it).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

__all__ = ["PACKAGED", "SPEC", "main", "packaged_text"]

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"
PACKAGED = ROOT / "overlay" / "payex_billing_invoice" / "openapi.json"


def packaged_text(spec: Path = SPEC) -> str:
    """The JSON text the package ships for the YAML document at `spec`."""
    document: Any = yaml.safe_load(spec.read_text(encoding="utf-8"))
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    """Write the packaged copy, or with `--check` say whether it is stale."""
    expected = packaged_text()
    if "--check" in argv:
        if not PACKAGED.is_file() or PACKAGED.read_text(encoding="utf-8") != expected:
            print(f"{PACKAGED.relative_to(ROOT)} is not spec/openapi.yaml (run `nox -s generate`)", file=sys.stderr)
            return 1
        print(f"{PACKAGED.relative_to(ROOT)} matches spec/openapi.yaml")
        return 0
    PACKAGED.write_text(expected, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
