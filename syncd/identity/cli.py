"""`syncd matches`: the identity review queue; list candidates with their evidence, accept, reject or pin them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from syncd.identity.review import format_row, queue_rows
from syncd.identity.settings import IdentitySettings

KINDS = ("machine", "company", "ticket")


def _context(obj: dict[str, Any]) -> tuple[Any, IdentitySettings]:
    """The state store and identity settings, from the main CLI's --config (or a test's injected obj)."""
    if "state" in obj:
        return obj["state"], obj.get("identity", IdentitySettings())
    from syncd.cli import settings_or_exit
    from syncd.state import SqliteStateStore

    settings = settings_or_exit(obj)
    return SqliteStateStore(settings.state.path, recover_interrupted=False), settings.identity


def kind_of(left: str, right: str) -> str:
    """What a pair of record refs is a candidate link of: ticket, company or machine."""
    sources = {left.partition(":")[0].rpartition(".")[2], right.partition(":")[0].rpartition(".")[2]}
    if "tickets" in sources:
        return "ticket"
    return "company" if sources == {"companies"} else "machine"


@click.group("matches")
def matches() -> None:
    """Identity review queue: ambiguous and low-confidence links are never acted on until decided here."""


@matches.command("list")
@click.option("--kind", type=click.Choice(KINDS), help="only this kind of candidate.")
@click.option("--json", "as_json", is_flag=True, help="one JSON object per line.")
@click.pass_obj
def list_matches(obj: dict[str, Any], kind: str | None, as_json: bool) -> None:
    """List candidates waiting for a decision, and links the evidence no longer supports, with their evidence."""
    from syncd.identity.store import resolve_from_store

    state, settings = _context(obj or {})
    result = resolve_from_store(state, settings, persist=False)
    for row in queue_rows(result.review, result.lost, kind):
        click.echo(json.dumps(row, sort_keys=True) if as_json else format_row(row))


def _decide(decision: str) -> Callable[..., None]:
    @click.argument("left")
    @click.argument("right")
    @click.option("--author", required=True, help="who decided (kept with the decision).")
    @click.option("--reason", default="", help="why, for the next person.")
    @click.option("--kind", type=click.Choice(KINDS), help="default: inferred from the refs.")
    @click.pass_obj
    def command(obj: dict[str, Any], left: str, right: str, *, author: str, reason: str, kind: str | None) -> None:
        state, _ = _context(obj or {})
        for value in (left, right):
            if ":" not in value or "." not in value.partition(":")[0]:
                raise click.BadParameter(f"{value!r} is not a record ref like connectwise.configurations:812")
        chosen = kind or kind_of(left, right)
        state.decide_match(chosen, left, right, decision, author=author, at=datetime.now(UTC), reason=reason)
        click.echo(f"{decision}ed {chosen} {left} <-> {right} by {author}")

    command.__doc__ = {
        "accept": "Accept a candidate link; it is acted on from the next pass on.",
        "reject": "Reject a candidate link; it is never made or offered again.",
        "pin": "Pin a link: acted on whatever the evidence says later.",
    }[decision]
    return command


for _name in ("accept", "reject", "pin"):
    matches.command(_name)(_decide(_name))
