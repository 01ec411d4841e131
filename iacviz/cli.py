"""The ``iacviz`` command line: a thin skin over the library.

Each subcommand parses its arguments, calls one public function and formats the frame it
returns; the work is in the library (:func:`iacviz.review`, :func:`iacviz.plan_changes`,
:func:`iacviz.blast_radius` ...), which never prints or exits.

Subcommands::

    iacviz review   PATH... | --live PROFILE/REGION   [-o report.html] [--format ...] [--disable ID,...] [--lint]
    iacviz plan     BEFORE AFTER [--parameters K=V ...] [--fail-on replacement,data-loss,blocked]
    iacviz exports  PATH... [--show exports|imports|problems]
    iacviz blast    PATH TARGET [--change replace|update|delete]
    iacviz wire     PATH... [--format yaml|table|csv|json|markdown]
    iacviz snapshot (--profile P --region R [--endpoint-url URL] | PATH...) -o FOLDER

Every command that reads templates takes ``--parameters Key=value ...`` (every stack that
declares Key) and ``stack/Key=value`` (one stack; it wins), as ``iacviz.load(parameters=...)``.
    iacviz demo-account [--port N]

Every command that prints a frame takes ``--format table|csv|json|markdown`` (``table``, the
default, is for people; the others for programs) and ``-o FILE``.

Exit codes:

0
    success (for ``review``: no finding at or above ``--fail-level``, default ``error``)
1
    ``review`` found a finding at or above ``--fail-level``, or ``plan --fail-on`` triggered
2
    usage error (unknown option, bad ``K=V``, bad format)
3
    input error: a path that does not exist, an unreadable template with ``--strict``, a live
    account that cannot be read, an unknown rule id or blast target, no stacks found

>>> main(["review", "--help"]) == 0  # doctest: +ELLIPSIS
usage: iacviz review ...
True
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from .errors import IacvizError

if TYPE_CHECKING:  # pandas loads with the first command that needs it, not for --help
    import pandas as pd

__all__ = ["main", "build_parser"]

OK, FAILED, USAGE, INPUT = 0, 1, 2, 3
FORMATS = ("table", "csv", "json", "markdown")
_SUFFIX_FORMAT = {".html": "html", ".htm": "html", ".md": "markdown", ".json": "json", ".csv": "csv", ".txt": "table"}
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


class _UsageError(Exception):
    """A mistake in the arguments that argparse cannot see (exit 2)."""


# -- option bundles ----------------------------------------------------------------------------


def _output_options(p: argparse.ArgumentParser, formats: Sequence[str] = FORMATS) -> None:
    p.add_argument(
        "--format",
        choices=formats,
        default=None,
        help=f"output format (default: from the -o suffix, else table); one of {', '.join(formats)}",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def _input_options(p: argparse.ArgumentParser, live: bool = True) -> None:
    p.add_argument("paths", nargs="*", metavar="PATH", help="template files or folders, or a snapshot folder")
    if live:
        p.add_argument(
            "--live",
            metavar="PROFILE/REGION",
            help="read a deployed account instead (PROFILE may be empty: /eu-west-1)",
        )
        p.add_argument("--endpoint-url", metavar="URL", help="with --live: another endpoint, e.g. the demo account")
    p.add_argument("--strict", action="store_true", help="fail (exit 3) on any template that cannot be read")
    _parameter_option(p)


def _parameter_option(p: argparse.ArgumentParser, flag: str = "--parameters", side: str = "every stack") -> None:
    p.add_argument(
        flag,
        nargs="+",
        action="extend",
        default=[],
        metavar="K=V",
        help=f"parameter values for {side}: Key=value (every stack declaring Key) or "
        f"stack/Key=value (that stack; it wins)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``iacviz`` (used by :func:`main` and by the docs test)."""
    parser = argparse.ArgumentParser(
        prog="iacviz",
        description="Explore and review AWS CloudFormation estates.",
        epilog="Exit codes: 0 ok, 1 findings or --fail-on triggered, 2 usage error, 3 input error.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "review",
        help="review an estate: findings, or a self-contained HTML report",
        description="Run the review rules (docs/rules.md) over an estate. With -o report.html "
        "(or --format html) write the HTML report.",
    )
    _input_options(p)
    _output_options(p, ("table", "html", "markdown", "json", "csv"))
    p.add_argument("--disable", metavar="ID,...", default="", help="rule ids not to run, e.g. W2001,I2003")
    p.add_argument(
        "--fail-level",
        choices=("error", "warning", "info", "never"),
        default="error",
        help="exit 1 when a finding of this severity or worse is found (default: error)",
    )
    p.add_argument("--title", default="Architecture review", help="title of the HTML report")
    p.add_argument(
        "--lint",
        action="store_true",
        help="also run cfn-lint's rules on every template, offline (findings cfn-lint:<id>, with lines)",
    )
    p.set_defaults(run=_review)

    p = sub.add_parser(
        "plan",
        help="predict the change sets between two versions of an estate",
        description="Compare BEFORE and AFTER (folders, templates) as CloudFormation change sets, "
        "or (--live PROFILE/REGION AFTER...) AFTER with the stacks deployed under the same names.",
    )
    p.add_argument("paths", nargs="+", metavar="BEFORE AFTER | AFTER...")
    p.add_argument(
        "--live",
        metavar="PROFILE/REGION",
        help="compare AFTER with the stacks deployed in this account and region (read-only; "
        "PROFILE may be empty: /eu-west-1)",
    )
    p.add_argument("--endpoint-url", metavar="URL", help="with --live: another endpoint, e.g. the demo account")
    for flag, side in (
        ("--parameters", "both sides"),
        ("--before-parameters", "BEFORE only"),
        ("--after-parameters", "AFTER only"),
    ):
        _parameter_option(p, flag, side)
    p.add_argument(
        "--stack", help="only this stack, resource (stack/LogicalId) or CDK construct path (Stack/Construct)"
    )
    p.add_argument(
        "--fail-on",
        metavar="REASON,...",
        default="",
        help="exit 1 when the plan has any of: replacement, data-loss, blocked, unknowable",
    )
    _output_options(p)
    p.set_defaults(run=_plan)

    p = sub.add_parser(
        "exports",
        help="list exports with their importers (or imports, or problems)",
        description="Cross-stack exports and imports of an estate.",
    )
    _input_options(p)
    p.add_argument(
        "--show",
        choices=("exports", "imports", "problems"),
        default="exports",
        help="exports (default), imports with their links, or export problems",
    )
    _output_options(p)
    p.set_defaults(run=_exports)

    p = sub.add_parser(
        "blast",
        help="what a change to one resource, parameter, export or stack reaches",
        description="Blast radius of TARGET: stack/LogicalId, stack/Parameters.Name, "
        "stack/Outputs.Name, a stack name or an export name.",
    )
    p.add_argument("path", metavar="PATH", help="template file or folder, or a snapshot folder")
    p.add_argument("target", metavar="TARGET")
    p.add_argument(
        "--change",
        choices=("replace", "update", "delete"),
        default="replace",
        help="what happens to TARGET (default: replace)",
    )
    _parameter_option(p)
    _output_options(p)
    p.set_defaults(run=_blast)

    p = sub.add_parser(
        "wire",
        help="suggest which stack each Parent*Stack parameter names (estate-file block)",
        description="Rank, for every parameter whose imports do not link exactly, the stacks it may "
        "name, and print the estate file's parameters: block (or the ranking as a frame).",
    )
    _input_options(p, live=False)
    p.add_argument(
        "--format",
        choices=("yaml",) + FORMATS,
        default=None,
        help="yaml: the estate-file block (default); table, csv, json, markdown: every candidate ranked",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(run=_wire)

    p = sub.add_parser(
        "snapshot",
        help="write an estate (live or from files) as a Parquet snapshot",
        description="Read a live account (--profile/--region) or PATHs and write a snapshot. "
        "Scans of other accounts may write into the same folder (one scan per "
        "account, on any machine): iacviz.read_snapshot reads them as one estate.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="template files or folders (instead of a live account)")
    p.add_argument("--profile", help="AWS profile of the live account")
    p.add_argument(
        "--region",
        action="append",
        default=[],
        metavar="REGION",
        help="region to read (repeat, or comma-separate, for several)",
    )
    p.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ID",
        help="account to read through --role-name (repeat for several; 'organization': every active "
        "account of the organisation)",
    )
    p.add_argument("--role-name", metavar="ROLE", help="with --account: the role assumed in each account")
    p.add_argument("--endpoint-url", metavar="URL", help="another endpoint, e.g. the demo account")
    p.add_argument("-o", "--output", metavar="FOLDER", required=True, help="snapshot folder to write")
    _parameter_option(p)
    p.set_defaults(run=_snapshot)

    p = sub.add_parser(
        "demo-account",
        help="serve the sample estate as a local AWS account (moto)",
        description="Deploy the sample estate to a local moto server and serve it until Ctrl-C.",
    )
    p.add_argument("--port", type=int, help="port to listen on (default: a free one)")
    p.add_argument("--region", default="us-east-1", help="region of the demo account (default: us-east-1)")
    p.add_argument(
        "--one-account",
        action="store_true",
        help="deploy only the main account and region (by default network and data are also "
        "deployed in a second region and a second account)",
    )
    p.set_defaults(run=_demo_account)
    return parser


# -- input -------------------------------------------------------------------------------------


class _Progress:
    """A note on standard error for work that takes more than about a second (nothing for fast work).

    On a terminal a spinner with the elapsed time, elsewhere one line when it starts to take
    long and one when it is done; standard output stays clean for pipes.
    """

    DELAY = 1.0

    def __init__(self, label: str):
        self.label = label
        self._status: Any = None
        self._timer: Any = None
        self._shown = False
        self._start = 0.0

    def _show(self) -> None:
        self._shown = True
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status(f"{self.label}…")
            self._status.start()
        else:
            print(f"iacviz: {self.label}…", file=sys.stderr, flush=True)

    def __enter__(self) -> "_Progress":
        import threading
        import time

        self._start = time.perf_counter()
        self._timer = threading.Timer(self.DELAY, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        import time

        self._timer.cancel()
        if self._status is not None:
            self._status.stop()
        if self._shown:
            print(
                f"iacviz: {self.label}: done in {time.perf_counter() - self._start:.1f} s", file=sys.stderr, flush=True
            )


def _load(
    paths: Sequence[str],
    strict: bool = False,
    live: str | None = None,
    endpoint_url: str | None = None,
    parameters: Sequence[str] = (),
):
    values = _pairs(parameters, "--parameters")
    if live:
        if paths:
            raise _UsageError("give PATHs or --live, not both")
        if values:
            raise _UsageError("--parameters applies to templates, not to --live (a live stack has its values)")
        profile, region = _profile_region(live)
        from .model.live import load_live

        return load_live(profile=profile, regions=[region], endpoint_url=endpoint_url, progress=sys.stderr.isatty())
    if not paths:
        raise _UsageError("give at least one PATH (or --live PROFILE/REGION)")
    from .model.open import is_snapshot, open_estate

    snapshot = len(paths) == 1 and is_snapshot(paths[0])
    if snapshot and values:
        raise _UsageError("--parameters applies to templates, not to a snapshot")
    with _Progress(f"reading snapshot {paths[0]}" if snapshot else f"reading templates in {', '.join(paths)}"):
        estate = open_estate(*paths, strict=strict, parameters=values)
    if snapshot:
        return estate
    if estate.stacks.empty:
        raise IacvizError(f"no stacks found in {', '.join(paths)}")
    bad = estate.errors[estate.errors.severity == "error"]
    if len(bad):
        print(
            f"iacviz: warning: {len(bad)} read error(s), e.g. {bad.source.iloc[0]}: {bad.message.iloc[0]}",
            file=sys.stderr,
        )
    return estate


def _profile_region(live: str) -> tuple[str | None, str]:
    profile, slash, region = live.rpartition("/")
    if not slash or not region:
        raise _UsageError(
            f"--live wants PROFILE/REGION (e.g. prod/eu-west-1, or /eu-west-1 for the default "
            f"credentials), not {live!r}"
        )
    return profile or None, region


def _pairs(items: Sequence[str], flag: str):
    from .sources.parameter_values import ParameterShapeError, parse_pairs

    try:
        return parse_pairs(items, flag)
    except ParameterShapeError as exc:
        raise _UsageError(str(exc)) from None


# -- output ------------------------------------------------------------------------------------


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value))):
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, default=str, sort_keys=True)
    return str(value)


