"""The ``twin`` command (installed as ``twin.cli``).

Every sub-command turns a :class:`twin.errors.TwinError` into one line on stderr and
exit code 2; a traceback on bad input is a bug. Heavy libraries (Mesa, xclim,
matplotlib) are imported by the commands that need them, so ``twin --help`` and
``twin validate`` answer quickly.
"""

from __future__ import annotations

import argparse
import os
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from twin.errors import TwinError

__all__ = ["main"]

EXIT_BAD_INPUT = 2


def _cmd_validate(args: argparse.Namespace) -> int:
    """Check each file as `run`, `project` or `trial` would before their first step; list every problem."""
    from twin.scenario import load, scenario_kind
    from twin.scenario.checks import MAX_PROBLEMS, preflight, run_cost

    status = 0
    for path in args.scenarios:
        kind = scenario_kind(path)
        try:
            sc = load(path, kind=kind)
            problems = preflight(sc, kind=kind)
        except TwinError as err:
            problems = list(getattr(err, "errors", None) or [err])
        if problems:
            status = EXIT_BAD_INPUT
            for err in problems[:MAX_PROBLEMS]:
                print(f"error: {err}", file=sys.stderr)
            if len(problems) > MAX_PROBLEMS:
                print(f"error: {path}: {len(problems) - MAX_PROBLEMS} more problems not shown", file=sys.stderr)
            continue
        if kind == "projection":
            print(f"ok: {path}: {sc.name!r} — projection of {sc.place}, {sc.demography.base_year}-{sc.demography.horizon}, "
                  f"variants {', '.join(sc.demography.variants)}")
            continue
        runs, run_days, seconds = run_cost(sc)
        print(f"ok: {path}: {sc.name!r} — model {sc.model}, place {sc.place}, "
              f"{len(sc.options)} options × {len(sc.pathways)} pathways × {sc.replicates} replicates = {runs} runs "
              f"({run_days:,} run-days, roughly {_duration(seconds)} on one core)")
    return status


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _cmd_schema(args: argparse.Namespace) -> int:
    from twin.scenario import json_schema

    from twin._files import check_output_file, write_text_atomic

    if args.output:
        check_output_file(args.output, field="-o", suffixes=(".json",))
    text = json.dumps(json_schema(), indent=2)
    if args.output:
        write_text_atomic(args.output, text + "\n", field="-o")
    else:
        print(text)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from twin.run import make_executor, run_scenario
    from twin.scenario import load
    from twin.scenario.checks import check_cost, preflight, raise_first

    sc = load(args.scenario)
    if args.replicates is not None:
        _check_replicates(args.replicates)
    check_cost(sc, args.replicates, args.jobs, args.yes)
    out = Path(args.output) if args.output else Path("results") / sc.name
    _check_output_dir(out)
    raise_first(preflight(sc))  # everything `twin validate` checks, with the same message, before any output
    executor = make_executor(args.executor, jobs=args.jobs, scheduler=args.scheduler)
    progress = None if not args.quiet else False
    result = run_scenario(
        sc, out, executor=executor, seed=args.seed, replicates=args.replicates,
        overwrite=args.overwrite, progress=progress, plots=False if args.no_plots else None, checked=True,
    )
    t = result.manifest["timings_seconds"]
    if not args.quiet:
        n_plots = sum(1 for o in result.manifest["outputs"] if o.startswith("plots/"))
        print(f"wrote {out}/ (results.nc, indicators, manifest.json, run.log, {n_plots} plots) in {t['total']:.1f} s")
        _print_summary(result)
    result.close()
    return 0


def _load_results(directory: str):
    """A results directory opened by the engine's load_results, which checks it first (damaged: one line)."""
    from twin.analysis.results_dir import reading_results
    from twin.run import load_results

    with reading_results(directory):
        return load_results(directory)


def _print_summary(result, everything: bool = False, csv: str | None = None) -> None:
    """Headline indicators (deaths per 100,000 ...) in 80 columns; everything with ``everything``."""
    from twin.analysis.results_dir import reading_results

    with reading_results(result.path):
        _summary(result, everything, csv)


