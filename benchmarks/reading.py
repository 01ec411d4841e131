"""Reading: iacviz's reader against cfn-lint's decoder and cfn-flip's loader, same input, same run.

Readers, each given a template as read from disk:

* ``iacviz``: ``iacviz.sources.template_text.parse_template(bytes, name)``;
* ``cfn-lint``: ``cfnlint.decode.decode_str(text)`` (a template with decode errors is refused);
* ``cfn-flip``: ``cfn_flip.load(text)``.

**Same content.** Every template is read once by each reader and the results compared after
normalising both peers to plain values: cfn-lint's ``dict_node``/``list_node``/``str_node``
and cfn-flip's ``ODict`` become dicts, lists and strings; both already write short-form tags
in their long form (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``). Two documented
choices of iacviz (``iacviz/sources/cfn_yaml.py``) are normalised on the peers' side, as
JSON would write them: a YAML timestamp (``2010-09-09``) is kept by iacviz as the string
written, the peers make a ``date`` (normalised with ``isoformat()``); a mapping key is kept as
the string written, the peers make ``80:`` an int and ``true:`` a bool (normalised with
``str`` / ``true``). Anything else that differs is a mismatch, and a mismatch fails the run.
Templates one reader refuses are counted apart, with the reason iacviz gives: iacviz refuses
tags CloudFormation does not know (``!Rain::Embed``), which both peers accept.

**Time.** CPU time of this process (``time.process_time``), so that other work on the machine
does not count; rounds interleave the readers (a different one first each round) and the best
round of each counts. The cyclic garbage collector runs as in any program (a full collection
before each round); the ratio with the collector paused for all readers is reported too, to
show how much of the gap is the parser itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import math
import random
import time
from collections import Counter
from pathlib import Path
from typing import Any, Callable

from benchmarks.common import CORPUS

TEMPLATE_KINDS = {"cfn-yaml", "cfn-json", "sam", "multi-stack-group", "nested-parent"}


# -- input ----------------------------------------------------------------------------------------


class Doc:
    __slots__ = ("name", "fmt", "data", "text")

    def __init__(self, name: str, data: bytes):
        self.name, self.data = name, data
        self.fmt = "json" if name.endswith(".json") else "yaml"
        self.text = data.decode("utf-8", "replace")


def corpus_docs() -> list[Doc] | None:
    """The templates of ../shared/corpus (same selection as tests/test_corpus_oracle.py)."""
    manifest = CORPUS / "manifest.tsv"
    if not manifest.is_file():
        return None
    docs = []
    for row in manifest.read_text().splitlines()[1:]:
        repo, _commit, path, kind, *_ = row.split("\t")
        if kind in TEMPLATE_KINDS or (kind == "cdk-out" and path.endswith(".template.json")):
            docs.append(Doc(f"{repo}/{path}", (CORPUS / repo.replace("/", "+") / path).read_bytes()))
    return docs


def folder_docs(files: list[Path], root: Path) -> list[Doc]:
    return [Doc(p.relative_to(root).as_posix(), p.read_bytes()) for p in files]


# -- readers --------------------------------------------------------------------------------------


class Refused(Exception):
    pass


def _readers() -> dict[str, tuple[Callable[[Doc], Any], Callable[[Doc], Any]]]:
    """name -> (read for timing, read for comparison: the body or Refused)."""
    import cfn_flip
    from cfnlint.decode import decode_str

    from iacviz.errors import TemplateError
    from iacviz.sources.template_text import parse_template

    logging.getLogger("cfnlint").setLevel(logging.CRITICAL)

    def ours(doc: Doc):
        try:
            return parse_template(doc.data, doc.name)[0]
        except TemplateError as exc:
            raise Refused(exc.message) from None

    def lint(doc: Doc):
        try:
            template, matches = decode_str(doc.text)
        except Exception as exc:  # a peer's crash is a refusal
            raise Refused(f"{type(exc).__name__}: {exc}") from None
        if matches or template is None:
            raise Refused(str(matches[0].message) if matches else "no template")
        return template

    def flip(doc: Doc):
        try:
            return cfn_flip.load(doc.text)[0]
        except Exception as exc:
            raise Refused(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}") from None

    return {
        "iacviz": (lambda d: parse_template(d.data, d.name), ours),
        "cfn-lint": (lambda d: decode_str(d.text), lint),
        "cfn-flip": (lambda d: cfn_flip.load(d.text), flip),
    }


# -- comparison -----------------------------------------------------------------------------------


def _key(k: Any) -> str:
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, (dt.date, dt.datetime)):
        return k.isoformat()
    return str(k)


def normalise(value: Any) -> Any:
    """Plain JSON-able values: node and ODict classes gone, dates as ISO text, keys as text."""
    if isinstance(value, dict):
        return {_key(k): normalise(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return repr(value)


def _canonical(value: Any) -> str:
    return json.dumps(normalise(value), sort_keys=True, ensure_ascii=False)


def _first_difference(a: Any, b: Any, path: str = "") -> str:
    if type(a) is not type(b):
        return f"{path or '/'}: {json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"
    if isinstance(a, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"{path}/{k}: only in {'iacviz' if k in a else 'peer'}"
            if _canonical(a[k]) != _canonical(b[k]):
                return _first_difference(a[k], b[k], f"{path}/{k}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            if _canonical(x) != _canonical(y):
                return _first_difference(x, y, f"{path}/{i}")
    return f"{path or '/'}: {json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"


def compare(docs: list[Doc]) -> dict[str, Any]:
    """Per peer: templates compared, equal, mismatched (with the first difference), refused."""
    readers = _readers()
    ours = {}
    for doc in docs:
        try:
            ours[doc.name] = ("ok", normalise(readers["iacviz"][1](doc)))
        except Refused as exc:
            ours[doc.name] = ("refused", str(exc))
    out: dict[str, Any] = {}
    lint_says: dict[str, str] = {}  # canonical JSON of what cfn-lint read, to judge cfn-flip's differences
    for peer in ("cfn-lint", "cfn-flip"):
        read = readers[peer][1]
        stats: dict[str, Any] = {
            "templates": len(docs),
            "equal": 0,
            "mismatch": 0,
            "both_refused": 0,
            "peer_defect": 0,
            "refused_by_iacviz_only": Counter(),
            "refused_by_peer_only": Counter(),
            "examples": [],
        }
        for doc in docs:
            try:
                theirs = ("ok", normalise(read(doc)))
            except Refused as exc:
                theirs = ("refused", str(exc))
            mine = ours[doc.name]
            if mine[0] == "ok" and theirs[0] == "ok":
                mine_json, theirs_json = json.dumps(mine[1], sort_keys=True), json.dumps(theirs[1], sort_keys=True)
                if peer == "cfn-lint":
                    lint_says[doc.name] = theirs_json
                if mine_json == theirs_json:
                    stats["equal"] += 1
                    continue
                if peer == "cfn-flip" and lint_says.get(doc.name) == mine_json:
                    # cfn-lint reads it as iacviz does: a cfn-flip defect, shown but not a failure
                    stats["peer_defect"] += 1
                    kind = "cfn-flip defect (cfn-lint agrees with iacviz)"
                else:
                    stats["mismatch"] += 1
                    kind = "MISMATCH"
                if len(stats["examples"]) < 5:
                    stats["examples"].append(f"{kind}: {doc.name}: {_first_difference(mine[1], theirs[1])}")
            elif mine[0] == "refused" and theirs[0] == "refused":
                stats["both_refused"] += 1
            elif mine[0] == "refused":
                stats["refused_by_iacviz_only"][_reason(mine[1])] += 1
            else:
                stats["refused_by_peer_only"][_reason(theirs[1])] += 1
                if len(stats["examples"]) < 5:
                    stats["examples"].append(f"{doc.name}: only {peer} refuses: {theirs[1][:100]}")
        stats["refused_by_iacviz_only"] = dict(stats["refused_by_iacviz_only"])
        stats["refused_by_peer_only"] = dict(stats["refused_by_peer_only"])
        out[peer] = stats
    return out


def _reason(message: str) -> str:
    """A refusal's message without the parts that name one template."""
    for marker in (
        "unknown tag",
        "unsupported tag",
        "duplicate key",
        "YAML syntax error",
        "JSON syntax error",
        "alias",
        "top level",
        "empty",
        "binary",
        "UTF-8",
    ):
        if marker in message:
            return marker
    return message.split(":")[0][:60]