def _format_frame(
    df: pd.DataFrame,
    fmt: str,
    title: str | None = None,
    drop_first: Sequence[str] = (),
    styles: Sequence[str | None] | None = None,
) -> str:
    """A frame as text in one of FORMATS (lists and dicts as JSON in csv, joined in tables).

    Tables fold long cells instead of cutting them and fit the terminal's width (or
    ``COLUMNS``, also when piped); columns of `drop_first` are left out, in that order, when
    the rest would not fit otherwise."""
    if fmt == "json":
        return df.to_json(orient="records", indent=2, default_handler=str) + "\n"
    if fmt == "csv":
        flat = df.copy()
        for col in flat.select_dtypes(include="object").columns:
            flat[col] = [json.dumps(v, default=str) if isinstance(v, (list, dict)) else v for v in flat[col]]
        return flat.to_csv(index=False)
    if fmt == "markdown":
        rows = [[_cell(v) for v in rec] for rec in df.itertuples(index=False)]
        lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
        lines += ["| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    from .views.terminal import table_text

    if df.empty:
        return f"{title or 'Nothing'}: none.\n"
    # Colour only on a terminal, so piped and captured output stays plain text.
    return table_text(df, title=title, drop_first=drop_first, styles=styles, color=sys.stdout.isatty())


def _emit(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8")
        print(f"wrote {output}", file=sys.stderr)
    else:
        sys.stdout.write(text)


def _fmt(args: argparse.Namespace, default: str = "table") -> str:
    if args.format:
        return args.format
    return _SUFFIX_FORMAT.get(Path(args.output).suffix.lower(), default) if args.output else default


# -- commands ----------------------------------------------------------------------------------


def _review(args: argparse.Namespace) -> int:
    from .rules import catalogue, review

    estate = _load(args.paths, args.strict, args.live, args.endpoint_url, args.parameters)
    findings = review(estate, disable=args.disable, lint=args.lint)
    fmt = _fmt(args)
    from .views.grouping import PLACE_COLUMN, with_places

    placed = with_places(findings, estate.stacks)  # several account-regions: each row says where
    counts = {s: int((findings.severity == s).sum()) for s in _SEVERITY_RANK}
    summary = f"{len(findings)} findings: " + ", ".join(
        f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in counts.items()
    )
    if fmt == "html":
        from .views.report import render_report

        _emit(render_report(estate, findings=findings, title=args.title), args.output)
        print(summary, file=sys.stderr)
    elif fmt == "table":
        columns = ["severity", "rule_id", "stack", *([PLACE_COLUMN] if PLACE_COLUMN in placed else []), "logical_id"]
        columns += (["line"] if args.lint else []) + ["message"]
        shown = placed[columns].rename(columns={"rule_id": "rule", "logical_id": "resource"})
        text = _format_frame(shown, "table", title="Findings")
        # cfn-lint's rules are not in iacviz's catalogue: their fix is on the finding itself.
        fixes = {**dict(zip(findings.rule_id, findings.fix)), **catalogue().set_index("id").fix.to_dict()}
        text += "".join(f"\n{rule_id}: {fixes[rule_id]}" for rule_id in dict.fromkeys(findings.rule_id))
        _emit(text + f"\n\n{summary}\n", args.output)
    else:
        _emit(_format_frame(placed, fmt), args.output)
    if args.fail_level == "never":
        return OK
    worst = findings.severity.map(_SEVERITY_RANK).min() if len(findings) else None
    return FAILED if worst is not None and worst <= _SEVERITY_RANK[args.fail_level] else OK


def _plan(args: argparse.Namespace) -> int:
    from .analysis.changes import plan_changes
    from .views.plan_table import fail_reasons, plan_to_text, summary_line

    both = _pairs(args.parameters, "--parameters")
    sides = [
        _pairs(args.before_parameters, "--before-parameters").over(both).to_mapping(),
        _pairs(args.after_parameters, "--after-parameters").over(both).to_mapping(),
    ]
    if args.live:
        from .analysis.live_plan import plan_live

        profile, region = _profile_region(args.live)
        if args.before_parameters:
            raise _UsageError("--before-parameters: with --live the deployed values are the before side")
        with _Progress("reading the deployed stacks and comparing"):
            plan = plan_live(
                args.paths,
                profile=profile,
                region=region,
                endpoint_url=args.endpoint_url,
                parameters=sides[1] or None,
            )
        if args.stack:
            plan = plan[plan["stack"] == args.stack].reset_index(drop=True)
    else:
        if len(args.paths) != 2:
            raise _UsageError("plan wants BEFORE and AFTER (or --live PROFILE/REGION AFTER...)")
        with _Progress("comparing the two versions"):
            plan = plan_changes(
                args.paths[0],
                args.paths[1],
                before_parameters=sides[0] or None,
                after_parameters=sides[1] or None,
                stack=args.stack,
            )
    fmt = _fmt(args)
    text = plan_to_text(plan, fmt, color=fmt == "table" and not args.output and sys.stdout.isatty())
    _emit(text if text.endswith("\n") else text + "\n", args.output)
    if fmt not in ("table", "markdown") or args.output:  # machine output stays clean: the summary on stderr
        print(summary_line(plan), file=sys.stderr)
    elif fmt == "markdown":
        sys.stdout.write(f"\n{summary_line(plan)}\n")
    reasons = fail_reasons(plan, args.fail_on) if args.fail_on else []
    for reason in reasons:
        print(f"fail-on {reason}", file=sys.stderr)
    return FAILED if reasons else OK


def _exports(args: argparse.Namespace) -> int:
    from .analysis.problems import export_problems

    estate = _load(args.paths, args.strict, args.live, args.endpoint_url, args.parameters)
    drop: list[str] = []
    if args.show == "imports":
        df = estate.imports[["stack", "source", "export_name", "export_stack", "link"]]
        drop = ["source"]
    elif args.show == "problems":
        df = export_problems(estate)
    else:
        df = estate.exports[["export_name", "stack", "output", "n_importers", "importers"]]
        drop = ["output", "n_importers"]
    from .views.grouping import with_places

    df = with_places(df, estate.stacks)  # several account-regions: each row says where
    _emit(_format_frame(df, _fmt(args), title=args.show.capitalize(), drop_first=drop), args.output)
    return OK


def _blast(args: argparse.Namespace) -> int:
    from .analysis.blast_radius import blast_radius

    from .views.terminal import blast_summary

    estate = _load([args.path], parameters=args.parameters)
    with _Progress(f"following {args.target} through the estate"):
        df = blast_radius(estate, args.target, change=args.change)
    fmt = _fmt(args)
    title = f"Blast radius of {args.change} {args.target}"
    summary = blast_summary(df)
    if fmt == "table":
        text = _format_frame(df, fmt, title=title, drop_first=["path", "kind", "depth", "protected", "type"])
        _emit(text + f"{title}: {summary}\n", args.output)
    else:
        _emit(_format_frame(df, fmt, title=title), args.output)
        print(f"{title}: {summary}", file=sys.stderr)  # machine output stays clean
    return OK


def _wire(args: argparse.Namespace) -> int:
    from .analysis.wiring import wire_snippet, wire_suggestions

    estate = _load(args.paths, args.strict, parameters=args.parameters)
    suggestions = wire_suggestions(estate)
    fmt = args.format or (_SUFFIX_FORMAT.get(Path(args.output).suffix.lower(), "yaml") if args.output else "yaml")
    if fmt == "yaml":
        _emit(wire_snippet(suggestions), args.output)
    else:
        shown = (
            suggestions
            if fmt != "table"
            else suggestions[
                ["parameter", "rank", "value", "suggested", "tie", "names_exported", "names_needed", "reason"]
            ]
        )
        _emit(_format_frame(shown, fmt, title="Wiring suggestions"), args.output)
    return OK


def _snapshot(args: argparse.Namespace) -> int:
    from .model.snapshot import to_parquet

    regions = [r for item in args.region for r in item.split(",") if r]
    if args.parameters and not args.paths:
        raise _UsageError("--parameters applies to templates (PATHs), not to a live account")
    if args.paths and (args.profile or regions or args.endpoint_url or args.account):
        raise _UsageError("give PATHs or --profile/--region/--account/--endpoint-url, not both")
    if args.account and not args.role_name:
        raise _UsageError("--account needs --role-name, the role to assume in each account")
    places: list[tuple[str, str]] = []
    if args.paths:
        estate = _load(args.paths, parameters=args.parameters)
    elif regions or args.profile or args.endpoint_url or args.account:
        from .model.live import load_live

        accounts: Any = None
        if args.account:
            accounts = "organization" if args.account == ["organization"] else args.account
            places = [(a, r) for a in args.account if a != "organization" for r in regions]
        estate = load_live(
            profile=args.profile,
            regions=regions or None,
            endpoint_url=args.endpoint_url,
            progress=sys.stderr.isatty(),
            accounts=accounts,
            role_name=args.role_name,
        )
    else:
        raise _UsageError("give PATHs, or --profile P --region R for a live account")
    to_parquet(estate, args.output, places=places)
    print(f"wrote snapshot {args.output}: {len(estate.stacks)} stacks, {len(estate.resources)} resources")
    return OK


def _demo_account(args: argparse.Namespace) -> int:
    from .data import sample_estate
    from .lab import demo_account

    argv = (
        [str(sample_estate()), "--region", args.region]
        + (["--port", str(args.port)] if args.port else [])
        + (["--one-account"] if args.one_account else [])
    )
    return int(demo_account.main(argv) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``iacviz`` with `argv` (default: ``sys.argv[1:]``) and return the exit code.

    Examples
    --------
    >>> main(["exports", "/no/such/folder"])
    3
    """
    parser = build_parser()
    try:
        args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help (0) and argparse's usage errors (2)
        return int(exc.code or 0)
    run: Callable[[argparse.Namespace], int] = args.run
    try:
        return run(args)
    except _UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"iacviz {args.command}: error: {exc}", file=sys.stderr)
        return USAGE
    except (IacvizError, OSError) as exc:
        print(f"iacviz {args.command}: error: {exc}", file=sys.stderr)
        return INPUT
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for bad input (docs/security.md)
        if os.environ.get("IACVIZ_TRACEBACK"):
            raise
        print(
            f"iacviz {args.command}: error: {type(exc).__name__}: {exc} (unexpected: please report it; "
            "IACVIZ_TRACEBACK=1 shows where)",
            file=sys.stderr,
        )
        return INPUT