def _summary(result, everything: bool, csv: str | None = None) -> None:
    import shutil


    from twin.analysis.metrics import summary_table
    from twin.report._text import summary_text

    ds = result.dataset
    table = summary_table(ds, ind=result.indicators)
    if csv:
        table.to_csv(csv, index=False, float_format="%.6g")
    width = min(shutil.get_terminal_size((80, 24)).columns, 100) if sys.stdout.isatty() else 80
    print(summary_text(table, width=width, everything=everything))
    if "tx_days_above_30" in ds:
        parts = []
        for pw in ds["pathway"].values:
            hot = float(ds["tx_days_above_30"].sel(pathway=pw).mean())
            waves = float(ds["heat_wave_frequency"].sel(pathway=pw).mean())
            parts.append(f"{pw}: {hot:.1f} days above 30 °C, {waves:.1f} heat waves")
        from twin.report._text import _wrap

        print(_wrap("Climate (place-level weather, mean across replicates; xclim's definitions): " + "; ".join(parts), width))


def _cmd_show(args: argparse.Namespace) -> int:
    result = _load_results(args.directory)
    try:
        _print_summary(result, everything=args.all, csv=args.csv)
    finally:
        result.close()
    return 0


def _cmd_places(args: argparse.Namespace) -> int:
    from twin.place import Place, list_places

    if args.places and args.places[0] in ("combine", "make"):
        return _cmd_places_build(args)
    dirs = [Path(d) for d in args.places] if args.places else list_places()
    for d in dirs:
        print(Place.load(d).summary())
    return 0


# --- twin places combine / make (several councils as one place; twin/place/combine.py) ----------------
def _cmd_places_build(args: argparse.Namespace) -> int:
    from twin.errors import OutputError, PlaceDataError
    from twin.place import Place, resolve_place
    from twin.place.combine import combine_places, metropolitan_area

    action, inputs = args.places[0], args.places[1:]
    if not args.output:
        raise OutputError(f"twin places {action} needs an output directory", field="-o/--output", value=None)
    out = Path(args.output)
    if out.exists() and not args.overwrite:
        raise OutputError("already exists; add --overwrite to replace it", file=out)
    if action == "combine":
        if len(inputs) < 2:
            raise PlaceDataError("combine needs two or more place directories", field="PLACE_DIR", value=inputs)
        place = combine_places([Place.load(resolve_place(p)) for p in inputs], name=args.name,
                               shared=args.shared or ())
    else:
        if inputs:
            raise PlaceDataError("make takes no place directories", field="PLACE_DIR", value=inputs)
        place = metropolitan_area(args.residents, args.councils, seed=args.seed, name=args.name)
    place.save(out, overwrite=args.overwrite)
    print(f"wrote {out}: {place.summary()}")
    return 0


def _add_places_build_args(sp: argparse.ArgumentParser) -> None:
    sp.add_argument("-o", "--output", metavar="DIR", help="combine/make: directory to write the place to")
    sp.add_argument("--overwrite", action="store_true", help="combine/make: replace an existing directory")
    sp.add_argument("--name", default=None, help="combine/make: name of the new place")
    sp.add_argument("--shared", nargs="+", metavar="SERVICE_ID", help="combine: services every council's residents use")
    sp.add_argument("--residents", type=int, default=1_000_000, help="make: residents in all (default 1,000,000)")
    sp.add_argument("--councils", type=int, default=4, help="make: number of councils (default 4)")
    sp.add_argument("--seed", type=int, default=20_261_130, help="make: generator seed (same seed, same place)")
# --- end twin places combine / make -----------------------------------------------------------------


def _cmd_compare(args: argparse.Namespace) -> int:
    from twin._files import check_output_file, write_text_atomic
    from twin.analysis.appraisal import compare_table
    from twin.analysis.results_dir import reading_results

    if args.csv:
        check_output_file(args.csv, field="--csv", suffixes=(".csv", ".txt"))
    result = _load_results(args.directory)
    try:
        with reading_results(result.path):
            df = compare_table(result.dataset, results_dir=result.path)
            if args.csv:
                write_text_atomic(args.csv, df.to_csv(index=False), field="--csv")
            _print_compare(df, everything=args.all)
    finally:
        result.close()
    return 0


