"""The normalised form of a spec: :class:`Operation` and :class:`Param`, and the dialect loaders.

OpenAPI 3.0 (Trello), OpenAPI 3.1 (Notion), Swagger 2.0 (Toggl) and Google discovery documents
(Calendar) all become a list of operations: method, path template, compiled regex, parameters
with location/required/schema, request-body schema and response schemas by status. Schemas stay
raw (spec dialect); :mod:`.schema` converts them when a check needs it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from . import quirks
from .quirks import Service
from .schema import Dialect, SchemaSet, iter_types

HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"})
_PATH_PARAM = re.compile(r"\{(\+?)([^}]+)\}")
RawSchema = Mapping[str, Any]


@dataclass(frozen=True)
class Param:
    """One declared parameter; ``schema`` is raw and carries ``type``/``enum``/``items``."""

    name: str
    location: str  # "path", "query", "header", "cookie" or "formData"
    required: bool = False
    repeated: bool = False  # may appear several times in the query string
    schema: RawSchema = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class Operation:
    """One method on one path template, e.g. ``("trello", "GET", "/boards/{id}/cards/{filter}")``.

    Equality and hashing use (service, method, template) only.
    """

    service: Service
    method: str
    template: str
    regex: re.Pattern[str] = field(compare=False, repr=False)
    path_names: tuple[str, ...] = field(compare=False, repr=False)
    params: tuple[Param, ...] = field(compare=False, repr=False)
    body_schema: RawSchema | None = field(compare=False, repr=False)
    body_required: bool = field(compare=False, repr=False)  # a body must be sent at all
    body_fields: frozenset[str] | None = field(compare=False, repr=False)  # None: open
    body_required_fields: tuple[str, ...] = field(compare=False, repr=False)
    responses: Mapping[str, RawSchema | None] = field(compare=False, repr=False)
    op_id: str = field(default="", compare=False)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.template}"

    @property
    def rank(self) -> tuple[int, tuple[int, ...]]:
        """Literal segments first: ``/boards/{id}/cards`` beats ``/boards/{id}/{field}``."""
        mask = tuple(0 if "{" in seg else 1 for seg in normalise(self.template).split("/"))
        return sum(mask), mask


def normalise(path: str) -> str:
    """``/webhooks/`` and ``/webhooks`` are the same route; the root is ``/``."""
    return "/" + path.strip("/")


def load_operations(service: Service, doc: Mapping[str, Any], schemas: SchemaSet) -> list[Operation]:
    """All operations of a parsed spec, with the supplements and fixes of :mod:`.quirks`."""
    build = _discovery_operations if schemas.dialect == "discovery" else _openapi_operations
    ops = build(service, doc, schemas)
    present = {(o.service, o.method, o.template) for o in ops}
    missing = [k for k in quirks.RESPONSE_SUPPLEMENTS if k[0] == service and k not in present]
    if missing:  # the spec changed under quirks.py: fail loudly
        raise LookupError(f"quirks.RESPONSE_SUPPLEMENTS names unknown operations: {missing}")
    return ops


def named_schemas(doc: Mapping[str, Any], dialect: Dialect) -> Mapping[str, Any]:
    """The schemas ``$ref`` points into: discovery ``schemas``, ``definitions`` or components."""
    if dialect == "discovery":
        found = doc.get("schemas")
    elif dialect == "swagger2":
        found = doc.get("definitions")
    else:
        found = doc.get("components", {}).get("schemas")
    return found if isinstance(found, Mapping) else {}


def pointer_parts(pointer: str) -> list[str]:
    """``#/a/b~1c`` -> ``["a", "b/c"]``."""
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("#").split("/")[1:]]


def _deref(doc: Mapping[str, Any], node: Any) -> Any:
    """Resolve local ``$ref``s of parameters, request bodies and responses (not schemas)."""
    while isinstance(node, Mapping) and str(node.get("$ref", "")).startswith("#/"):
        node = functools.reduce(lambda n, key: n[key], pointer_parts(node["$ref"]), doc)
    return node


