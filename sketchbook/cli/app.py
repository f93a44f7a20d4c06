"""The command-line app itself: one-line usage errors, the version option, and `fail` for our own errors."""

# No `from __future__ import annotations` here: typer reads every command's signature at each start,
# and a string annotation costs an eval apiece (5 ms of `sketchbook develop`).
import gc
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from sketchbook import __version__


class _OneLineErrors(TyperGroup):
    """Usage mistakes (an unknown option, a value of the wrong type) get one line and exit 2, like ours."""

    def main(
        self, args: Sequence[str] | None = None, prog_name: str | None = None, complete_var: str | None = None,
        standalone_mode: bool = True, windows_expand_args: bool = True, **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, windows_expand_args, **extra)
        from click.exceptions import ClickException

        from sketchbook.limits import EXIT_INTERRUPTED, Terminated, catch_termination

        catch_termination()  # SIGTERM unwinds like Ctrl-C, so half-written files are removed on the way out
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except Terminated as exc:
            sys.exit(exc.exit_code)
        except ClickException as exc:
            if type(exc).__name__ == "NoArgsIsHelpError":  # bare `sketchbook`: the help is the answer
                typer.echo(exc.format_message())
                sys.exit(exc.exit_code)
            from sketchbook.cli.usage import usage_line

            fail(usage_line(exc, list(sys.argv[1:] if args is None else args)))
            sys.exit(exc.exit_code)
        except typer.Abort as exc:  # click's answer to Ctrl-C: exit as shells expect after SIGINT
            sys.exit(EXIT_INTERRUPTED if isinstance(exc.__context__, KeyboardInterrupt) else 1)
        except BrokenPipeError:
            # `sketchbook motifs | head -1`: the reader left; say nothing more and stop quietly.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - flushing at exit must not fail again
            sys.exit(1)
        # The work is written and flushed. Freezing the heap spares the interpreter's last collection
        # from walking every object only to free them with the process (a tenth of a develop's time).
        gc.freeze()
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=_OneLineErrors,
    name="sketchbook",
    help="Develop a short seed motif into two piano pieces, 'beach' and 'photograph'.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain help: rich's help renderer imports markdown, pygments and tracebacks, tripling start-up.
    rich_markup_mode=None,
)


def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def fail(message: str) -> typer.Exit:
    """Print one line on stderr and give the exit that the caller raises (code 2)."""
    from rich.markup import escape

    err_console().print(f"[bold red]error:[/] {escape(message)}", markup=True)
    return typer.Exit(code=2)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sketchbook {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = None,
) -> None:
    """Develop a short seed motif into two piano pieces, 'beach' and 'photograph'.

    Example: sketchbook develop tide --seed 3
    """
