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
* 3: an unexpected internal error (``--traceback`` shows where).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import sys
import warnings
from pathlib import Path
from typing import Iterator

__all__ = ["main", "build_parser", "CommandError"]

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DATA_SUFFIXES = (".npy", ".csv")
#: rows read from a data file at a time (checking it, sending it to dask)
ROWS_PER_READ = 65536


class CommandError(Exception):
    """An expected failure: its message is printed after ``nnconvert: error:``."""


# -- helpers -------------------------------------------------------------------------------


def _progress_enabled() -> bool:
    return sys.stderr.isatty()


@contextlib.contextmanager
def _steps(total: int, enabled: bool) -> Iterator:
    """A tqdm bar over a few named steps on stderr; silent when stderr is not a terminal."""
    from tqdm import tqdm

    with tqdm(total=total, disable=not enabled, file=sys.stderr, leave=False,
              bar_format="{desc} {bar} {n_fmt}/{total_fmt}") as bar:
        begun = []

        def step(description: str) -> None:
            if begun:  # the previous step is done
                bar.update(1)
            begun.append(description)
            bar.set_description_str(description)

        yield step
        bar.update(total - bar.n)


def _dtype(name: str):
    import torch

    return {"float64": torch.float64, "float32": torch.float32}[name]


def _load(args: argparse.Namespace):
    from .loading import load_model

    return load_model(args.model, trust=args.trust, trusted_types=args.trust_type)


def _convert(estimator, args: argparse.Namespace):
    from .convert import convert

    return convert(estimator, dtype=_dtype(args.dtype), fuse=args.fuse)


def _summary(net) -> dict:
    from .export import metadata

    facts = metadata(net)
    keys = ("kind", "source", "classes", "n_outputs", "feature_names_out", "n_features_in",
            "dtype")
    return {key: facts[key] for key in keys if key in facts}


def _answers(net) -> str:
    """What the network answers, in a few words for a summary line."""
    if net.head.kind == "classifier":
        return f"classes {net.classes_.tolist()}"
    if net.head.kind == "regressor":
        return f"{net.n_outputs_} predicted value(s)"
    return f"{net.head.n_outputs} output features"


def _print_json(payload: dict) -> None:
    print(json.dumps(payload, indent=2, default=str))


def _read_csv(file: Path):
    """A .csv file of numbers; what numpy cannot read is said with 1-based lines and columns."""
    import re

    import numpy as np

    try:
        with warnings.catch_warnings():  # an empty file: said by the caller, in our words
            warnings.filterwarnings("ignore", message=".*input contained no data")
            return np.loadtxt(file, delimiter=",", ndmin=2, dtype=np.float64)
    except ValueError as e:
        # numpy counts rows from 0 here but columns from 1: say both from 1, as an editor does
        text = re.search(r"could not convert string (.*) to float64 at row (\d+), column (\d+)",
                         str(e))
        if text is None:
            raise
        value, line, column = text[1], int(text[2]) + 1, int(text[3])
        advice = ("; it looks like a header row: drop it, the file must hold numbers only"
                  if line == 1 else "")
        raise CommandError(
            f"{file}: line {line}, column {column} holds {value}, not a number{advice}"
        ) from None


def _load_data(path: str, n_features: int):
    """A 2-D finite float array with ``n_features`` columns from a .npy or .csv file."""
    import numpy as np

    file = Path(path)
    if not file.is_file():
        raise CommandError(f"no such data file: {file}")
    suffix = file.suffix.lower()
    if suffix not in DATA_SUFFIXES:
        raise CommandError(
            f"{file}: unknown data file type {suffix or '(no suffix)'!r}; give a .npy file "
            "(numpy.save) or a .csv file of numbers without a header"
        )
    try:
        if suffix == ".npy":
            # memory-mapped: verification reads it in batches, never all at once
            X = np.load(file, mmap_mode="r", allow_pickle=False)
        else:
            X = _read_csv(file)
    except (ValueError, OSError, EOFError) as e:
        raise CommandError(f"{file} is not a readable {suffix} array ({e})") from None
    if X.ndim != 2:
        raise CommandError(
            f"{file} holds an array of shape {X.shape}; expected a 2-D array "
            f"(rows × {n_features} features)"
        )
    if X.dtype.kind not in "fiub":
        raise CommandError(f"{file} holds {X.dtype} values; expected numbers")
    if X.shape[0] == 0:
        raise CommandError(f"{file} has no rows")
    if X.shape[1] != n_features:
        raise CommandError(
            f"{file} has {X.shape[1]} features per row, but the model expects {n_features}"
        )
    if X.dtype.kind == "f":
        for start in range(0, X.shape[0], ROWS_PER_READ):  # the file may be larger than RAM
            block = np.asarray(X[start:start + ROWS_PER_READ])
            if not np.isfinite(block).all():
                bad = start + int(np.argwhere(~np.isfinite(block))[0, 0])
                # a .npy row is an array index (from 0); a .csv row is a line of the file (from 1)
                where = f"row {bad}" if suffix == ".npy" else f"line {bad + 1}"
                raise CommandError(
                    f"{file} contains NaN or infinite values (first at {where}); "
                    "scikit-learn rejects them too: impute or drop those rows first"
                )
    return X


