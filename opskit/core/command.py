"""The CLI contract shared by every command: common options, config defaults, output and exit codes.

Commands stay thin: they declare options, call one function that returns a Report, and hand it
to ``emit``. Errors raised as OpskitError become one line on stderr and a documented exit code.
"""

from __future__ import annotations

import functools
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from click.core import ParameterSource

from opskit.core.atomic import atomic_write
from opskit.core.config import Config, discover_config, load_config
from opskit.core.errors import ConfigError, ExitCode, OpskitError
from opskit.core.findings import Report, Severity
from opskit.core.progress import color_allowed, in_ci, interactive, no_color_flag
from opskit.core.redact import mask_dsn
from opskit.core.render import Renderer, get_renderer
from opskit.core.render.interface import FORMATS

F = TypeVar("F", bound=Callable[..., Any])

SEVERITY_CHOICE = click.Choice([s.value for s in Severity], case_sensitive=False)


@dataclass(frozen=True)
class Output:
    """How a command reports: format, destination, threshold, verbosity and color."""

    fmt: str = "text"
    path: Path | None = None
    fail_on: Severity | None = None
    quiet: bool = False
    verbose: int = 0
    color: bool = False

    @property
    def show_progress(self) -> bool:
        """Progress only for a person: text output, not -q, on a terminal outside CI."""
        return self.fmt == "text" and not self.quiet and interactive()

    def info(self, message: str) -> None:
        """A status line on stderr for a person ("N distinct statements"): hidden by -q, in CI and
        for JSON or SARIF."""
        if not self.quiet and self.fmt == "text" and not in_ci():
            click.echo(mask_dsn(message), err=True)

    def log(self, message: str) -> None:
        """A line of a long job's log (a deploy's build, plan and verify; gate rounds), which CI
        keeps: hidden by -q, and when JSON or SARIF goes to stdout without ``-o``."""
        if not self.quiet and (self.fmt == "text" or self.path is not None):
            click.echo(mask_dsn(message), err=True)

    def detail(self, message: str) -> None:
        """Shown with -v only."""
        if self.verbose > 0 and not self.quiet:
            click.echo(mask_dsn(message), err=True)


def emit(report: Report, out: Output, text_renderer: Callable[..., Renderer] | None = None) -> int:
    """Render ``report`` to stdout or atomically to ``--output``; return the exit code.

    ``text_renderer`` (called with ``color`` and ``verbose``) lets a command show its own text
    view, such as a table of checks, instead of the shared text format.
    """
    color = out.color and out.path is None
    if out.fmt == "text" and text_renderer is not None:
        renderer = text_renderer(color=color, verbose=out.verbose)
    else:
        renderer = get_renderer(out.fmt, color=color, verbose=out.verbose)
    text = renderer.render(report)
    if out.path is not None:
        atomic_write(out.path, text)
        out.info(f"report written to {out.path}")
    else:
        click.echo(text, nl=False)
    return int(ExitCode.FINDINGS if report.fails(out.fail_on) else ExitCode.CLEAN)


def _command_path(ctx: click.Context) -> tuple[str, ...]:
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return tuple(reversed(names))


def _options(command: click.Command) -> dict[str, click.Option]:
    """A command's options that config may set, by long flag name."""
    return {
        param.name.replace("_", "-"): param
        for param in command.params
        if isinstance(param, click.Option) and param.name and param.name != "config_file"
    }


def _config_schema(ctx: click.Context) -> Callable[[tuple[str, ...]], tuple[frozenset[str], frozenset[str]] | None]:
    """For ``Config.check_keys``: the options in a command's subtree and its subcommands' names."""
    root_ctx = ctx.find_root()

    def lookup(path: tuple[str, ...]) -> click.Command | None:
        command: click.Command | None = root_ctx.command
        for name in path:
            if not isinstance(command, click.Group):
                return None
            command = command.get_command(root_ctx, name)
        return command

    def subtree(command: click.Command) -> frozenset[str]:
        names = set(_options(command))
        if isinstance(command, click.Group):
            for name in command.list_commands(root_ctx):
                sub = command.get_command(root_ctx, name)
                names |= subtree(sub) if sub is not None else set()
        return frozenset(names)

    def known(path: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]] | None:
        command = lookup(path)
        if command is None:
            return None
        children = frozenset(command.list_commands(root_ctx)) if isinstance(command, click.Group) else frozenset()
        return subtree(command), children

    return known


def _apply_config(ctx: click.Context, config: Config, kwargs: dict[str, Any]) -> None:
    """Fill options the user did not give on the command line from the config section.

    Keys of a group's table that this command lacks are for its siblings (checked by ``check_keys``).
    """
    if config.source is not None:
        config.check_keys(_config_schema(ctx))
    by_flag = _options(ctx.command)
    for key, value in config.section(_command_path(ctx)).items():
        option = by_flag.get(key.replace("_", "-"))
        if option is None:
            continue
        assert option.name is not None
        if ctx.get_parameter_source(option.name) not in (ParameterSource.DEFAULT, None):
            continue
        if isinstance(option.type, click.Path) and isinstance(value, str) and config.source is not None:
            value = str(config.source.parent / value)  # a path in a config file is relative to that file
        try:
            kwargs[option.name] = option.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise ConfigError(f"{config.source}: {key}: {exc.message}") from None