def _print_compare(df, everything: bool = False) -> None:
    """The options in 80 columns (every column, one block per option, with ``everything``)."""
    import shutil

    from twin.report._text import compare_text

    width = min(shutil.get_terminal_size((80, 24)).columns, 100) if sys.stdout.isatty() else 80
    print(compare_text(df, width=width, everything=everything))


def _cmd_report(args: argparse.Namespace) -> int:
    from twin._files import check_output_file
    from twin.analysis.results_dir import reading_results
    from twin.report import write_report

    result = _load_results(args.directory)  # damaged results are refused before anything is written
    out = result.path
    for name in ("report.html", "zones.geojson"):
        check_output_file(out / name, field="DIR", own=True)
    with reading_results(out):
        path = write_report(result)
    result.close()
    print(f"wrote {path} and {path.parent / 'zones.geojson'}")
    return 0


def _cmd_trial(args: argparse.Namespace) -> int:
    from twin.trials import run_trial_scenario
    from twin.scenario import load
    from twin.scenario.checks import preflight, raise_first

    sc = load(args.scenario)
    if args.output:
        _check_output_dir(Path(args.output))
    raise_first(preflight(sc, kind="trial"))
    out = run_trial_scenario(
        args.scenario, args.output, overwrite=args.overwrite, plots=not args.no_plots,
        progress=None if args.quiet else (lambda m: print(m, file=sys.stderr)),
    )
    print(f"wrote {out}/ ({', '.join(sorted(p.name + ('/' if p.is_dir() else '') for p in out.iterdir()))})")
    answer = json.loads((out / "manifest.json").read_text()).get("summary", {}).get("answer")
    if answer:
        from twin.report._text import _wrap

        print("\n".join(_wrap(line, 80) for line in answer.splitlines()))
    return 0


def _cmd_project(args: argparse.Namespace) -> int:
    from twin.demography.run import run_projection_scenario
    from twin.scenario import load
    from twin.scenario.checks import preflight, raise_first

    sc = load(args.scenario, kind="projection")
    if args.output:
        _check_output_dir(Path(args.output))
    raise_first(preflight(sc, kind="projection"))
    out = run_projection_scenario(args.scenario, args.output, overwrite=args.overwrite)
    if not args.quiet:
        _print_projection_summary(out)
    return 0


def _print_projection_summary(out: Path) -> None:
    import xarray as xr

    with xr.open_dataset(out / "projection.nc", engine="h5netcdf") as ds:
        pop = ds["population"].load()
    years = pop["year"].values
    base, last = int(years[0]), int(years[-1])
    mid = 2040 if base < 2040 < last else int(years[len(years) // 2])
    old = pop.sel(age=pop["age"] >= 85).sum(("age", "sex", "zone"))
    total = pop.sum(("age", "sex", "zone"))
    print(f"wrote {out}/ (projection.nc, projection.csv, components.csv, demand.csv, plots/)")
    print(f"{'variant':<24}{'total ' + str(base):>14}{'total ' + str(last):>14}{'85+ ' + str(base):>10}{'85+ ' + str(mid):>10}{'85+ ' + str(last):>10}")
    for v in pop["variant"].values:
        print(f"{str(v):<24}{float(total.sel(variant=v, year=base)):>14,.0f}{float(total.sel(variant=v, year=last)):>14,.0f}"
              f"{float(old.sel(variant=v, year=base)):>10,.0f}{float(old.sel(variant=v, year=mid)):>10,.0f}{float(old.sel(variant=v, year=last)):>10,.0f}")


# --- twin dashboard (issue 14) ---------------------------------------------------------------
def _cmd_dashboard(args: argparse.Namespace) -> int:
    from twin.dashboard.server import serve

    try:
        serve(args.directories, host=args.host, port=args.port, runs_dir=args.runs)
    except KeyboardInterrupt:
        pass
    return 0


def _add_dashboard(add: Callable[..., argparse.ArgumentParser]) -> None:
    sp = add("dashboard", _cmd_dashboard, "explore results in the browser: options, maps, who is left out, futures, "
             "runs and the live model (a local Solara app)")
    sp.add_argument("directories", nargs="*", metavar="RESULTS_DIR",
                    help="results (twin run) or projection (twin project) directories to open")
    sp.add_argument("--port", type=int, default=8765, metavar="N", help="port to listen on (default 8765; 0: any free port)")
    sp.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this computer only)")
    sp.add_argument("--runs", metavar="DIR", default=None,
                    help="where the Run page writes new results (default: ./results)")
# --- end of twin dashboard -------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: twin run: argument --seed: ...``), exit code 2."""

    def error(self, message: str) -> NoReturn:  # type: ignore[override]
        text = " ".join(message.split())
        self.exit(EXIT_BAD_INPUT, f"error: {self.prog}: {text} (see {self.prog} --help)\n")


def _int_arg(low: int, high: int, what: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip().replace("_", ""), 10)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text[:40]!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}, got {text[:40]}")
        return value

    parse.__name__ = what
    return parse