# -- sub-commands --------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    """argparse type: a finite number > 0 (else a usage error, exit 2)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _at_least_3(text: str) -> int:
    """argparse type for --max-units: first unit, '… N more', last unit."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 3:
        raise argparse.ArgumentTypeError(f"expected an integer of at least 3, got {text!r}")
    return value


def _output_path(name: str) -> Path:
    """``name`` as a file we may write (see :func:`~nnconvert.files.output_file`), checked
    before any work, not after it."""
    from .files import output_file

    try:
        return output_file(name)
    except ValueError as e:
        raise CommandError(str(e)) from None


def _cmd_convert(args: argparse.Namespace) -> int:
    from .export import EXPORT_FORMATS, export

    out = _output_path(args.output)
    if out.suffix.lower() not in EXPORT_FORMATS:
        raise CommandError(
            f"cannot tell the export format from {out.name!r}: use -o NAME.pt2 (torch.export) "
            "or -o NAME.onnx (ONNX)"
        )
    with _steps(3, _progress_enabled()) as step:
        step("loading model")
        estimator = _load(args)
        step("converting")
        net = _convert(estimator, args)
        step(f"exporting {out.name}")
        export(net, out)
    fmt = EXPORT_FORMATS[out.suffix.lower()]
    if args.json:
        _print_json({"output": str(out), "format": fmt, **_summary(net)})
    else:
        print(f"wrote {out} ({fmt}, {args.dtype}): {net.source}, "
              f"{net.n_features_in_} features, {_answers(net)}")
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from .agreement import default_rtol
    from .verify import verify

    estimator = _load(args)
    net = _convert(estimator, args)
    X = _load_data(args.data, net.n_features_in_)
    rtol = args.rtol if args.rtol is not None else default_rtol(net.dtype)
    with warnings.catch_warnings():
        if getattr(net, "feature_names_in_", None) is not None:
            # a data file has no column names: say so once, not once per batch and side
            print(f"nnconvert: note: {args.model} was fitted with feature names; the columns "
                  f"of {args.data} are taken in that order", file=sys.stderr)
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
        if args.scheduler:
            report = _verify_on_cluster(estimator, net, X, args.scheduler, rtol)
        else:
            report = verify(estimator, net, X, rtol=rtol, progress=_progress_enabled())
    if args.json:
        _print_json(report.to_dict())
    else:
        print(report)
    return EXIT_OK if report.passed else EXIT_DISAGREE


def _verify_on_cluster(estimator, net, X, address: str, rtol: float):
    try:
        import dask.array as da
        from dask.distributed import Client
    except ImportError:
        raise CommandError(
            "--scheduler needs dask.distributed: pip install 'nnconvert[dask]'"
        ) from None
    from .verify import verify

    try:
        client = Client(address, timeout="10s")
    except (OSError, TimeoutError, ValueError) as e:
        raise CommandError(f"cannot reach the dask scheduler at {address} ({e})") from None
    with client:  # verify() runs on the current client's workers
        rows = min(X.shape[0], ROWS_PER_READ)  # _load_data refused an empty file
        return verify(estimator, net, da.from_array(X, chunks=(rows, -1)), rtol=rtol,
                      progress=_progress_enabled())


def _cmd_draw(args: argparse.Namespace) -> int:
    if args.examples is not None:
        if args.model is not None or args.output is not None:
            raise CommandError("draw --examples DIR takes no MODEL and no -o")
        from .gallery import example_names, write_diagrams

        known = example_names()
        unknown = sorted(set(args.only) - set(known))
        if unknown:
            raise CommandError(f"no example called {', '.join(unknown)}; the examples are "
                               f"{', '.join(known)}")
        directory = Path(args.examples)
        paths = [str(p) for p in write_diagrams(directory, only=args.only or None)]
        if args.json:
            _print_json({"directory": str(directory), "written": paths})
        else:
            print(f"wrote {len(paths)} diagrams to {directory}")
            for p in paths:
                print(f"  {p}")
        return EXIT_OK
    if args.model is None or args.output is None:
        raise CommandError("draw needs MODEL and -o OUT.svg|.png|.pdf (or --examples DIR)")
    from .diagram import FORMATS, draw

    out = _output_path(args.output)
    if out.suffix.lower() not in FORMATS:
        raise CommandError(
            f"cannot tell the diagram format from {out.name!r}: use one of {', '.join(FORMATS)}"
        )
    net = _convert(_load(args), args)
    draw(net, max_units=args.max_units, weights=args.weights).save(out)
    if args.json:
        _print_json({"output": str(out), **_summary(net)})
    else:
        print(f"wrote {out}: {net.source}")
    return EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    net = _convert(_load(args), args)
    if args.json:
        _print_json({**_summary(net), "explanation": net.explain()})
    else:
        print(net.explain())
    return EXIT_OK


def _cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo

    return EXIT_OK if run_demo() else EXIT_DISAGREE


# -- the parser ----------------------------------------------------------------------------

_MODEL_HELP = (
    "fitted scikit-learn estimator (classifier, regressor or transformer): a .skops file "
    "(skops.io.dump), or a pickle/joblib file "
    "with --trust"
)

_LOADING_NOTE = """
loading models safely:
  A .skops file is read without unpickling; types skops does not trust by default are
  refused and listed, and each one you trust is named with --trust-type TYPE. A pickle or
  joblib file can run arbitrary code when opened, so it is read only with --trust.