def _compile(template: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """Regex for a template; any parameter name matches one segment (``{+name}``: several)."""
    parts, names, pos = [], [], 0
    template = normalise(template)
    for m in _PATH_PARAM.finditer(template):
        parts += [re.escape(template[pos : m.start()]), "(.+)" if m.group(1) else "([^/]+)"]
        names.append(m.group(2))
        pos = m.end()
    parts.append(re.escape(template[pos:]))
    return re.compile("".join(parts)), tuple(names)


def _make_operation(
    key: tuple[Service, str, str],
    *,
    params: Sequence[Param],
    body: tuple[RawSchema | None, bool],
    responses: dict[str, RawSchema | None],
    op_id: str,
    schemas: SchemaSet,
    required: frozenset[str] | None = None,
) -> Operation:
    """Assemble an Operation, applying the per-operation entries of :mod:`.quirks`."""
    if key in quirks.RESPONSE_SUPPLEMENTS:
        responses = {**responses, "200": quirks.RESPONSE_SUPPLEMENTS[key]}
    body_schema, body_required = body
    fields, schema_required = schemas.top_level(body_schema) if body_schema else (None, frozenset())
    form = frozenset(p.name for p in params if p.location == "formData")
    if body_schema is None and form:
        fields = form  # multipart uploads: the form fields are the body
    required = schema_required if required is None else required
    required |= set(quirks.EXTRA_BODY_REQUIRED.get(key, ()))
    optional = quirks.NOT_REQUIRED.get(key, frozenset())
    params = [replace(p, required=False) if p.name in optional else p for p in params]
    regex, names = _compile(key[2])
    return Operation(
        *key,
        regex,
        names,
        tuple(params),
        body_schema,
        body_required,
        fields,
        tuple(sorted(required)),
        responses,
        op_id,
    )


# -- OpenAPI 3.0 / 3.1 and Swagger 2.0 ---------------------------------------------------------


def _openapi_operations(service: Service, doc: Mapping[str, Any], schemas: SchemaSet) -> list[Operation]:
    swagger = schemas.dialect == "swagger2"
    schemes = doc.get("securityDefinitions") or doc.get("components", {}).get("securitySchemes", {})
    # Auth parameters declared as security schemes (Trello key/token) are known query parameters.
    auth = [
        Param(s["name"], "query")
        for s in schemes.values()
        if s.get("type") == "apiKey" and s.get("in") == "query"
    ]
    ops = []
    for template, item in doc.get("paths", {}).items():
        item = _deref(doc, item)
        for method, raw in item.items():
            if method.upper() not in HTTP_METHODS:
                continue
            declared = {}  # operation parameters override path-item ones with the same name/in
            for p in [*item.get("parameters", []), *raw.get("parameters", [])]:
                p = _deref(doc, p)
                declared[(p["name"], p.get("in"))] = p
            params = [_openapi_param(p, method.upper(), swagger) for p in declared.values()]
            ops.append(
                _make_operation(
                    (service, method.upper(), template),
                    params=[p for p in params if p.location != "body"] + auth,
                    body=_openapi_body(doc, raw, declared.values(), swagger),
                    responses=_openapi_responses(doc, raw, swagger),
                    op_id=raw.get("operationId", ""),
                    schemas=schemas,
                )
            )
    return ops


def _openapi_param(p: Mapping[str, Any], method: str, swagger: bool) -> Param:
    location = p.get("in", "query")
    if swagger and location == "formData" and method in ("GET", "DELETE", "HEAD"):
        location = "query"  # Toggl GET /me/tags declares `since` as formData; a GET has no form
    schema = p if swagger else p.get("schema") or {}
    # OpenAPI 3 arrays default to style=form, explode=true (name=a&name=b); Swagger 2 arrays are
    # CSV unless collectionFormat is "multi".
    is_array = "array" in iter_types(schema)
    repeated = is_array and (not swagger or p.get("collectionFormat") == "multi")
    return Param(p["name"], location, bool(p.get("required")), repeated, schema)


def _openapi_body(
    doc: Mapping[str, Any], raw: Mapping[str, Any], params: Any, swagger: bool
) -> tuple[RawSchema | None, bool]:
    if swagger:  # Swagger 2.0: an `in: body` parameter with a schema (often a $ref to definitions)
        body = next((p for p in params if p.get("in") == "body"), None)
        return (body.get("schema"), bool(body.get("required"))) if body else (None, False)
    request = _deref(doc, raw.get("requestBody")) or {}  # OpenAPI 3: requestBody.content[json]
    return _json_content(request.get("content")), bool(request.get("required"))


def _openapi_responses(
    doc: Mapping[str, Any], raw: Mapping[str, Any], swagger: bool
) -> dict[str, RawSchema | None]:
    out = {}
    for status, response in (raw.get("responses") or {}).items():
        response = _deref(doc, response) or {}
        out[str(status)] = response.get("schema") if swagger else _json_content(response.get("content"))
    return out


def _json_content(content: Any) -> RawSchema | None:
    """The schema of the JSON media type of a ``content`` map, if any."""
    if not isinstance(content, Mapping):
        return None
    for media_type, media in content.items():
        schema = media.get("schema") if isinstance(media, Mapping) else None
        if "json" in media_type and isinstance(schema, Mapping):
            return schema
    return None


# -- Google discovery --------------------------------------------------------------------------


def _discovery_methods(resources: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for resource in resources.values():
        yield from resource.get("methods", {}).values()
        yield from _discovery_methods(resource.get("resources", {}))


def _discovery_param(name: str, p: Mapping[str, Any]) -> Param:
    # `repeated: true` (privateExtendedProperty, eventTypes) may appear several times.
    return Param(name, p.get("location", "query"), bool(p.get("required")), bool(p.get("repeated")), p)


def _discovery_operations(service: Service, doc: Mapping[str, Any], schemas: SchemaSet) -> list[Operation]:
    # The document's top-level `parameters` (key, oauth_token, fields, prettyPrint, quotaUser,
    # alt, userIp) are accepted by every method.
    common = [_discovery_param(n, p) for n, p in doc.get("parameters", {}).items()]
    ops = []
    for method in _discovery_methods(doc.get("resources", {})):
        request = method.get("request")  # {"$ref": "Event"}: a bare name into `schemas`
        body = {"$ref": request["$ref"]} if request else None
        response = method.get("response")
        own = [_discovery_param(n, p) for n, p in method.get("parameters", {}).items()]
        ops.append(
            _make_operation(
                (service, method["httpMethod"].upper(), "/" + method["path"]),
                params=own + common,
                body=(body, body is not None),
                responses={"200": {"$ref": response["$ref"]}} if response else {},
                op_id=method["id"],
                schemas=schemas,
                required=_annotated_required(schemas, body, method["id"]),
            )
        )
    return ops


def _annotated_required(schemas: SchemaSet, body: RawSchema | None, method_id: str) -> frozenset[str]:
    """Per-method required body fields are annotations, not JSON-Schema ``required``
    (Event.start: ``"annotations": {"required": ["calendar.events.insert", ...]}``)."""
    props = schemas.deref(body).get("properties", {}) if body else {}
    return frozenset(
        name for name, prop in props.items() if method_id in prop.get("annotations", {}).get("required", ())
    )
