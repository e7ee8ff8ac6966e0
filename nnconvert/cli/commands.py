"""The sub-commands of the ``nnconvert`` command line: convert, verify, draw, explain, demo.

Each takes the parsed arguments and returns the exit status; heavy imports (torch, the
package itself) happen inside them, so that ``--help`` stays fast.
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

from .data import ROWS_PER_READ, load_data
from .errors import CommandError

EXIT_OK, EXIT_DISAGREE, EXIT_USAGE, EXIT_INTERNAL, EXIT_ENVIRONMENT = 0, 1, 2, 3, 4


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
    from ..loading import load_model

    return load_model(args.model, trust=args.trust, trusted_types=args.trust_type)


def _convert(estimator, args: argparse.Namespace):
    from ..converter import convert

    return convert(estimator, dtype=_dtype(args.dtype), fuse=args.fuse,
                   tree_form=args.tree_form)


def _summary(net) -> dict:
    from ..export import metadata

    facts = metadata(net)
    keys = ("kind", "source", "classes", "labels", "n_outputs", "feature_names_out",
            "n_features_in", "dtype")
    return {key: facts[key] for key in keys if key in facts}


def _answers(net) -> str:
    """What the network answers, in a few words for a summary line."""
    if net.head.kind == "classifier":
        return f"classes {net.classes_.tolist()}"
    if net.head.kind == "regressor":
        return f"{net.n_outputs_} predicted value(s)"
    if net.head.kind == "clusterer":
        return f"cluster labels {net.classes_.tolist()}"
    if net.head.kind == "outlier_detector":
        return "+1 (inlier) / −1 (outlier)"
    if net.head.kind == "density":
        return "a log density"
    if net.head.kind == "multioutput_classifier":
        return f"{net.head.n_targets} targets, classes {[c.tolist() for c in net.head.labels]}"
    return f"{net.head.n_outputs} output features"


def _print_json(payload: dict) -> None:
    print(json.dumps(payload, indent=2, default=str))


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
    from ..files import output_file

    try:
        return output_file(name)
    except ValueError as e:
        raise CommandError(str(e)) from None


def _cmd_convert(args: argparse.Namespace) -> int:
    from ..export import EXPORT_FORMATS, export

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
    if net.input_stage is not None:
        # said on stderr even with --json: whoever serves the file must vectorise first
        stage = net.input_stage
        print(f"nnconvert: note: {out.name} starts at the {stage.name}'s matrix "
              f"({net.n_features_in_} columns); {stage.left_out()}", file=sys.stderr)
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from ..agreement import default_rtol
    from ..verify import verify

    estimator = _load(args)
    net = _convert(estimator, args)
    # NaN passes where a column routes it (trees with missing-value sides, imputers)
    allow_nan = any(spec.allow_nan for spec in net.input_schema.columns)
    stage = net.input_stage
    X = load_data(args.data, net.n_features_in_,
                  documents=stage is not None and stage.input_kind == "documents",
                  text_column=args.text_column, allow_nan=allow_nan)
    rtol = args.rtol if args.rtol is not None else default_rtol(net.dtype)
    with warnings.catch_warnings():
        if getattr(net, "feature_names_in_", None) is not None:
            # a data file has no column names: say so once, not once per batch and side
            print(f"nnconvert: note: {args.model} was fitted with feature names; the columns "
                  f"of {args.data} are taken in that order", file=sys.stderr)
            warnings.filterwarnings("ignore", message="X does not have valid feature names")
        if args.scheduler and isinstance(X, list):
            raise CommandError("--scheduler verifies arrays on a dask cluster; documents (a "
                               ".txt file) are verified here: leave --scheduler out")
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
    from ..verify import verify

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
        from ..gallery import example_names, write_diagrams

        known = example_names()
        unknown = sorted(set(args.only) - set(known))
        if unknown:
            raise CommandError(f"no example called {', '.join(unknown)}; the examples are "
                               f"{', '.join(known)}")
        from ..files import output_folder

        try:
            directory = output_folder(args.examples)
        except ValueError as e:
            raise CommandError(str(e)) from None
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
    from ..diagram import FORMATS, draw

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
    from ..demo import run_demo

    return EXIT_OK if run_demo() else EXIT_DISAGREE
