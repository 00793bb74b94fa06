"""`syncd digest preview NAME` and `syncd silence add|list|expire` (registered by syncd.cli)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from syncd.durations import format_duration, parse_duration


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def open_digest_state(obj: dict[str, Any]) -> Iterator[tuple[Any, Any, Any]]:
    """Yield (digest settings, state store, silence store) from the CLI's --config."""
    from syncd.cli import settings_or_exit
    from syncd.state import SqliteStateStore

    settings = settings_or_exit(obj)
    settings.state.path.parent.mkdir(parents=True, exist_ok=True)
    state = SqliteStateStore(settings.state.path, recover_interrupted=False)
    try:
        yield settings.digests, state, state
    finally:
        state.close()


def _opener(obj: dict[str, Any]) -> Any:
    """The state opener: tests put their own under obj['digest_state']."""
    return obj.get("digest_state") or open_digest_state(obj)


@click.group()
def digest() -> None:
    """Digests: preview what would be sent."""


@digest.command()
@click.argument("name")
@click.option("--out", type=click.Path(path_type=Path), default=Path(".syncd/preview"), show_default=True,
              help="directory for NAME.html and NAME.txt")
@click.pass_obj
def preview(obj: dict[str, Any], name: str, out: Path) -> None:
    """Render digest NAME from the current findings to files; send nothing, mark nothing."""
    from syncd.digests.preview import preview_digests, write_previews

    with _opener(obj) as (settings, state, silences):
        if name not in settings.digest_names():
            raise click.BadParameter(f"unknown digest {name!r}; known: {', '.join(settings.digest_names())}",
                                     param_hint="NAME")
        digests = preview_digests(settings, state, silences, name, obj.get("now") or _now())
        for path in write_previews(digests, out):
            click.echo(str(path))


@click.group()
def silence() -> None:
    """Silences: mute matching findings in digests until they expire."""


@silence.command("add")
@click.option("--matcher", "-m", "matchers", multiple=True, required=True,
              help='label matcher, repeatable: company=Acme, priority=~"P[34]", board!=Projects')
@click.option("--duration", "-d", default="4h", show_default=True, help="how long, e.g. 30m, 4h, 2d")
@click.option("--author", "-a", required=True, help="who is muting (kept with the silence)")
@click.option("--reason", "-r", required=True, help="why (kept with the silence)")
@click.pass_obj
def silence_add(obj: dict[str, Any], matchers: tuple[str, ...], duration: str, author: str, reason: str) -> None:
    """Add a silence and print its id."""
    from syncd.digests.silences import create_silence

    try:
        length = parse_duration(duration)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--duration") from None
    with _opener(obj) as (_settings, _state, silences):
        try:
            made = create_silence(silences, matchers=list(matchers), duration=length, author=author,
                                  reason=reason, now=obj.get("now") or _now())
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"silence {made.id} until {made.ends_at.isoformat(timespec='minutes')}")


@silence.command("list")
@click.option("--all", "show_all", is_flag=True, help="include expired silences")
@click.pass_obj
def silence_list(obj: dict[str, Any], show_all: bool) -> None:
    """List active silences (or all)."""
    now = obj.get("now") or _now()
    with _opener(obj) as (_settings, _state, silences):
        rows = silences.silences(active_at=None if show_all else now)
    if not rows:
        click.echo("no silences" if show_all else "no active silences")
    for s in rows:
        state = "active" if s.is_active(now) else ("pending" if s.starts_at > now else "expired")
        left = format_duration(max(s.ends_at - now, timedelta(0)))
        click.echo(f"{s.id}\t{state}\t{left} left\t{' '.join(s.matchers)}\t{s.author}: {s.reason}")


@silence.command("expire")
@click.argument("silence_id", type=int)
@click.pass_obj
def silence_expire(obj: dict[str, Any], silence_id: int) -> None:
    """End a silence now."""
    with _opener(obj) as (_settings, _state, silences):
        ended = silences.expire_silence(silence_id, obj.get("now") or _now())
    if ended is None:
        raise click.ClickException(f"no silence with id {silence_id}")
    click.echo(f"silence {silence_id} expired")
