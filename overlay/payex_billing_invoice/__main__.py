"""`python -m payex_billing_invoice`: the `payex-billing-invoice` command line."""

from __future__ import annotations

import sys


def main() -> None:
    """Run the command line, or say how to install what it needs."""
    try:
        from payex_billing_invoice._cli import main as run  # noqa: PLC0415 - click and rich are needed only here
    except ModuleNotFoundError as error:
        if error.name not in {"click", "rich"}:
            raise
        sys.exit(f"the command line needs {error.name}: pip install 'payex-billing-invoice[cli]'")
    run()


if __name__ == "__main__":
    main()
