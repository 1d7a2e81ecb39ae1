"""The token: checked once at construction, and scrubbed, as configured, from everything the client keeps."""

from __future__ import annotations

import json
import re
from typing import Final
from urllib.parse import quote, quote_plus

from payex_billing_invoice._exceptions import ClientConfigurationError

__all__ = ["REDACTED", "Redactor", "check_token"]

REDACTED: Final = "[redacted]"
MAX_TOKEN_LENGTH: Final = 8192
_TOKEN: Final = re.compile(r"[\x21-\x7e]+")


def check_token(token: object) -> str:
    """The token, if it can travel in an `Authorization` header as it is; never names or shows it when refused."""
    if not isinstance(token, str):
        raise ClientConfigurationError(f"token must be a str, not {type(token).__name__}")
    if len(token) > MAX_TOKEN_LENGTH:
        raise ClientConfigurationError(f"token is longer than {MAX_TOKEN_LENGTH} characters")
    if not _TOKEN.fullmatch(token):
        raise ClientConfigurationError(f"token must be printable ASCII without spaces or line breaks: {_flaw(token)}")
    return token


def _flaw(token: str) -> str:
    """What is wrong with a refused token, in words that show none of it."""
    if token.lower().startswith("bearer "):
        return "it starts with 'Bearer ', which the client adds itself"
    if token != token.rstrip():
        return "it ends with a space or line break (a trailing newline from a file?)"
    if any(not character.isascii() for character in token):
        return "it holds a character that is not ASCII (a placeholder such as '…', or a typographic quote?)"
    if any(character.isspace() for character in token):
        return "it holds a space or line break"
    return "it holds a control character"


SHORT_SECRET: Final = 8
"""A secret shorter than this (a mock's `any`) is only replaced where it stands alone, not inside other words."""


class Redactor:
    """Replaces each secret, as given, percent-encoded and JSON-escaped, by `[redacted]`; its repr shows none."""

    def __init__(self, *secrets: str) -> None:
        variants = sorted({form for secret in secrets if secret for form in _forms(secret)}, key=len, reverse=True)
        alternatives = [
            re.escape(form) if len(form) >= SHORT_SECRET else rf"(?<![0-9A-Za-z]){re.escape(form)}(?![0-9A-Za-z])"
            for form in variants
        ]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def __call__(self, text: str) -> str:
        """`text` without the secrets."""
        return self._pattern.sub(REDACTED, text) if self._pattern is not None else text

    def __repr__(self) -> str:
        return "Redactor(<redacted>)"


def _forms(secret: str) -> tuple[str, ...]:
    """The secret as sent, percent-encoded (in a URL or form) and JSON-escaped (in a re-encoded document)."""
    return secret, quote(secret, safe=""), quote_plus(secret, safe=""), json.dumps(secret)[1:-1]
