"""Route table of the simulated API: templates match without regard to case (as ASP.NET routes
do), and literal paths win over `{id}` templates."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass
class Result:
    status: int
    body: Any = None
    total: int | None = None  # set on list endpoints: becomes X-Total-Count


@dataclass
class Ctx:
    state: Any
    principal: Any
    params: Any
    body: Any = None
    faults: Any = None  # the FaultTable (hide_history rules)
    entry: dict | None = None  # this request's log entry


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Callable[..., Result]
    permission: str


@functools.lru_cache(maxsize=64)
def template_regex(template: str) -> re.Pattern:
    parts = []
    for part in template.strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            parts.append(f"(?P<{part[1:-1]}>[^/]+)")
        else:
            parts.append(re.escape(part))
    return re.compile("^/" + "/".join(parts) + "/?$", re.IGNORECASE)


def match_template(templates: list[str], path: str) -> tuple[str, dict] | None:
    """The best template for `path`: most literal segments first, so Aliases beats {id}."""
    ranked = sorted(
        templates, key=lambda t: -sum(1 for p in t.split("/") if p and not p.startswith("{"))
    )
    for template in ranked:
        m = template_regex(template).match(path)
        if m:
            return template, m.groupdict()
    return None


class Router:
    def __init__(self, routes: list[Route]):
        self.routes = routes

    def resolve(self, method: str, path: str):
        """Return (route, path_params), or (None, allowed_methods) when only the method differs."""
        found = match_template(sorted({r.template for r in self.routes}), path)
        if found is None:
            return None, []
        template, args = found
        allowed = [r for r in self.routes if r.template == template]
        for route in allowed:
            if route.method == method:
                return route, args
        return None, sorted(r.method for r in allowed)
