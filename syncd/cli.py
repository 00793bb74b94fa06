"""The `syncd` command line.

Exit codes (also in the README):
  0  success
  1  a job failed, or `syncd health` found the daemon unhealthy
  2  bad configuration or usage: every problem is listed, nothing is started
  3  a vendor host could not be reached
  4  a vendor rejected the credentials
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import click
import structlog

from syncd import __version__
from syncd.errors import ConfigError

EXIT_CONFIG = 2

log = structlog.get_logger(__name__)


def _fail_config(exc: ConfigError) -> NoReturn:
    click.echo(f"syncd: {exc}", err=True)
    for problem in getattr(exc, "problems", None) or ():
        click.echo(f"  - {problem}", err=True)
    sys.exit(EXIT_CONFIG)


def _remember(key: str) -> Any:
    def callback(ctx: click.Context, _param: click.Parameter, value: Path | None) -> None:
        if value is not None:
            ctx.find_root().ensure_object(dict)[key] = value
    return callback


def _config_params() -> list[click.Option]:
    return [
        click.Option(["--config", "-c"], type=click.Path(path_type=Path), expose_value=False,
                     callback=_remember("config"), help="TOML config file (as the global option)."),
        click.Option(["--secrets"], type=click.Path(path_type=Path), expose_value=False,
                     callback=_remember("secrets"), help="dotenv secrets file (as the global option)."),
    ]


def config_options(fn: Any) -> Any:
    """Accept --config/--secrets after the subcommand too (`syncd check --config FILE`)."""
    for option in reversed(_config_params()):
        click.decorators._param_memo(fn, option)
    return fn


def _with_config_options(command: click.Command) -> click.Command:
    """Give every leaf command of a (sub)group the --config/--secrets options."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _with_config_options(sub)
    elif not any(p.name == "config" for p in command.params):
        command.params.extend(_config_params())
    return command


def settings_or_exit(obj: dict[str, Any] | None) -> Any:
    """Load settings named by the CLI options (or the environment); on any problem list them all, exit 2."""
    from syncd.settings import load_settings

    obj = obj or {}
    try:
        return load_settings(obj.get("config"), secrets_file=obj.get("secrets"))
    except ConfigError as exc:
        _fail_config(exc)



def _setup_logging(obj: dict[str, Any], settings: Any) -> None:
    from syncd.logging import configure_logging

    configure_logging(obj.get("log_format") or settings.log.format, settings.log.level)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="syncd")
@click.option("--config", "-c", type=click.Path(path_type=Path), envvar="SYNCD_CONFIG",
              help="TOML config file (default: $SYNCD_CONFIG; without one, defaults and environment only).")
@click.option("--secrets", type=click.Path(path_type=Path), envvar="SYNCD_SECRETS_FILE",
              help="dotenv file with SYNCD_<SECTION>__<KEY>=secret lines (default: $SYNCD_SECRETS_FILE).")
@click.option("--log-format", type=click.Choice(["auto", "json", "console"]), default=None,
              help="override [log] format.")
@click.pass_context
def cli(ctx: click.Context, config: Path | None, secrets: Path | None, log_format: str | None) -> None:
    """syncd keeps an MSP's service desk honest."""
    ctx.obj = {"config": config, "secrets": secrets, "log_format": log_format}


@cli.command()
@config_options
@click.pass_obj
def check(obj: dict[str, Any]) -> None:
    """Validate the configuration (and rules); list every problem; exit 2 on any."""
    settings = settings_or_exit(obj)
    from syncd.runtime import check_everything

    try:
        summary = check_everything(settings)
    except ConfigError as exc:
        _fail_config(exc)
    click.echo(f"ok: {summary}")


@cli.command()
@config_options
@click.pass_obj
def run(obj: dict[str, Any]) -> None:
    """Run the daemon until SIGTERM or SIGINT."""
    settings = settings_or_exit(obj)
    _setup_logging(obj, settings)
    from syncd.jobs.scheduler import run_forever
    from syncd.metrics import serve_metrics
    from syncd.runtime import open_runtime

    with open_runtime(settings, daemon=True) as runtime, serve_metrics(runtime, settings.metrics):
        sys.exit(run_forever(runtime.ctx, runtime.jobs))


@cli.command()
@click.argument("jobs", nargs=-1)
@config_options
@click.pass_obj
def once(obj: dict[str, Any], jobs: tuple[str, ...]) -> None:
    """Run every job (or the named JOBS, e.g. poll:connectwise.tickets) once, then exit."""
    settings = settings_or_exit(obj)
    _setup_logging(obj, settings)
    from syncd.runtime import open_runtime, run_once

    with open_runtime(settings) as runtime:
        try:
            code = run_once(runtime, list(jobs))
        except ConfigError as exc:
            _fail_config(exc)
    sys.exit(code)


@cli.command()
@config_options
@click.pass_obj
def health(obj: dict[str, Any]) -> None:
    """Exit 0 when the daemon finished a job recently and no connector is failing; else 1."""
    settings = settings_or_exit(obj)
    from syncd.runtime import health_report

    healthy, lines = health_report(settings)
    for line in lines:
        click.echo(line)
    sys.exit(0 if healthy else 1)


@cli.command()
@click.option("--world", type=click.Path(path_type=Path), default=Path(".syncd/sandbox/world.db"),
              show_default=True, help="world file; generated when missing.")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--size", default="small", show_default=True, help="tiny, small, medium, large or a ticket count.")
@click.option("--out", type=click.Path(path_type=Path), default=Path(".syncd/sandbox"), show_default=True,
              help="where sandbox.toml and sandbox.secrets.env are written.")
@click.option("--vendor", "vendors", multiple=True, help="simulate only these vendors (default: all).")
def sandbox(world: Path, seed: int, size: str, out: Path, vendors: tuple[str, ...]) -> None:
    """Serve loopback simulators of the vendor APIs over a generated MSP world until stopped."""
    from syncd.logging import configure_logging
    from syncd.sandbox.controller import run_forever

    configure_logging("console", "info")
    size_value: str | int = int(size) if size.isdigit() else size
    run_forever(world, seed=seed, size=size_value, vendors=list(vendors) or None, out_dir=out, ports=None)


def _register_subcommands() -> None:
    """The commands other packages provide, registered explicitly (no discovery)."""
    from syncd.demo import demo
    from syncd.digests.cli import digest, silence
    from syncd.identity.cli import matches
    from syncd.rules.cli import plan_command, rules_group

    for command in (plan_command, rules_group, matches, digest, silence):
        cli.add_command(_with_config_options(command))
    cli.add_command(demo)  # writes and uses its own sandbox config


_register_subcommands()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="syncd")
