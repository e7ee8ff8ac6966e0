"""The parser of the ``nnconvert`` command line: its help texts, examples and arguments."""

from __future__ import annotations

import argparse

from .commands import (
    _at_least_3,
    _cmd_convert,
    _cmd_demo,
    _cmd_draw,
    _cmd_explain,
    _cmd_verify,
    _positive_float,
)

__all__ = ["build_parser"]



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
ONNX needs nnconvert[onnx] (onnx>=1.17, onnxscript>=0.6); without them, exit status 4.
""",
    "verify": """
examples:
  nnconvert verify model.skops --data X_test.npy
  nnconvert verify model.skops --data X_test.csv --json
  nnconvert verify text_model.skops --data reviews.csv --text-column review
  nnconvert verify model.skops --data big.npy --scheduler tcp://10.0.0.5:8786

exit status: 0 the network agrees with the model, 1 it disagrees, 2 a file cannot be used,
4 a missing or too old optional package.
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
3 internal error, 4 a missing or too old optional package (the message says which version).
Run 'nnconvert COMMAND --help' for each command's options.
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
    parser.add_argument(
        "--tree-form", choices=("auto", "network", "traversal"), default="auto",
        help="trees as step units (network: what draw shows unit by unit), as a level-by-level "
             "walk (traversal: fast for deep or many trees), or auto (the network while it "
             "is small); the same function either way",
    )


def _add_json(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON, for scripts")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``nnconvert`` command."""
    from .. import __version__

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
                             "(drop a header row); for a model that starts with a text "
                             "vectorizer, a UTF-8 .txt file of documents, one a line, or a "
                             ".csv with --text-column")
    verify.add_argument("--text-column", metavar="NAME",
                        help="for a model that starts with a text vectorizer: the column of "
                             "the --data .csv (whose first row names its columns) holding "
                             "the documents")
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