def _check_replicates(n: int) -> None:
    from twin.scenario import MAX_REPLICATES

    if not 1 <= n <= MAX_REPLICATES:
        from twin.errors import ScenarioError

        raise ScenarioError(f"must be between 1 and {MAX_REPLICATES:,}", field="--replicates", value=n)


def _check_output_dir(out: Path) -> None:
    """An output directory that can never work is refused before any work (the engine claims it later)."""
    import os

    from twin.errors import OutputError

    real = Path(os.path.realpath(out))
    if any(str(real) == r or str(real).startswith(r + "/") for r in ("/proc", "/sys", "/dev")):
        raise OutputError("cannot write into a system directory (/proc, /sys, /dev)", field="-o", value=str(out))
    if out.exists() and not out.is_dir():
        raise OutputError("output path exists and is not a directory", field="-o", value=str(out))
    probe = real
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError("output path is inside something that is not a directory", field="-o", value=str(out))
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError("output directory is not writable", field="-o", value=str(out), hint=f"{probe} is read-only")


def build_parser() -> argparse.ArgumentParser:
    from twin.scenario.schema import MAX_REPLICATES, MAX_SEED

    p = _Parser(
        prog="twin",
        description="placetwin: test climate-adaptation options and demographic futures on a digital twin of a place.",
    )
    p.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help, description=help)
        sp.set_defaults(func=func)
        return sp

    sp = add("validate", _cmd_validate, "check scenario files against the schema without running anything")
    sp.add_argument("scenarios", nargs="+", metavar="SCENARIO")

    sp = add("schema", _cmd_schema, "print the JSON Schema of scenario files (for editors)")
    sp.add_argument("-o", "--output", metavar="FILE")

    sp = add("run", _cmd_run, "run a scenario: every option x pathway x replicate; write results, indicators, plots")
    sp.add_argument("scenario", metavar="SCENARIO")
    sp.add_argument("-o", "--output", metavar="DIR", help="output directory (default: results/<scenario name>)")
    sp.add_argument("--jobs", "-j", type=_int_arg(1, 256, "--jobs"), default=1, metavar="N",
                    help="worker processes (default 1; with --executor dask, the local cluster's workers, default 2)")
    sp.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="where runs are computed: this machine's processes (default) or a Dask cluster")
    sp.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="address of an existing Dask scheduler (tcp://host:8786); default: a local cluster")
    sp.add_argument("--seed", type=_int_arg(0, MAX_SEED, "--seed"), default=None,
                    help="override the scenario's seed (0 .. 2**63-1)")
    sp.add_argument("--replicates", type=_int_arg(1, MAX_REPLICATES, "--replicates"), default=None, metavar="N",
                    help=f"override the scenario's replicates (1 .. {MAX_REPLICATES})")
    sp.add_argument("--yes", "-y", action="store_true",
                    help="run a very large ensemble without asking (its size and rough time are printed otherwise)")
    sp.add_argument("--overwrite", action="store_true", help="replace existing results in the output directory")
    sp.add_argument("--no-plots", action="store_true", help="skip the plots")
    sp.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")

    sp = add("show", _cmd_show, "print the summary table of a results directory")
    sp.add_argument("directory", metavar="DIR")
    sp.add_argument("--all", action="store_true", help="every indicator, with the splits by channel")
    sp.add_argument("--csv", metavar="FILE", help="also write every indicator as CSV")

    sp = add("compare", _cmd_compare, "appraise the options of a results directory: NPV, BCR, cost per death averted, P(best), regret")
    sp.add_argument("directory", metavar="DIR")
    sp.add_argument("--csv", metavar="FILE", help="also write the table (every column) as CSV")
    sp.add_argument("--all", action="store_true", help="every column, one block per option and pathway")

    sp = add("report", _cmd_report, "write a self-contained report.html and zones.geojson for a results directory")
    sp.add_argument("directory", metavar="DIR")

    sp = add("trial", _cmd_trial, "simulate a field trial (the scenario's trial: section): design, analysis, power by simulation")
    sp.add_argument("scenario", metavar="SCENARIO")
    sp.add_argument("-o", "--output", metavar="DIR", default=None, help="output directory (default: results/<scenario name>_trial)")
    sp.add_argument("--overwrite", action="store_true", help="replace an existing trial in the output directory")
    sp.add_argument("--no-plots", action="store_true", help="skip the plots")
    sp.add_argument("--quiet", "-q", action="store_true", help="no progress messages")

    sp = add("places", _cmd_places, "list the bundled places (or the place directories given) with a one-line "
             "summary; `twin places combine A B ... -o DIR` makes one place of several councils, "
             "`twin places make --residents N --councils K -o DIR` a synthetic metropolitan area")
    sp.add_argument("places", nargs="*", metavar="PLACE_DIR")
    _add_places_build_args(sp)

    sp = add("project", _cmd_project, "project the population of each zone by age and sex (cohort-component)")
    sp.add_argument("scenario", metavar="SCENARIO")
    sp.add_argument("-o", "--output", metavar="DIR", default=None, help="output directory (default: results/<scenario name>)")
    sp.add_argument("--overwrite", action="store_true", help="replace an existing projection in the output directory")
    sp.add_argument("--quiet", "-q", action="store_true", help="no summary table")

    _add_dashboard(add)
    return p


