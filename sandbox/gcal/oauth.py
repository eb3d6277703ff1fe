"""The sandbox's OAuth 2.0 token endpoint (`POST /token`, like https://oauth2.googleapis.com/token).

Two grants (RFC 6749 §6 and RFC 7523, https://developers.google.com/identity/protocols/oauth2):
- `refresh_token`: the sandbox OAuth client and its one refresh token, granted the Calendar scopes;
- `urn:ietf:params:oauth:grant-type:jwt-bearer`: a service account's signed JWT. The sandbox reads the
  JWT's claims WITHOUT verifying its signature (it has no key registry); it checks `iss` (a service
  account address), `aud` (Google's token URI, which google-auth always puts there), `scope`, `exp`,
  and, with `sub` (domain-wide delegation), that the subject is a member of the business.

Access tokens live an hour and are accepted only until `expire_all()`. Error bodies follow the OAuth
shape `{"error", "error_description"}` with Google's descriptions.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

REFRESH_GRANT = "refresh_token"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CLIENT_ID = "sandbox-client.apps.googleusercontent.com"
CLIENT_SECRET = "sandbox-google-client-secret"
REFRESH_TOKEN = "sandbox-google-refresh-token"
JWT_AUDIENCE = "https://oauth2.googleapis.com/token"
SERVICE_ACCOUNT_DOMAIN = ".iam.gserviceaccount.com"
LIFETIME_SECONDS = 3600
_PREFIX = "https://www.googleapis.com/auth/"
GRANTED_SCOPES = frozenset({_PREFIX + "calendar", _PREFIX + "calendar.events"})

Answer = tuple[int, dict[str, Any]]


@dataclass(frozen=True)
class AccessToken:
    owner: str  # whose quota the requests count against: the user, or the impersonated subject
    scope: str
    expires_at: float  # seconds since the epoch, on the emulator's clock


def _refused(status: int, error: str, description: str) -> Answer:
    return status, {"error": error, "error_description": description}


INVALID_GRANT = _refused(400, "invalid_grant", "Token has been expired or revoked.")
BAD_JWT_TIME = _refused(
    400,
    "invalid_grant",
    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
    "Check your iat and exp values in the JWT claim.",
)
UNAUTHORIZED_CLIENT = _refused(
    401,
    "unauthorized_client",
    "Client is unauthorized to retrieve access tokens using this method, "
    "or client not authorized for any of the scopes requested.",
)


# How the token endpoint fails when it is not the grant's fault (`fail_token_requests`): Google's own
# error codes for a server-side failure are those google-auth retries (`google.oauth2._client._can_retry`:
# `internal_failure`, `server_error`, `temporarily_unavailable`); a 429 for too many exchanges; and a
# 200 whose body is cut short, as a dropped connection leaves it.
TOKEN_FAILURES = ("unavailable", "rate_limited", "truncated")


class TokenIssuer:
    """Issues access tokens and says whose they are."""

    def __init__(self, user: str, members: frozenset[str]) -> None:
        self.user = user  # the person whose refresh token the sandbox hands out
        self.members = members  # who a service account may impersonate
        self.tokens: dict[str, AccessToken] = {}
        self.failures: list[str] = []  # the next exchanges' failures, one per request (TOKEN_FAILURES)

    def fail_next(self, count: int, form: str) -> None:
        if form not in TOKEN_FAILURES:
            raise ValueError(f"unknown token failure {form!r}; known: {', '.join(TOKEN_FAILURES)}")
        self.failures.extend([form] * count)

    def take_failure(self) -> str | None:
        return self.failures.pop(0) if self.failures else None

    def exchange(self, form: Mapping[str, str], now: datetime) -> Answer:
        """The token endpoint's answer (status, JSON body) to a form-encoded grant."""
        grant = form.get("grant_type")
        if grant == REFRESH_GRANT:
            return self._refresh_grant(form, now)
        if grant == JWT_GRANT:
            return self._jwt_grant(form.get("assertion", ""), now)
        return _refused(400, "unsupported_grant_type", f"Invalid grant_type: {grant or ''}")

    def owner_of(self, token: str, now: datetime) -> str | None:
        found = self.tokens.get(token)
        return found.owner if found is not None and found.expires_at > now.timestamp() else None

    def expire_all(self) -> None:
        self.tokens.clear()

    def _refresh_grant(self, form: Mapping[str, str], now: datetime) -> Answer:
        if form.get("client_id") != CLIENT_ID:
            return _refused(401, "invalid_client", "The OAuth client was not found.")
        if form.get("client_secret") != CLIENT_SECRET:
            return _refused(401, "invalid_client", "Unauthorized")
        if form.get("refresh_token") != REFRESH_TOKEN:
            return INVALID_GRANT
        scope = form.get("scope") or " ".join(sorted(GRANTED_SCOPES))
        if not set(scope.split()) <= GRANTED_SCOPES:
            return _refused(400, "invalid_scope", "Bad Request")
        return self._issue(self.user, scope, now)

    def _jwt_grant(self, assertion: str, now: datetime) -> Answer:
        claims = _claims(assertion)
        if claims is None:
            return _refused(400, "invalid_grant", "Invalid JWT Signature.")
        issuer, subject = str(claims.get("iss", "")), claims.get("sub")
        if not issuer.endswith(SERVICE_ACCOUNT_DOMAIN):
            return _refused(400, "invalid_grant", "Invalid grant: account not found")
        if claims.get("aud") != JWT_AUDIENCE:
            return _refused(400, "invalid_grant", "Invalid JWT: Failed audience check.")
        expires, issued = claims.get("exp"), claims.get("iat")
        if not isinstance(expires, int | float) or not isinstance(issued, int | float):
            return BAD_JWT_TIME
        if expires <= now.timestamp() or expires - issued > LIFETIME_SECONDS:
            return BAD_JWT_TIME
        scope = str(claims.get("scope", ""))
        if not scope or not set(scope.split()) <= GRANTED_SCOPES:
            return _refused(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
        if subject is not None and str(subject).lower() not in self.members:
            return UNAUTHORIZED_CLIENT
        return self._issue(str(subject or issuer), scope, now)

    def _issue(self, owner: str, scope: str, now: datetime) -> Answer:
        token = f"ya29.sandbox-{secrets.token_urlsafe(24)}"
        self.tokens[token] = AccessToken(owner, scope, now.timestamp() + LIFETIME_SECONDS)
        return 200, {
            "access_token": token,
            "expires_in": LIFETIME_SECONDS - 1,  # Google answers 3599
            "scope": scope,
            "token_type": "Bearer",
        }

    def dump(self) -> dict[str, Any]:
        return {token: asdict(found) for token, found in self.tokens.items()}

    def load(self, data: dict[str, Any]) -> None:
        self.tokens = {token: AccessToken(**found) for token, found in data.items()}


def _claims(assertion: str) -> dict[str, Any] | None:
    """The JWT's payload, unverified (see the module docstring); None when it is no JWT."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None