def opskit_command(
    *,
    findings: bool = True,
    config_from: str | None = None,
    formats: tuple[str, ...] = FORMATS,
    fail_on: bool = True,
) -> Callable[[F], F]:
    """Add the shared options to a click command and pass it an ``out: Output``.

    ``findings`` adds ``--format/--output/--fail-on``; ``config_from`` names a path parameter
    whose location is where config discovery starts (defaults to the current directory).
    ``fail_on=False`` leaves out ``--fail-on`` (commands that report state, not findings).
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            config_file = kwargs.pop("config_file")
            start = kwargs.get(config_from) if config_from else None
            if isinstance(start, (list, tuple)):
                start = start[0] if start else None
            start_path = Path(start) if start and str(start) != "-" else Path.cwd()
            config = load_config(config_file) if config_file else discover_config(start_path)
            _apply_config(ctx, config, kwargs)
            fmt = kwargs.pop("fmt", "text")
            output = kwargs.pop("output", None)
            fail_on = kwargs.pop("fail_on", None)
            root = ctx.find_root().params
            no_color = kwargs.pop("no_color") or root.get("no_color", False)
            quiet = kwargs.pop("quiet") or root.get("quiet", False)
            verbose = kwargs.pop("verbose") + root.get("verbose", 0)
            kwargs["out"] = Output(
                fmt=fmt,
                path=output,
                fail_on=Severity.parse(fail_on) if fail_on else None,
                quiet=quiet,
                verbose=verbose,
                color=color_allowed(no_color) and sys.stdout.isatty(),
            )
            with no_color_flag(no_color):
                return func(*args, **kwargs)

        options = [
            click.option("-q", "--quiet", is_flag=True, help="Only errors and the report itself."),
            click.option("-v", "--verbose", count=True, help="More detail (repeatable)."),
            click.option("--no-color", is_flag=True, help="Never color output."),
            click.option(
                "--config",
                "config_file",
                type=click.Path(dir_okay=False, path_type=Path),
                help="Config file (opskit.toml or pyproject.toml); default: discovered.",
            ),
        ]
        if findings:
            options += [
                click.option(
                    "--format",
                    "fmt",
                    type=click.Choice(list(formats)),
                    default="text",
                    show_default=True,
                    help="Output format.",
                ),
                click.option(
                    "-o",
                    "--output",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Write the report to FILE (atomically) instead of stdout.",
                ),
            ]
            if fail_on:
                options.append(
                    click.option(
                        "--fail-on",
                        type=SEVERITY_CHOICE,
                        default=None,
                        help="Exit 1 when a finding is at or above this severity.",
                    )
                )
        decorated: Any = wrapper
        for option in reversed(options):
            decorated = option(decorated)
        return decorated

    return decorate


class OpskitGroup(click.Group):
    """The root group: turns every error into one line on stderr and a documented exit code."""

    def main(self, args: Any = None, prog_name: str | None = None, **extra: Any) -> Any:  # type: ignore[override]
        argv = list(sys.argv[1:] if args is None else args)
        # --debug is accepted anywhere before a "--": it only decides how errors are shown.
        end = argv.index("--") if "--" in argv else len(argv)
        debug = "--debug" in argv[:end]
        argv = [arg for arg in argv[:end] if arg != "--debug"] + argv[end:]
        try:
            rv = super().main(argv, prog_name=prog_name or "opskit", standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx else str(exc), err=True)
            sys.exit(ExitCode.USAGE)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
            click.echo(f"opskit: error: {exc.format_message()}{hint}", err=True)
            sys.exit(ExitCode.USAGE)
        except click.ClickException as exc:
            click.echo(f"opskit: error: {exc.format_message()}", err=True)
            sys.exit(ExitCode.USAGE)
        except click.exceptions.Abort:
            click.echo("opskit: aborted", err=True)
            sys.exit(130)
        except OpskitError as exc:
            if debug:
                traceback.print_exc()
            click.echo(f"opskit: error: {mask_dsn(exc.message)}", err=True)
            sys.exit(exc.exit_code)
        except BrokenPipeError:
            sys.exit(ExitCode.CLEAN)
        except Exception as exc:  # a bug: still one line unless --debug
            if debug:
                traceback.print_exc()
            click.echo(
                f"opskit: internal error: {type(exc).__name__}: {mask_dsn(str(exc))} (rerun with --debug)",
                err=True,
            )
            sys.exit(ExitCode.INTERNAL)
        sys.exit(rv if isinstance(rv, int) else ExitCode.CLEAN)
