"""The route tree: which receiver and digest a finding goes to, and with which timing.

Matching follows Alertmanager: a finding enters at the root, descends into the first child
whose matchers accept it (and further siblings too when that child says `continue`), and is
delivered by the deepest routes that matched; when no child matches, the node itself takes it.
Unset options (receiver, digest, group_by, the three intervals, windows) come from the parent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import timedelta

from syncd.digests.matchers import Matcher, matches_all, parse_matchers
from syncd.digests.settings import RouteSettings

ROOT_DEFAULTS = {
    "digest": "findings",
    "group_by": ("category",),
    "group_wait": timedelta(seconds=30),
    "group_interval": timedelta(minutes=5),
    "repeat_interval": timedelta(hours=4),
    "active_windows": (),
}
GROUP_BY_ALL = "..."  # Alertmanager's "group by every label": one group per label set


@dataclass(frozen=True, slots=True)
class Route:
    """A route with every inherited option filled in."""

    id: str
    receiver: str
    digest: str
    matchers: tuple[Matcher, ...]
    continue_: bool
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    active_windows: tuple[str, ...]
    routes: tuple[Route, ...] = ()

    def group_labels(self, labels: Mapping[str, str]) -> dict[str, str]:
        """The labels that name this finding's group on this route (missing ones are empty)."""
        if GROUP_BY_ALL in self.group_by:
            return dict(sorted(labels.items()))
        return {name: labels.get(name, "") for name in self.group_by}

    def group_key(self, labels: Mapping[str, str]) -> str:
        """A stable key for the group, e.g. `0.1:{company="Acme",category="sla"}`."""
        parts = ",".join(f'{k}="{v}"' for k, v in self.group_labels(labels).items())
        return f"{self.id}:{{{parts}}}"


def build_route_tree(settings: RouteSettings) -> Route:
    """Resolve the configured tree into Routes with inherited options."""
    parent = Route("0", settings.receiver or "", **ROOT_DEFAULTS,  # type: ignore[arg-type]
                   matchers=(), continue_=False)
    return _resolve(settings, parent, "0")


def _resolve(node: RouteSettings, parent: Route, route_id: str) -> Route:
    """Fill one node from its parent, then its children from it."""
    route = Route(
        id=route_id,
        receiver=node.receiver or parent.receiver,
        digest=node.digest or parent.digest,
        matchers=parse_matchers(node.matchers),
        continue_=node.continue_,
        group_by=tuple(node.group_by) if node.group_by is not None else parent.group_by,
        group_wait=_pick(node.group_wait, parent.group_wait),
        group_interval=_pick(node.group_interval, parent.group_interval),
        repeat_interval=_pick(node.repeat_interval, parent.repeat_interval),
        active_windows=tuple(node.active_windows) if node.active_windows is not None else parent.active_windows,
    )
    children = tuple(_resolve(child, route, f"{route_id}.{i}") for i, child in enumerate(node.routes))
    return replace(route, routes=children)


def _pick(value: timedelta | None, inherited: timedelta) -> timedelta:
    return inherited if value is None else value


def match_routes(route: Route, labels: Mapping[str, str]) -> list[Route]:
    """Return the routes that take a finding with these labels (empty if the root does not match)."""
    if not matches_all(route.matchers, labels):
        return []
    found: list[Route] = []
    for child in route.routes:
        matched = match_routes(child, labels)
        found += matched
        if matched and not child.continue_:
            break
    return found or [route]
