"""Checks every request and response against the vendor's v25 OpenAPI subset.

Violations are returned as strings for the request log; nothing here may break a response.
Relaxations, each documented in README "Fidelity notes":
  * $refs to schemas missing from the subset validate as {} (anything);
  * the x-keyfactor-api-version header (no schema upstream) is a string;
  * request bodies and query names bind ignoring case and query-name prefixes, as ASP.NET does;
  * in responses, a property that is a bare $ref to an object may be null (the recorded 25.4.1
    server returns InventorySchedule/Password null; OAS 3.0 cannot mark a $ref nullable);
  * job Status/Result may be the documented names instead of the integers (API-NOTES §4).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from .params import name_matches
from .query import RESULT_NAMES, STATUS_NAMES
from .routes import match_template

SPEC_FILE = Path(__file__).with_name("spec") / "keyfactor-command-v25-v1.subset.json"
_ENUMS = "Keyfactor.Orchestrators.Common.Enums.OrchestratorJobStatusJob"
MAX_ERRORS = 20


def _refs(node, found: set) -> set:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for item in node:
            _refs(item, found)
    return found


def _short(text: str, limit: int = 240) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


class Contract:
    def __init__(self, spec_file: Path = SPEC_FILE):
        self.spec = json.loads(Path(spec_file).read_text(encoding="utf-8"))
        base = copy.deepcopy(self.spec["components"]["schemas"])
        for missing in _refs(self.spec, set()) - set(base):
            base[missing] = {}
        self.request_schemas = base
        self.response_schemas = self._relaxed(base)
        self.templates = list(self.spec["paths"])
        self._cache: dict = {}

    @staticmethod
    def _relaxed(base: dict) -> dict:
        schemas = copy.deepcopy(base)
        for schema in schemas.values():
            for name, prop in list(schema.get("properties", {}).items()):
                target = prop.get("$ref", "").rsplit("/", 1)[-1] if list(prop) == ["$ref"] else ""
                if (
                    target
                    and schemas[target].get("type", "object") == "object"
                    and "enum" not in schemas[target]
                ):
                    schema["properties"][name] = {"anyOf": [prop, {"enum": [None]}]}
        schemas[_ENUMS + "Status"] = {
            "anyOf": [base[_ENUMS + "Status"], {"type": "string", "enum": list(STATUS_NAMES)}]
        }
        schemas[_ENUMS + "Result"] = {
            "anyOf": [
                base[_ENUMS + "Result"],
                {"type": "string", "enum": list(RESULT_NAMES.values())},
            ]
        }
        return schemas

    def _validator(self, schema: dict, relaxed: bool):
        key = (json.dumps(schema, sort_keys=True), relaxed)
        if key not in self._cache:
            schemas = self.response_schemas if relaxed else self.request_schemas
            root = {**schema, "components": {"schemas": schemas}}
            self._cache[key] = OAS30Validator(root, format_checker=oas30_format_checker)
        return self._cache[key]

    def _validate(self, instance, schema: dict, where: str, relaxed: bool) -> list[str]:
        errs = sorted(
            self._validator(schema, relaxed).iter_errors(instance),
            key=lambda e: list(e.absolute_path),
        )
        return [_short(f"{where} {e.json_path}: {e.message}") for e in errs[:MAX_ERRORS]]

    def _resolve(self, schema: dict) -> dict:
        while isinstance(schema, dict) and "$ref" in schema:
            schema = self.request_schemas[schema["$ref"].rsplit("/", 1)[-1]]
        return schema or {}

    def operation(self, method: str, rel: str):
        found = match_template(self.templates, rel)
        if found is None:
            return None, None, f"no operation in the spec matches {method} {rel}"
        template, args = found
        op = self.spec["paths"][template].get(method.lower())
        if op is None:
            return None, None, f"{method} is not declared for {template}"
        return (template, op), args, None

    def _scalar(self, raw: str, schema: dict, where: str) -> list[str]:
        schema = self._resolve(schema)
        kind = schema.get("type", "string")
        value: object = raw
        try:
            if kind == "integer":
                value = int(raw)
            elif kind == "boolean":
                if raw.lower() not in ("true", "false"):
                    raise ValueError(raw)
                value = raw.lower() == "true"
        except ValueError:
            return [f"{where}: {raw!r} is not a valid {kind}"]
        return self._validate(value, schema, where, relaxed=False)

    def _param_value(self, raw_values: list[str], schema: dict, where: str) -> list[str]:
        schema = self._resolve(schema)
        if schema.get("type") == "array":
            return [e for v in raw_values for e in self._scalar(v, schema.get("items", {}), where)]
        out = [f"{where}: sent {len(raw_values)} times"] if len(raw_values) > 1 else []
        return out + self._scalar(raw_values[0], schema, where)

    def _canonical(self, instance, schema):
        """Rename body properties to the spec's spelling, as case-insensitive binding does."""
        schema = self._resolve(schema)
        if isinstance(instance, dict) and "properties" in schema:
            props = schema["properties"]
            lower = {k.lower(): k for k in props}
            out = {}
            for key, value in instance.items():
                name = lower.get(key.lower(), key)
                out[name] = self._canonical(value, props[name]) if name in props else value
            return out
        if isinstance(instance, list) and "items" in schema:
            return [self._canonical(item, schema["items"]) for item in instance]
        return instance

    def check_request(self, method, rel, pairs, headers, content_type, raw, parsed, ok):
        found, path_args, problem = self.operation(method, rel)
        if problem:
            return [f"request: {problem}"]
        (template, op), errs = found, []
        params = op.get("parameters", [])
        lower_headers = {k.lower() for k in headers}
        for p in params:
            where = f"request {p['in']} parameter {p['name']}"
            if p["in"] == "header":
                if p.get("required") and p["name"].lower() not in lower_headers:
                    errs.append(f"{where} is required but missing")
            elif p["in"] == "path":
                errs += self._scalar(path_args.get(p["name"], ""), p.get("schema", {}), where)
        query = [p for p in params if p["in"] == "query"]
        grouped: dict[str, list[str]] = {}
        for name, value in pairs:
            declared = next((p for p in query if name_matches(name, p["name"])), None)
            if declared is None:
                errs.append(
                    f"request query parameter {name!r} is not declared for {method} {template}"
                )
            else:
                grouped.setdefault(declared["name"], []).append(value)
        for p in query:
            if p["name"] in grouped:
                errs += self._param_value(
                    grouped[p["name"]], p.get("schema", {}), f"request query parameter {p['name']}"
                )
            elif p.get("required"):
                errs.append(f"request query parameter {p['name']} is required but missing")
        return errs + self._check_request_body(op, method, template, content_type, raw, parsed, ok)

    def _check_request_body(self, op, method, template, content_type, raw, parsed, ok):
        declared = op.get("requestBody", {}).get("content", {})
        if not raw:
            return []
        if not declared:
            return [f"request body sent, but {method} {template} declares none"]
        media = (content_type or "").split(";")[0].strip().lower()
        schema = declared.get(media) or (
            declared.get("application/*+json")
            if media.startswith("application/") and media.endswith("+json")
            else None
        )
        if schema is None:
            return [f"request content type {content_type!r} is not one of {sorted(declared)}"]
        if not ok:
            return ["request body is not valid JSON"]
        instance = self._canonical(parsed, schema["schema"])
        return self._validate(instance, schema["schema"], "request body", relaxed=False)

    def check_response(self, method, rel, status, content_type, body):
        found, _, problem = self.operation(method, rel)
        if problem:
            return []
        (template, op) = found
        declared = op.get("responses", {}).get(str(status))
        if not declared or not declared.get("content"):
            return []
        media = (content_type or "").split(";")[0].strip().lower()
        if media not in declared["content"]:
            return [
                f"response content type {content_type!r} is not one of "
                f"{sorted(declared['content'])}"
            ]
        return self._validate(
            body, declared["content"][media]["schema"], f"response {status} body", relaxed=True
        )

    def check_exchange(self, request, rel, raw, parsed, ok, response) -> list[str]:
        try:
            errs = self.check_request(
                request.method,
                rel,
                list(request.args.items(multi=True)),
                dict(request.headers),
                request.content_type,
                raw,
                parsed,
                ok,
            )
            if response is not None:  # None: a fault answered instead of the simulator
                errs += self.check_response(
                    request.method,
                    rel,
                    response.status_code,
                    response.content_type,
                    getattr(response, "sim_body", None),
                )
        except Exception as exc:  # a checker bug must show up in the log, not break the server
            errs = [f"contract checker failed: {exc!r}"]
        return errs
