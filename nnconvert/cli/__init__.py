"""The ``nnconvert`` command line.

Sub-commands: ``convert`` (export a model's network to .pt2/.onnx), ``verify`` (check the
network against the model on a data file), ``draw`` (a diagram of the network, or the gallery
of example diagrams), ``explain`` (the equivalence as formulas) and ``demo``.

Models are read with :func:`nnconvert.loading.load_model`: ``.skops`` files safely, pickle and
joblib files only with ``--trust``. Every expected failure ends in one line on stderr starting
``nnconvert: error:`` and a non-zero exit status, never in a traceback:

* 0: success (``verify``: the network agrees with the model);
* 1: ``verify`` found disagreements;
* 2: bad usage, or a model or data file that cannot be used;
* 3: an unexpected internal error (``--traceback`` shows where);
* 4: the environment cannot do what was asked: an optional package is missing or too old
  (the message names the versions needed).
"""

from __future__ import annotations

import sys

from .commands import EXIT_ENVIRONMENT, EXIT_INTERNAL, EXIT_USAGE
from .errors import CommandError
from .parser import build_parser

__all__ = ["main", "build_parser", "CommandError"]


def _expected_errors() -> tuple[type[BaseException], ...]:
    from ..errors import ConversionError, NotFittedError
    from ..export import ExportError
    from ..loading import ModelLoadError

    # OSError: a file that cannot be written (permissions, full disk) is the user's to fix
    return (CommandError, ModelLoadError, ConversionError, NotFittedError, ExportError, OSError)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        print("nnconvert: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the command line's one place for errors
        from ..errors import DependencyError

        if isinstance(e, DependencyError):
            print(f"nnconvert: error: {_one_line(e)}", file=sys.stderr)
            return EXIT_ENVIRONMENT
        if isinstance(e, _expected_errors()):
            print(f"nnconvert: error: {_one_line(e)}", file=sys.stderr)
            return EXIT_USAGE
        if args.traceback:
            raise
        print(f"nnconvert: error: unexpected {type(e).__name__}: {_one_line(e)} "
              "(rerun with --traceback and report it)", file=sys.stderr)
        return EXIT_INTERNAL


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
