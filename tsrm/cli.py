"""The ``tsrm`` command line."""

from __future__ import annotations

import argparse
import sys
import warnings

import tsrm
from tsrm.forecasting.cli import add_parsers as add_forecast_parsers
from tsrm.puzzles.cli import add_parser as add_puzzles_parser


def _demo(args: argparse.Namespace) -> int:
    from tsrm.forecasting.demo import format_table, run_demo

    print(
        f"tsrm {tsrm.__version__} demo: monthly Mauna Loa CO2 (statsmodels' copy, no download);"
        f" the last {args.horizon} months held out.",
        flush=True,
    )
    table = run_demo(
        horizon=args.horizon, max_epochs=args.max_epochs, seed=args.seed, verbose=args.verbose
    )
    print(format_table(table))
    print("MAE in ppm; MASE against the in-sample seasonal naive (m=12); lower is better.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tsrm", description="Tiny Recursive Models for forecasting."
    )
    parser.add_argument("--version", action="version", version=f"tsrm {tsrm.__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="fit TS-TRM, seasonal naive and ARIMA on a real series and print a comparison table",
    )
    demo.add_argument("--horizon", type=int, default=24, help="months to forecast (default 24)")
    demo.add_argument(
        "--max-epochs", type=int, default=None, help="TS-TRM epochs (default: its default)"
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--verbose", action="store_true", help="show training progress")
    demo.set_defaults(func=_demo)
    add_forecast_parsers(sub)
    add_puzzles_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return args.func(args)
    # tsrm's input errors (ValueError subclasses), missing or unwritable files
    except (ValueError, TypeError, OSError) as err:
        print(f"tsrm: error: {_one_line(err)}", file=sys.stderr)
        return 2


def _show_warning(message: Warning | str, category: type[Warning], *_: object) -> None:
    """A warning as one ``tsrm: warning:`` line, without the library's source line."""
    print(f"tsrm: warning: {' '.join(str(message).split())}", file=sys.stderr)


def _one_line(err: BaseException) -> str:
    """The error message on one line (some name a path and a fix on separate lines)."""
    text = " ".join(str(err).split())
    if isinstance(err, OSError) and err.filename is not None and err.strerror:
        text = f"{err.strerror}: {err.filename}"  # e.g. "Permission denied: out/model"
    return text or type(err).__name__


if __name__ == "__main__":
    sys.exit(main())
