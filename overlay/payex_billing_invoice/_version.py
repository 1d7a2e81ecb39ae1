"""The package's version: from the installed distribution's metadata, else from a source checkout's pyproject."""

from __future__ import annotations

from pathlib import Path

__all__ = ["DISTRIBUTION", "package_version"]

DISTRIBUTION = "payex-billing-invoice"
_UNKNOWN = "0+unknown"


def package_version() -> str:
    """The version of the installed `payex-billing-invoice` distribution.

    Returns:
        The distribution's version; in a source checkout that is not installed (the package imported from
        `overlay/`), the `[project] version` of the checkout's `pyproject.toml`; `"0+unknown"` when neither exists.
    """
    import tomllib  # noqa: PLC0415 - both are read on first use of `__version__`, not on import
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text())["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return _UNKNOWN