"""

_EXAMPLES = {
    "convert": """
examples:
  nnconvert convert model.skops -o model.pt2       # torch.export; torch.export.load(...).module()
  nnconvert convert model.skops -o model.onnx      # ONNX (float64); run with onnxruntime
  nnconvert convert model.skops -o model.onnx --dtype float32 --fuse
  nnconvert convert model.joblib --trust -o model.pt2   # from a pickle you trust

The exported function maps x (n × n_features) to (scores, label_index): scores as
decision_function (predict_proba for models without one), label_index the position of
predict's label in classes_. The class labels are stored in the file as metadata.
""",
    "verify": """
examples:
  nnconvert verify model.skops --data X_test.npy
  nnconvert verify model.skops --data X_test.csv --json
  nnconvert verify model.skops --data big.npy --scheduler tcp://10.0.0.5:8786

exit status: 0 the network agrees with the model, 1 it disagrees, 2 a file cannot be used.
""",
    "draw": """
examples:
  nnconvert draw model.skops -o network.svg
  nnconvert draw model.skops -o network.png --weights
  nnconvert draw --examples diagrams/     # the gallery of example diagrams
  nnconvert draw --examples out/ --only NAME   # one of them
""",
    "explain": """
examples:
  nnconvert explain model.skops
  nnconvert explain model.skops --json
""",
    "demo": """
examples:
  nnconvert demo      # fits models on scikit-learn's datasets, converts, checks, explains,
                      # and draws each into ./demo-diagrams/
""",
}

_MAIN_EPILOG = """
examples (save the fitted model from Python with skops.io.dump(model, "model.skops")
and the rows to check with numpy.save("X_test.npy", X_test)):
  nnconvert explain model.skops
  nnconvert convert model.skops -o model.onnx
  nnconvert verify model.skops --data X_test.npy
  nnconvert draw model.skops -o model.svg