class _Version(argparse.Action):
    """``--version``: the installed package's version, looked up only when asked for."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kw: object) -> NoReturn:
        from twin import __version__

        print(f"placetwin {__version__}")
        parser.exit()


def main(argv: Sequence[str] | None = None, *, _leave_on_interrupt: bool = False) -> int:
    """Entry point of the ``twin`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)  # argument errors: one line, exit 2 (_Parser.error)
    try:
        return int(args.func(args) or 0)
    except TwinError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted: finished runs are kept; run the same command again to resume", file=sys.stderr)
        if _leave_on_interrupt:
            # An object the signal caught half-built (an HDF5 file mid-open, say) may fail in its finaliser
            # once the interrupted frames are freed; after the one line above that report is noise. The
            # process still exits normally, so the worker pool's semaphores are released (os._exit here
            # left them to the resource tracker, which warned about them). Every finished run is stored.
            sys.unraisablehook = _ignore_unraisable
        return 130


def _ignore_unraisable(unraisable: object) -> None:
    """``sys.unraisablehook`` of an interrupted ``twin`` process: say nothing more."""


def console(argv: Sequence[str] | None = None) -> int:
    """The ``twin`` executable (and ``python -m twin``): :func:`main` in a process of its own.

    In its own process, before anything is imported, the libraries of :data:`twin._absent.NOT_USED`
    are marked absent. xarray imports each one installed, only to check that an array is not one of
    theirs. This matters for Dask: importing it costs about 1.3 s, in every process that makes an array.
    No command makes such arrays. The exception is ``twin run --executor dask``, whose process keeps
    them all. ``twin validate`` also turns off pydantic's plugin search, a scan of every installed
    package's metadata. :func:`main` called from Python changes none of this.
    Interrupted (Ctrl-C), the process prints one line and exits 130.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if not (args[:1] == ["run"] and _wants_dask(args)):
        from twin._absent import mark_unused_absent

        mark_unused_absent()
    if args[:1] == ["validate"]:
        # pydantic looks for plugins (observability hooks) in every installed package's entry points
        # when it builds its first model; validating a scenario needs none of them
        os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    return main(args, _leave_on_interrupt=True)


def _wants_dask(args: list[str]) -> bool:
    from itertools import pairwise

    return "--executor=dask" in args or any(a == "--executor" and b == "dask" for a, b in pairwise(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
