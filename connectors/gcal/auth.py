"""Google OAuth 2.0 for the Calendar connector: google-auth credentials behind an `httpx.Auth` flow.

Two kinds of credentials (https://developers.google.com/identity/protocols/oauth2):
- a user's refresh token (`client_id`, `client_secret`, `refresh_token`), exchanged at `token_uri`;
- a service account key (JSON), optionally impersonating `subject` through domain-wide delegation.

google-auth signs and parses; every HTTP call goes through httpx (`HttpxRequest`), so respx and the
sandbox see the token refresh like any other request. The refresh is a plain httpx call, not an
`HttpCore` one: the token endpoint is not part of the Calendar API and is not contract-checked.

The flow (after httpx's `_auth.py` pattern): attach `Bearer <token>`, refreshing first when the token
is missing or about to expire; on a 401 refresh once and resend once. No token ever reaches a message
or a log line.

What the token endpoint's answers mean (RFC 6749 §5.2, https://www.rfc-editor.org/rfc/rfc6749#section-5.2;
https://developers.google.com/identity/protocols/oauth2/web-server#exchange-errors):
- an OAuth error about the grant or the client (`invalid_grant`, `invalid_client`, `unauthorized_client`,
  `invalid_scope`, `unsupported_grant_type`, `access_denied`): `AuthError`, saying what to re-authorise
  or fix;
- anything else is transient: no answer, a timeout, 408, 429 (Retry-After honoured), 5xx, an OAuth
  `temporarily_unavailable` or `server_error`, and a 200 whose body is not a JSON object with an
  `access_token` (a truncated answer). `HttpxRequest` retries these with the HTTP core's policy
  (`RetryPolicy`: attempts, backoff, the cap on Retry-After); what still fails is `Unavailable`.
google-auth has a retry loop of its own (3 attempts, real sleeps, no Retry-After, and not for 502):
`HttpxRequest` never hands it a retryable answer, so it never loops, and one retry layer decides.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any

import google.auth.exceptions
import google.auth.transport
import httpx
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from config.redaction import redact, register_secret, register_secrets
from config.settings import GoogleSettings
from connectors.accounting import STATS, RequestKey, RequestStats
from connectors.errors import AuthError, Unavailable
from connectors.http import RetryPolicy, retry_after_seconds

logger = logging.getLogger(__name__)

SERVICE = "google"
# Enough to list, insert, patch and delete events (NOTES.md §2.1); nothing on calendars or ACLs.
SCOPES = ("https://www.googleapis.com/auth/calendar.events",)
REAUTHORISE = (
    "google refused the stored refresh token (invalid_grant: it expired or was revoked); "
    "re-authorise the hub with Google and store the new refresh token in OBM_HUB_GOOGLE__REFRESH_TOKEN"
)
# RFC 6749 §5.2 errors about the grant or the client: no retry fixes them, a person must.
GRANT_REFUSALS = frozenset(
    {
        "invalid_grant",
        "invalid_client",
        "unauthorized_client",
        "invalid_scope",
        "unsupported_grant_type",
        "access_denied",
    }
)
# Answers another attempt may fix: RFC 6749 §4.1.2.1's two, and Google's own (google-auth `_can_retry`).
TRANSIENT_GRANT_ERRORS = frozenset({"temporarily_unavailable", "server_error", "internal_failure"})
TRANSIENT_STATUSES = frozenset({408, 429})
SERVICE_ACCOUNT_REFUSED = (
    "google refused the service account's grant ({code}); check the key, the machine's clock and, "
    "with a subject, the domain-wide delegation of the calendar scope in the Admin console"
)


def build_credentials(settings: GoogleSettings) -> Credentials:
    """google-auth credentials from the settings: a service account if one is set, else a user token."""
    info = _service_account_info(settings)
    if info is not None:
        # The settings' token_uri wins over the key file's: it is how the sandbox (or a proxy) is reached.
        sa = service_account.Credentials.from_service_account_info(
            {**info, "token_uri": settings.token_uri}, scopes=SCOPES
        )
        register_secret(info.get("private_key"))
        return sa.with_subject(settings.subject) if settings.subject else sa
    missing = settings.missing_credentials()
    if missing or settings.client_secret is None or settings.refresh_token is None:
        raise AuthError(f"google credentials are incomplete (missing: {', '.join(missing)})", service=SERVICE)
    secret, refresh = settings.client_secret.get_secret_value(), settings.refresh_token.get_secret_value()
    register_secrets([secret, refresh])
    return user_credentials.Credentials(
        token=None,
        refresh_token=refresh,
        client_id=settings.client_id,
        client_secret=secret,
        token_uri=settings.token_uri,
        scopes=list(SCOPES),
    )


def may_invite(credentials: Credentials, subject: str | None) -> bool:
    """Whether these credentials may write attendees: a service account only when it impersonates
    `subject` ("Service accounts need to use domain-wide delegation of authority to populate the
    attendee list", discovery `Event.attendees`; otherwise 403 `forbiddenForServiceAccounts`)."""
    return bool(subject) or not isinstance(credentials, service_account.Credentials)


def _service_account_info(settings: GoogleSettings) -> dict[str, Any] | None:
    if settings.service_account_json is not None:
        text = settings.service_account_json.get_secret_value()
    elif settings.service_account_file is not None:
        text = settings.service_account_file.read_text(encoding="utf-8")
    else:
        return None
    try:
        info = json.loads(text)
    except json.JSONDecodeError:
        raise AuthError("the google service account key is not valid JSON", service=SERVICE) from None
    if not isinstance(info, dict) or "private_key" not in info or "client_email" not in info:
        raise AuthError("the google service account key lacks private_key or client_email", service=SERVICE)
    return info


class _Response(google.auth.transport.Response):
    def __init__(self, response: httpx.Response) -> None:
        self._response = response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def headers(self) -> Mapping[str, str]:
        return self._response.headers

    @property
    def data(self) -> bytes:
        return self._response.content


class _Transient(Exception):
    """Internal: a token answer worth another attempt, after `wait` seconds if the service said so."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class HttpxRequest(google.auth.transport.Request):
    """google-auth's transport interface over an httpx client (google-auth defaults to requests).

    Transient answers are retried here, with the core's policy; after the last attempt they become a
    `google.auth.exceptions.TransportError`, which google-auth passes on without a retry of its own.
    """

    def __init__(
        self,
        client: httpx.Client,
        stats: RequestStats | None = None,
        *,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._stats = stats or STATS
        self._retry = retry or RetryPolicy()
        self._sleep = sleep

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> _Response:
        retrying = Retrying(
            stop=stop_after_attempt(self._retry.attempts),
            retry=retry_if_exception_type(_Transient),
            wait=self._wait,
            sleep=self._sleep,
            reraise=True,
        )
        try:
            return retrying(self._attempt, url, method, body, headers, timeout)
        except _Transient as final:
            raise google.auth.exceptions.TransportError(final.reason) from None

    def _attempt(
        self,
        url: str,
        method: str,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
    ) -> _Response:
        response = self._send(url, method, body, headers, timeout)
        reason = _transient_reason(response)
        if reason is None:
            return _Response(response)
        wait = retry_after_seconds(response)
        if wait is not None and wait > self._retry.max_retry_after:
            raise google.auth.exceptions.TransportError(f"{reason}; asked to wait {wait:.0f} s")
        raise _Transient(reason, wait)

    def _send(
        self,
        url: str,
        method: str,
        body: bytes | None,
        headers: Mapping[str, str] | None,
        timeout: float | None,
    ) -> httpx.Response:
        key = RequestKey(SERVICE, method, httpx.URL(url).path or "/")
        started = time.perf_counter()
        try:
            response = self._client.request(
                method,
                url,
                content=body,
                headers=headers,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.HTTPError as exc:
            self._stats.record(key, None, (time.perf_counter() - started) * 1000)
            raise _Transient(f"unreachable ({type(exc).__name__}: {redact(exc)})") from None
        ms = (time.perf_counter() - started) * 1000
        self._stats.record(key, response.status_code, ms)
        logger.info(
            "service=%s method=%s path=%s status=%s ms=%.0f",
            SERVICE,
            method,
            key.path,
            response.status_code,
            ms,
        )
        return response

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome.exception() if state.outcome else None
        if isinstance(outcome, _Transient) and outcome.wait is not None:
            return max(outcome.wait, 0.0)
        return self._retry.backoff(state.attempt_number)


def _transient_reason(response: httpx.Response) -> str | None:
    """Why this token answer is worth another attempt, or None when it is final (a token or a refusal)."""
    status = response.status_code
    if status in TRANSIENT_STATUSES or status >= 500:
        return f"answered {status}"
    body = _json_object(response)
    if status == 200:
        token = body.get("access_token") or body.get("id_token") if body is not None else None
        return None if isinstance(token, str) and token else "answered 200 without a readable token"
    if body is not None and body.get("error") in TRANSIENT_GRANT_ERRORS:
        return f"answered {status} {body['error']}"
    return None


def _json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


class GoogleAuth(httpx.Auth):
    """Bearer tokens from google-auth credentials, refreshed before expiry and once after a 401."""

    def __init__(self, credentials: Credentials, request: HttpxRequest) -> None:
        self.credentials = credentials
        self._request = request
        self._lock = threading.Lock()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # Runs on the sync client only: the refresh below is a blocking httpx call.
        with self._lock:
            if not self.credentials.valid:
                self._refresh()
            sent_with = self.credentials.token
        self._apply(request)
        response = yield request
        if response.status_code != 401:
            return
        with self._lock:
            # Another thread may have refreshed already: only refresh if we still hold the old token.
            if self.credentials.token == sent_with:
                self._refresh()
        self._apply(request)
        yield request

    def _apply(self, request: httpx.Request) -> None:
        headers: dict[str, str] = {}
        self.credentials.apply(headers)
        request.headers.update(headers)

    def _refresh(self) -> None:
        try:
            self.credentials.refresh(self._request)
        except google.auth.exceptions.RefreshError as exc:
            raise self._refused(exc) from None
        except google.auth.exceptions.TransportError as exc:
            raise _unavailable(str(exc)) from None
        except (TypeError, ValueError, KeyError):
            # google-auth reading an answer HttpxRequest let through (an `expires_in` that is no number).
            raise _unavailable("answered a token response it could not read") from None
        register_secret(self.credentials.token)

    def _refused(self, exc: google.auth.exceptions.RefreshError) -> Exception:
        code = _grant_error(exc)
        if code not in GRANT_REFUSALS:
            return _unavailable(f"refused the refresh without an OAuth reason ({code or 'none given'})")
        if isinstance(self.credentials, service_account.Credentials):
            message = SERVICE_ACCOUNT_REFUSED.format(code=code or "refused")
        elif code == "invalid_grant":
            message = REAUTHORISE
        elif code in ("invalid_client", "unauthorized_client"):
            message = f"google refused the OAuth client ({code}); check client_id and client_secret"
        else:
            message = f"google refused the token refresh ({code or 'no reason given'}); re-authorise the hub"
        return AuthError(message, service=SERVICE, path="/token", code=code)


def _unavailable(reason: str) -> Unavailable:
    return Unavailable(
        f"google token endpoint {redact(reason)}: {Unavailable.action}", service=SERVICE, path="/token"
    )


def _grant_error(exc: google.auth.exceptions.RefreshError) -> str | None:
    """The OAuth `error` code of a refused grant (RFC 6749 §5.2), never the rest of the body."""
    for arg in exc.args[1:]:
        if isinstance(arg, Mapping) and isinstance(arg.get("error"), str):
            return str(arg["error"])
    return None
