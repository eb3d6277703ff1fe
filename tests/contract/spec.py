"""The official API specs of Trello, Google Calendar, Toggl Track and Notion, as contract checks.

Each spec (``specs/``, provenance in ``specs/SOURCES.md``) is loaded once into one normalised form,
a tuple of :class:`Operation` (method, path template, compiled regex, parameters, request body,
response schemas by status), whatever its dialect: OpenAPI 3.0 (Trello), Swagger 2.0 (Toggl),
OpenAPI 3.1 (Notion) or a Google discovery document (Calendar). Toggl has two specs, one per API:
the Track API v9 (``toggl``) and the Reports API v3 (``toggl_reports``); :func:`spec_name` says
which one a request to Toggl belongs to::

    spec = load_spec("trello")
    spec.template_for("GET", "https://api.trello.com/1/boards/5f1/cards/all")
    # -> "/boards/{id}/cards/{filter}"
    spec.check_request("POST", "http://127.0.0.1:8001/1/cards?key=k&token=t", body={"name": "x"})
    # -> ["missing required query parameter 'idList' ..."]
    spec.check_response("GET", url, 200, response_json)  # [] when the body conforms

URLs may use any scheme, host and port (the real API or a local emulator); their path must start
with the service's base path (Trello ``/1``, Google ``/calendar/v3``, Toggl ``/api/v9``; the
Reports API's and Notion's spec paths already start with ``/reports/api/v3`` and ``/v1``).
Problems are human-readable strings; ``[]`` is conforming.
Leniencies and spec fixes live in :mod:`.quirks` and :mod:`.schema`, each with its reason.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from . import quirks
from .operations import (
    Operation,
    Param,
    RawSchema,
    load_operations,
    named_schemas,
    normalise,
    pointer_parts,
)
from .quirks import Service
from .schema import Dialect, SchemaSet, iter_types

__all__ = [
    "SPEC_DIR",
    "ApiSpec",
    "Operation",
    "Param",
    "Service",
    "load_spec",
    "service_for_url",
    "spec_name",
]

SPEC_DIR = Path(__file__).resolve().parent / "specs"
_PATH_CACHE_SIZE = 4096
_SCALAR_CHECKS = {
    "integer": lambda v: re.fullmatch(r"[+-]?\d+", v) is not None,
    "number": lambda v: re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", v) is not None,
    "boolean": lambda v: v.lower() in ("true", "false"),
}


@dataclass(frozen=True)
class _Source:
    """Where a spec lives and how its service is addressed."""

    file: str
    dialect: Dialect
    base_path: str  # URL path prefix the spec's templates are relative to
    real_host: str  # for service_for_url
    real_prefix: str = ""
    null_everywhere: bool = False  # see schema.py: the API returns null where the spec says not
    query_in_body: bool = False  # Trello: JSON body keys stand in for query parameters
    csv_params: bool = False  # Trello: enum parameters take "all" or a comma-separated list


_SOURCES: dict[Service, _Source] = {
    "trello": _Source(
        file="trello/swagger.v3.json",
        dialect="oas30",
        base_path="/1",  # server https://api.trello.com/1
        real_host="api.trello.com",
        null_everywhere=True,
        query_in_body=True,
        csv_params=True,
    ),
    "gcal": _Source(
        file="google-calendar/calendar.v3.json",
        dialect="discovery",
        base_path="/calendar/v3",  # baseUrl https://www.googleapis.com/calendar/v3/
        real_host="www.googleapis.com",
        real_prefix="/calendar/v3",
    ),
    "toggl": _Source(
        file="toggl/toggl-track-api-v9.swagger.json",
        dialect="swagger2",
        base_path="/api/v9",  # basePath /api/v9
        real_host="api.track.toggl.com",
        real_prefix="/api/v9",
        null_everywhere=True,
    ),
    "toggl_reports": _Source(
        file="toggl/toggl-reports-v3.swagger.json",
        dialect="swagger2",
        base_path="",  # no basePath: the paths start with /reports/api/v3 (and /insights/api/v1)
        real_host="api.track.toggl.com",
        real_prefix="/reports/api/v3",
        null_everywhere=True,  # rows carry null project_id, task_id, amounts (recorded answers)
    ),
    "notion": _Source(
        file="notion/notion-openapi.2025-09-03.json",
        dialect="oas31",
        base_path="",  # spec paths already start with /v1
        real_host="api.notion.com",
    ),
}


class ApiSpec:
    """One loaded spec: request matching plus request and response checks. Use :func:`load_spec`."""

    def __init__(self, service: Service, doc: Mapping[str, Any]):
        self.service: Service = service
        self._src = _SOURCES[service]
        dialect = self._src.dialect
        self.schemas = SchemaSet(
            named_schemas(doc, dialect), dialect, null_everywhere=self._src.null_everywhere
        )
        ops = load_operations(service, doc, self.schemas)
        self.operations: tuple[Operation, ...] = tuple(sorted(ops, key=lambda o: o.rank, reverse=True))
        self._by_path: dict[str, tuple[Operation, ...]] = {}

    def get(self, method: str, template: str) -> Operation | None:
        """The operation declared for ``method`` on the exact ``template``."""
        method = method.upper()
        return next((o for o in self.operations if o.method == method and o.template == template), None)

    def match(self, method: str, url: str) -> Operation | None:
        """The operation a request would hit, literal-rich templates first; None if none."""
        return self._resolve(method.upper(), url)[0]

    def template_for(self, method: str, url: str) -> str | None:
        """The path template of :meth:`match`, e.g. ``/calendars/{calendarId}/events``."""
        op = self.match(method, url)
        return op.template if op else None

    def check_request(self, method: str, url: str, *, body: object | None = None) -> list[str]:
        """Problems with a request: path, method, path/query parameters and JSON body fields."""
        op, path, problems = self._resolve(method.upper(), url)
        if op is None:
            return problems
        groups = op.regex.fullmatch(path)
        assert groups is not None  # _resolve matched this regex
        for name, value in zip(op.path_names, groups.groups(), strict=True):
            param = next((p for p in op.params if p.name == name and p.location == "path"), None)
            if param is not None:
                problems += self._check_values(param, [unquote(value)])
        query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
        return problems + self._check_query(op, query, body) + self._check_body(op, body)

    def check_response(self, method: str, url: str, status: int, body: object | None) -> list[str]:
        """Problems with a parsed JSON response body (None: no or non-JSON body, not checked).

        Validates against the schema declared for ``status`` (see :func:`_pick_response`); no
        declared schema means no problems.
        Required properties are not asserted when the request asked for a partial response
        (``fields=``).
        """
        op, _, problems = self._resolve(method.upper(), url)
        if op is None:
            return problems
        schema = _pick_response(op.responses, status)
        if schema is None or body is None:
            return []
        asked_fields = any(name == "fields" for name, _ in parse_qsl(urlsplit(url).query))
        found = self.schemas.problems(schema, body, skip_required=asked_fields)
        return [f"{op} -> {status}: {problem}" for problem in found]

    # -- matching ----------------------------------------------------------------------------

    def _api_path(self, url: str) -> str | None:
        path, base = urlsplit(url).path, self._src.base_path
        if base and path != base and not path.startswith(base + "/"):
            return None
        return normalise(path[len(base) :])

    def _path_matches(self, path: str) -> tuple[Operation, ...]:
        hit = self._by_path.get(path)
        if hit is None:
            if len(self._by_path) >= _PATH_CACHE_SIZE:  # ids make paths unique: keep it bounded
                self._by_path.clear()
            hit = self._by_path[path] = tuple(o for o in self.operations if o.regex.fullmatch(path))
        return hit

    def _resolve(self, method: str, url: str) -> tuple[Operation | None, str, list[str]]:
        path = self._api_path(url)
        if path is None:
            base = self._src.base_path
            return (
                None,
                "",
                [f"{method} {url}: path does not start with the {self.service} base path {base}"],
            )
        matches = self._path_matches(path)
        if not matches:
            return (
                None,
                path,
                [f"{method} {path}: no path template of the {self.service} spec matches"],
            )
        op = next((o for o in matches if o.method == method), None)
        if op is None:
            allowed = ", ".join(sorted({o.method for o in matches}))
            return (
                None,
                path,
                [f"{method} not allowed on {matches[0].template} (allowed: {allowed})"],
            )
        return op, path, []

    # -- parameters and body -----------------------------------------------------------------

    def _check_query(self, op: Operation, query: Sequence[tuple[str, str]], body: object) -> list[str]:
        known = {p.name: p for p in op.params if p.location == "query"}
        given: dict[str, list[str]] = {}
        for name, value in query:
            param = known.get(name)
            if param is None and name.endswith("[]") and name[:-2] in known:
                param = known[name[:-2]]  # Rails-style `filter_properties[]=` for array params
                name = param.name if param.repeated else name
            given.setdefault(name, []).append(value)
        problems = [f"unknown query parameter {n!r} for {op}" for n in given if n not in known]
        for name, values in given.items():
            if name in known:
                problems += self._check_values(known[name], values)
        supplied = set(given)
        if self._src.query_in_body and isinstance(body, Mapping):
            supplied |= set(body)  # Trello: a JSON body may carry the query parameters
        missing = [p.name for p in known.values() if p.required and p.name not in supplied]
        return problems + [f"missing required query parameter {n!r} for {op}" for n in missing]

    def _check_values(self, param: Param, values: list[str]) -> list[str]:
        label = f"{param.location} parameter {param.name!r}"
        problems = []
        if len(values) > 1 and not param.repeated:
            problems.append(f"{label} given {len(values)} times but is not repeatable")
        schema = self.schemas.deref(param.schema)
        split = self._src.csv_params
        if "array" in iter_types(schema):  # check the items; a non-repeated array is a CSV list
            schema, split = self.schemas.deref(schema.get("items")), split or not param.repeated
        for value in values:
            parts = [part.strip() for part in value.split(",")] if split else [value]
            problem = next(filter(None, (self._value_problem(param, schema, p) for p in parts)), None)
            if problem:
                problems.append(f"{label}={value!r} {problem}")
        return problems

    def _value_problem(self, param: Param, schema: Mapping[str, Any], value: str) -> str | None:
        if value in quirks.EXTRA_PARAM_VALUES.get((self.service, param.name), ()):
            return None
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            allowed = [str(e) for e in enum if e is not None]
            if self._src.csv_params and "all" not in allowed:
                allowed.append("all")  # Trello: "`all` or a comma-separated list of ..."
            return None if value in allowed else f"is not one of the allowed values {allowed}"
        types = list(iter_types(schema))
        checkable = types and all(t in _SCALAR_CHECKS for t in types)
        if checkable and not any(_SCALAR_CHECKS[t](value) for t in types):
            return f"is not a valid {' or '.join(types)}"
        return None

    def _check_body(self, op: Operation, body: object) -> list[str]:
        if body is None:
            return [f"{op} requires a request body"] if op.body_required else []
        fields, required = op.body_fields, op.body_required_fields
        if self._src.query_in_body and (op.body_schema is None or fields is not None):
            # Trello: "Query parameters may also be replaced with a JSON request body" (POST
            # /cards, PUT /cards/{id}; true of every operation): query parameter names are body
            # fields too; required query parameters are checked with the query string.
            fields = (fields or frozenset()) | {p.name for p in op.params if p.location == "query"}
        elif op.body_schema is None and fields is None:
            return [] if body in ({}, [], "") else [f"{op} declares no request body"]
        if fields is None:
            return []
        if not isinstance(body, Mapping):
            return [f"request body of {op} should be a JSON object, got {type(body).__name__}"]
        problems = [f"unknown body field {k!r} for {op}" for k in body if k not in fields]
        return problems + [f"missing required body field {k!r} for {op}" for k in required if k not in body]


@functools.cache
def load_spec(service: Service) -> ApiSpec:
    """Load, patch (in memory, see :mod:`.quirks`) and normalise one spec; cached per service."""
    source = _SOURCES[service]
    doc = json.loads((SPEC_DIR / source.file).read_text(encoding="utf-8"))
    for patched_service, pointer, value in quirks.SPEC_PATCHES:
        if patched_service == service:
            *parents, last = pointer_parts(pointer)
            # A KeyError here means the spec file changed under quirks.py.
            target = functools.reduce(lambda node, key: node[key], parents, doc)
            if value is None:
                del target[last]
            else:
                target[last] = value
    return ApiSpec(service, doc)


def service_for_url(url: str) -> Service | None:
    """The service whose *real* API serves ``url`` (emulators are not recognised here)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    for service, src in _SOURCES.items():
        prefix = src.real_prefix
        if host == src.real_host and (parts.path == prefix or parts.path.startswith(prefix + "/")):
            return service
    return None


#: The connectors' service names (HttpCore.service) and the spec each one's requests are checked
#: against; Toggl's Reports API shares the "toggl" service (one token, one pace, one quota) and is
#: told apart by its path.
_CONNECTOR_SPECS: dict[str, Service] = {
    "trello": "trello",
    "google": "gcal",
    "toggl": "toggl",
    "notion": "notion",
}
_REPORTS_PATH = "/reports/api/v3/"


def spec_name(service: str, url: str) -> Service | None:
    """The spec a connector's request belongs to, by its core's service name and its URL."""
    name = _CONNECTOR_SPECS.get(service)
    if name == "toggl" and _REPORTS_PATH in urlsplit(url).path:
        return "toggl_reports"
    return name


def _pick_response(responses: Mapping[str, RawSchema | None], status: int) -> RawSchema | None:
    """The schema for ``status``: exact, ``NXX``, first 2xx for a success, then ``default``."""
    for key in (str(status), f"{status // 100}XX"):
        if key in responses:
            return responses[key]
    if 200 <= status < 300:
        success = [responses[k] for k in sorted(responses) if k.startswith("2")]
        if success:
            return success[0]
    return responses.get("default")