exit status: 0 success, 1 verification found disagreements, 2 bad usage or unusable file,
3 internal error. Run 'nnconvert COMMAND --help' for each command's options.
"""


def _add_model_arguments(parser: argparse.ArgumentParser, *, optional: bool = False) -> None:
    if optional:
        parser.add_argument("model", nargs="?", metavar="MODEL", help=_MODEL_HELP)
    else:
        parser.add_argument("model", metavar="MODEL", help=_MODEL_HELP)
    parser.add_argument(
        "--trust", action="store_true",
        help="trust the model file completely: unpickle pickle/joblib files (this can run "
             "arbitrary code) and accept every type in a .skops file",
    )
    parser.add_argument(
        "--trust-type", action="append", default=[], metavar="TYPE",
        help="accept this type from a .skops file (repeatable); the refusal message lists them",
    )
    parser.add_argument(
        "--dtype", choices=("float64", "float32"), default="float64",
        help="precision of the network (default float64: agrees with scikit-learn to rounding)",
    )
    parser.add_argument(
        "--fuse", action="store_true",
        help="fold the pipeline's scalers into the next layer's weights (one layer fewer; "
             "the same function up to rounding)",
    )


def _add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON, for scripts")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nnconvert`` command."""
    from . import __version__

    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="nnconvert",
        description="Turn fitted scikit-learn estimators into equivalent PyTorch networks.",
        epilog=_MAIN_EPILOG + _LOADING_NOTE,
        formatter_class=formatter,
    )
    parser.add_argument("--version", action="version", version=f"nnconvert {__version__}")
    parser.add_argument("--traceback", action="store_true",
                        help="show the full traceback of an unexpected error")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help: str, description: str) -> argparse.ArgumentParser:
        loading = _LOADING_NOTE if name != "demo" else ""
        return commands.add_parser(name, help=help, description=description,
                                   epilog=_EXAMPLES[name] + loading, formatter_class=formatter)

    convert = command(
        "convert", "export a model's network to .pt2 (torch.export) or .onnx",
        "Convert a fitted classifier and export its network; the suffix of OUT picks the format.",
    )
    _add_model_arguments(convert)
    convert.add_argument("-o", "--output", required=True, metavar="OUT",
                         help="output file: .pt2 or .onnx")
    _add_json(convert, "what was written")
    convert.set_defaults(run=_cmd_convert)

    verify = command(
        "verify", "check that the network agrees with the model on a data file",
        "Convert a fitted classifier and compare network and model on every row of a data "
        "file, in batches: scores to rounding, labels exactly (outside near-ties).",
    )
    _add_model_arguments(verify)
    verify.add_argument("--data", required=True, metavar="X",
                        help="rows to check: .npy (memory-mapped) or .csv of numbers only "
                             "(drop a header row)")
    verify.add_argument("--rtol", type=_positive_float, metavar="R",
                        help="allowed score difference relative to the score scale "
                             "(default 1e-9 for float64, 1e-4 for float32)")
    verify.add_argument("--scheduler", metavar="ADDRESS",
                        help="verify on a dask.distributed cluster at this scheduler address")
    _add_json(verify, "the verification report")
    verify.set_defaults(run=_cmd_verify)

    draw = command(
        "draw", "draw the network as a diagram (.svg, .png, .pdf, .dot)",
        "Draw a converted network as a graphviz diagram, or write the gallery of examples.",
    )
    _add_model_arguments(draw, optional=True)
    draw.add_argument("-o", "--output", metavar="OUT", help="diagram file: .svg, .png, .pdf, .dot")
    draw.add_argument("--examples", metavar="DIR",
                      help="instead of one model, write the example diagrams into DIR")
    draw.add_argument("--only", action="append", default=[], metavar="NAME",
                      help="with --examples: draw only this example (repeatable)")
    draw.add_argument("--max-units", type=_at_least_3, default=8, metavar="N",
                      help="most units drawn per layer, at least 3 (default 8)")
    draw.add_argument("--weights", action="store_true",
                      help="colour and size edges by their weights")
    _add_json(draw, "what was written")
    draw.set_defaults(run=_cmd_draw)

    explain = command(
        "explain", "print the network as formulas, layer by layer",
        "Print the equivalence between a fitted classifier and its network as formulas.",
    )
    _add_model_arguments(explain)
    _add_json(explain, "the explanation and the model's summary")
    explain.set_defaults(run=_cmd_explain)

    demo = command(
        "demo", "fit real models, convert them, verify agreement and explain them",
        "Fit models on datasets scikit-learn ships, convert them, check them, explain them.",
    )
    demo.set_defaults(run=_cmd_demo)
    return parser


def _expected_errors() -> tuple[type[BaseException], ...]:
    from .errors import ConversionError, NotFittedError
    from .export import ExportError
    from .loading import ModelLoadError

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
