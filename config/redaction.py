"""One redaction function for everything the hub shows or records.

`redact()` serves log lines, exception messages, recorded fixtures and summaries. It removes the secret
values the hub knows (registered from settings and from the Authorization headers it sends), and
anything shaped like a credential: Authorization values, `key=`/`token=` parameters, JSON fields named
like secrets, and the token formats of the four services.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Mapping

MASK = "***"
_MIN_SECRET_LENGTH = 6  # shorter values would mask ordinary words

_SENSITIVE_NAMES = (
    r"key|api_?key|token|api_token|access_token|refresh_token|id_token|client_secret|secret|password|"
    r"private_key|oauth_token|oauth_consumer_key|oauth_signature|assertion"
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization as a quoted mapping value ({'Authorization': 'Bearer abc'}), then as a header line.
    (re.compile(r"(?i)(authorization['\"]\s*[:=]\s*)(['\"])(.*?)\2"), rf"\1\2{MASK}\2"),
    (re.compile(r"(?i)(authorization\s*:\s*)[^\r\n]+"), rf"\1{MASK}"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    (re.compile(r'(?i)\b(oauth_[a-z_]+)="[^"]*"'), rf'\1="{MASK}"'),
    # Query strings and form bodies: ?key=...&token=...
    (re.compile(rf"(?i)([?&;\s]|^)({_SENSITIVE_NAMES})=([^&\s#\"']+)"), rf"\1\2={MASK}"),
    # JSON fields: "refresh_token": "..."
    (re.compile(rf'(?i)("({_SENSITIVE_NAMES})"\s*:\s*")[^"]*(")'), rf"\1{MASK}\3"),
    # Token formats: Notion, Google access tokens, PEM private keys.
    (re.compile(r"\b(ntn|secret)_[A-Za-z0-9]{20,}"), MASK),
    (re.compile(r"\bya29\.[A-Za-z0-9._-]{10,}"), MASK),
    (re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S), MASK),
)

_known: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Remember a secret value so that `redact()` masks it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _known.add(value)


def register_secrets(values: Iterable[str | None]) -> None:
    for value in values:
        register_secret(value)


def redact(text: object) -> str:
    """`text` as a string with every known secret and credential-shaped value masked."""
    result = str(text)
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # longest first: a secret may contain another
    for secret in known:
        if secret in result:
            result = result.replace(secret, MASK)
    for pattern, replacement in _PATTERNS:
        result = pattern.sub(replacement, result)
    return result


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    sensitive = {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"}
    return {name: MASK if name.lower() in sensitive else redact(value) for name, value in headers.items()}


class RedactingFilter(logging.Filter):
    """A logging filter for handlers the application installs (the library installs none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True