# -- timing ---------------------------------------------------------------------------------------


def _round(read: Callable[[Doc], Any], docs: list[Doc]) -> float:
    start = time.process_time()
    for doc in docs:
        try:
            read(doc)
        except Exception:  # refused templates are timed like the others
            pass
    return time.process_time() - start


def time_readers(
    docs: list[Doc], rounds: int, readers: dict[str, Callable[[Doc], Any]] | None = None, collector: bool = True
) -> dict[str, float]:
    """Best-of-`rounds` CPU ms per template for each reader, rounds interleaved."""
    readers = readers or {name: fns[0] for name, fns in _readers().items()}
    names = list(readers)
    best = {name: math.inf for name in names}
    was = gc.isenabled()
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                gc.collect()
                if not collector:
                    gc.disable()
                seconds = _round(readers[name], docs)
                if was:
                    gc.enable()
                best[name] = min(best[name], seconds)
    finally:
        if was:
            gc.enable()
    return {name: best[name] / len(docs) * 1e3 for name in names}


def time_loads(folder_files: list[Path], load_roots: list[Path], rounds: int) -> dict[str, float]:
    """Whole loads: ``iacviz.load`` of the roots (reading + every frame, cache off) and its reading part alone
    (``iacviz.sources.files.read_paths``: finding, reading and parsing the files, nested stacks,
    SAM) against decoding every file from disk with cfn-lint (``cfnlint.decode.decode``) and
    cfn-flip; best-of-rounds CPU s."""
    import cfn_flip
    from cfnlint.decode import decode

    import iacviz

    def lint_all():
        for p in folder_files:
            decode(str(p))

    def flip_all():
        for p in folder_files:
            try:
                cfn_flip.load(p.read_text())
            except Exception:
                pass

    from iacviz.sources.files import read_paths

    # Every frame built (frames are otherwise built on first access), the load cache off; the
    # warm-cache load (an unchanged estate loaded again in the same process) is shown apart.
    fns = {
        "iacviz.load": lambda: iacviz.load(*load_roots, cache=False).frames(),
        "iacviz read_paths": lambda: read_paths(load_roots),
        "iacviz.load, cache warm": lambda: iacviz.load(*load_roots, cache=True).frames(),
        "cfn-lint decode": lint_all,
        "cfn-flip load": flip_all,
    }
    best = {k: math.inf for k in fns}
    names = list(fns)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            gc.collect()
            start = time.process_time()
            fns[name]()
            best[name] = min(best[name], time.process_time() - start)
    return best


# -- YAML parsers ---------------------------------------------------------------------------------


def yaml_parsers(docs: list[Doc], rounds: int) -> list[dict[str, Any]]:
    """CPU us per YAML template for each parser that is installed, collector paused for all (the
    parsers themselves, not the collector, are compared). Notes say what each keeps."""
    import yaml
    from yaml._yaml import CParser

    from iacviz.sources import cfn_yaml
    from iacviz.sources.template_text import parse_template

    class _AnyTag(yaml.CSafeLoader):  # PyYAML's C loader building plain values, any tag accepted
        pass

    _AnyTag.add_multi_constructor(
        "!",
        lambda loader, suffix, node: (
            loader.construct_scalar(node)
            if isinstance(node, yaml.ScalarNode)
            else loader.construct_sequence(node)
            if isinstance(node, yaml.SequenceNode)
            else loader.construct_mapping(node)
        ),
    )

    texts = [d.text for d in docs]
    data = [d.data for d in docs]

    def each(fn: Callable[[Any], Any], items: list) -> Callable[[], None]:
        def go() -> None:
            for item in items:
                try:
                    fn(item)
                except Exception:  # a refused template is timed like the others
                    pass

        return go

    rows: list[tuple[str, Callable[[], None], str]] = [
        (
            "libyaml events only (`CParser.raw_parse`, C, no Python objects)",
            each(lambda t: CParser(t).raw_parse(), texts),
            "the floor of any libyaml reader",
        ),
        (
            "libyaml compose (`CParser` node graph)",
            each(lambda t: cfn_yaml._Composer(t).get_single_node(), texts),
            "what iacviz's Python path starts from",
        ),
        (
            "**iacviz `parse_template`** (C fast path from events, else compose + build)",
            each(lambda b: parse_template(b, "t"), data),
            "tags long-form, YAML 1.1 scalars as CloudFormation, lines, refusals"
            + ("" if cfn_yaml._FAST is not None else " (fast path NOT built: Python path only)"),
        ),
        (
            "iacviz Python path alone (`IACVIZ_PURE_YAML=1`: compose + build + lines)",
            each(lambda t: cfn_yaml._load_composed(t, "t"), texts),
            "the definition the C fast path is tested against",
        ),
        (
            "PyYAML `CSafeLoader` + any-tag constructor",
            each(lambda t: yaml.load(t, Loader=_AnyTag), texts),
            "tags dropped (value only), timestamps become dates",
        ),
    ]
    try:
        import ryaml

        rows.append(
            (
                "ryaml (serde-yaml, Rust) `loads`",
                each(lambda t: ryaml.loads(t), texts),
                "keeps tags as `{'!Ref': x}`; YAML 1.2 scalars (`yes`, `0755` stay text); no lines",
            )
        )
    except ImportError:
        rows.append(("ryaml", None, "not installed"))
    try:
        import yaml_rs

        rows.append(
            (
                "yaml-rs (Rust) `loads`",
                each(lambda t: yaml_rs.loads(t), texts),
                "drops tags (`!Ref X` -> `X`): cannot read CloudFormation short forms",
            )
        )
    except ImportError:
        rows.append(("yaml-rs", None, "not installed"))
    try:
        import ryml

        rows.append(
            (
                "rapidyaml (C++) `parse_in_arena`, tree only",
                each(lambda b: ryml.parse_in_arena(b), data),
                "fastest parse, but no Python values: walking its tree costs ~1 us per node call",
            )
        )
    except ImportError:
        rows.append(("rapidyaml", None, "not installed"))
    try:
        import libfyaml

        rows.append(
            (
                "libfyaml `loads` (lazy generic values)",
                each(lambda t: libfyaml.loads(t), texts),
                "values made on access; tags not exposed",
            )
        )
    except ImportError:
        rows.append(("libfyaml", None, "not installed"))
    timed = {name: fn for name, fn, _ in rows if fn is not None}
    best = {name: math.inf for name in timed}
    names = list(timed)
    was = gc.isenabled()
    try:
        for r in range(rounds):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                gc.collect()
                gc.disable()
                start = time.process_time()
                timed[name]()
                best[name] = min(best[name], time.process_time() - start)
                gc.enable()
    finally:
        if was:
            gc.enable()
    return [
        {"parser": name, "us_per_template": best[name] / len(docs) * 1e6 if name in best else None, "note": note}
        for name, _, note in rows
    ]


# -- the section ----------------------------------------------------------------------------------


def run(quick: bool = False, log=print) -> dict[str, Any]:
    from benchmarks.common import estate_folder, estate_templates

    rounds = 3 if quick else 5
    result: dict[str, Any] = {"rounds": rounds}
    docs = corpus_docs()
    if docs is None:
        log(f"reading: no corpus at {CORPUS}: skipped")
        result["corpus"] = None
    else:
        log(f"reading: corpus, {len(docs)} templates: comparing contents")
        corpus: dict[str, Any] = {"templates": len(docs), "compare": compare(docs), "by_format": {}}
        for fmt in ("yaml", "json"):
            subset = [d for d in docs if d.fmt == fmt]
            log(f"reading: corpus {fmt}: timing {rounds} interleaved rounds")
            corpus["by_format"][fmt] = {
                "templates": len(subset),
                "mean_kib": sum(len(d.data) for d in subset) / len(subset) / 1024,
                "ms": time_readers(subset, rounds),
                "ms_no_gc": time_readers(subset, rounds, collector=False),
            }
        corpus["ms"] = {
            k: sum(corpus["by_format"][f]["ms"][k] * corpus["by_format"][f]["templates"] for f in ("yaml", "json"))
            / len(docs)
            for k in ("iacviz", "cfn-lint", "cfn-flip")
        }
        corpus["ms_no_gc"] = {
            k: sum(
                corpus["by_format"][f]["ms_no_gc"][k] * corpus["by_format"][f]["templates"] for f in ("yaml", "json")
            )
            / len(docs)
            for k in ("iacviz", "cfn-lint", "cfn-flip")
        }
        rows = [r for r in (CORPUS / "manifest.tsv").read_text().splitlines()[1:]]
        plain = [
            CORPUS / r.split("\t")[0].replace("/", "+") / r.split("\t")[2]
            for r in rows
            if r.split("\t")[3] in {"cfn-yaml", "cfn-json", "multi-stack-group", "nested-parent"}
        ]
        log(f"reading: corpus, full iacviz.load of {len(plain)} non-SAM templates")
        corpus["load_s"] = time_loads(plain, plain, max(2, rounds - 2))
        corpus["load_templates"] = len(plain)
        corpus["parsers"] = yaml_parsers([d for d in docs if d.fmt == "yaml"], rounds)
        result["corpus"] = corpus

    n_gen = 200 if quick else 2000
    folder = estate_folder(n_gen)
    files = estate_templates(folder)
    gen_docs = folder_docs(files, folder)
    log(f"reading: generated estate, {len(gen_docs)} templates: comparing contents (all of them)")
    generated: dict[str, Any] = {
        "templates": len(gen_docs),
        "stacks": n_gen,
        "mean_kib": sum(len(d.data) for d in gen_docs) / len(gen_docs) / 1024,
        "compare": compare(gen_docs),
    }
    sample = sorted(random.Random(0).sample(range(len(gen_docs)), min(len(gen_docs), 50 if quick else 200)))
    timed = [gen_docs[i] for i in sample]
    log(f"reading: generated estate: timing {rounds} interleaved rounds on a seeded sample of {len(timed)}")
    generated["timed_templates"] = len(timed)
    generated["ms"] = time_readers(timed, rounds)
    generated["ms_no_gc"] = time_readers(timed, rounds, collector=False)
    generated["parsers"] = yaml_parsers(timed, rounds)
    small = estate_folder(50 if quick else 200)
    small_files = estate_templates(small)
    log(f"reading: full iacviz.load of a {len(small_files)}-stack estate folder against decoding its files")
    generated["load_s"] = time_loads(small_files, [small], max(2, rounds - 2))
    generated["load_templates"] = len(small_files)
    result["generated"] = generated
    return result


if __name__ == "__main__":
    import sys

    from benchmarks.common import log

    print(json.dumps(run(quick="--quick" in sys.argv[1:], log=log), default=str))
