"""The workshop notebooks as files: each ``notebooks/NN-name.py`` (jupytext percent format, the
one to edit and review) and its ``.ipynb`` (what Jupyter opens, committed without outputs)
hold the same cells. After editing a ``.py``: ``make notebooks``."""

from __future__ import annotations

import ast
from pathlib import Path

import jupytext
import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]-*.py"))


def _cells(nb) -> list[tuple[str, str, list[str]]]:
    return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", []))) for c in nb.cells]


def test_every_notebook_has_its_pair():
    ipynb = sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb"))
    assert ipynb and ipynb == PAIRS, "each notebooks/NN-name.ipynb needs its NN-name.py (make notebooks)"


@pytest.mark.parametrize("stem", PAIRS)
def test_pair_agrees(stem):
    text = jupytext.read(NOTEBOOKS / f"{stem}.py")
    ipynb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    assert _cells(ipynb) == _cells(text), f"{stem}.ipynb differs from {stem}.py: run make notebooks"
    assert ipynb.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent", "paired in Jupyter too"


@pytest.mark.parametrize("stem", PAIRS)
def test_committed_without_outputs(stem):
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    dirty = [
        i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{stem}.ipynb cells {dirty} have outputs: clear them before committing"


@pytest.mark.parametrize("stem", PAIRS)
def test_parameter_cell_and_pinned_solution(stem):
    """A parameter cell with SOURCE comes first; the solution checks the answer pinned in the
    text (a literal on the sample), not a recomputation of what workshop.check computes."""
    code = [c for c in jupytext.read(NOTEBOOKS / f"{stem}.py").cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []) and "SOURCE = " in code[0].source
    solutions = [c for c in code if "solution" in c.metadata.get("tags", [])]
    for cell in solutions:
        pinned = [
            node
            for node in ast.walk(ast.parse(cell.source))
            if isinstance(node, ast.Assert)
            and isinstance(node.test, ast.Call)
            and ast.unparse(node.test.func) == "workshop.check"
        ]
        assert pinned, f"{stem}: a solution cell asserts workshop.check on the pinned answer"
        for node in pinned:
            answer = node.test.args[1]
            assert isinstance(answer, (ast.Constant, ast.List, ast.Set, ast.Tuple)), (
                f"{stem}: pin a literal answer, not {ast.unparse(answer)}"
            )


# -- the workshop (issue 18) ----------------------------------------------------------------------


def _code_cells(stem):
    return [c for c in jupytext.read(NOTEBOOKS / f"{stem}.py").cells if c.cell_type == "code"]


def _pinned_answers(stem) -> list[tuple[int, str, object]]:
    """(index of the exercise cell, question id, pinned answer) for every solution cell."""
    cells = jupytext.read(NOTEBOOKS / f"{stem}.py").cells
    out = []
    for i, cell in enumerate(cells):
        if "solution" not in cell.metadata.get("tags", []) or cell.cell_type != "code":
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (
                isinstance(node, ast.Assert)
                and isinstance(node.test, ast.Call)
                and ast.unparse(node.test.func) == "workshop.check"
            ):
                qid = node.test.args[0].value
                asked = max(
                    j
                    for j in range(i)
                    if f'workshop.check("{qid}", answer' in cells[j].source
                    or f'workshop.check("{qid}", None' in cells[j].source
                )
                out.append((asked, qid, ast.literal_eval(node.test.args[1])))
    return out


NUMBER_WORDS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
]


def _leaks(answer, text: str, subject: tuple[str, ...] = ()) -> list[str]:
    """The forms of `answer` that `text` states: a name in code quotes or backticks; a number, in
    words or digits, in a sentence that names every word of the question's `subject`."""
    import re

    found = []
    if isinstance(answer, bool) or answer is None:
        return found
    if isinstance(answer, int):
        forms = [str(answer)] + ([NUMBER_WORDS[answer]] if answer < len(NUMBER_WORDS) else [])
        for sentence in re.split(r"(?<=[.!?:])\s+", text.replace("\n", " ")):
            if all(word in sentence.lower() for word in subject):
                found += [
                    f for f in forms if re.search(rf"(?<![\w./-]){re.escape(f)}(?![\w./-])", sentence, re.IGNORECASE)
                ]
        return found
    for name in [answer] if isinstance(answer, str) else list(answer):
        found += [f for f in (f"`{name}`", f'"{name}"', f"'{name}'") if f in text]
    return found


@pytest.mark.parametrize("stem", PAIRS)
def test_no_answer_is_shown_before_its_question(stem):
    """No exercise's pinned answer appears in the text or code of any cell before the exercise
    (markdown is read as a learner reads it; a number counts in digits or in words)."""
    cells = jupytext.read(NOTEBOOKS / f"{stem}.py").cells
    for asked, qid, answer in _pinned_answers(stem):
        if qid.startswith("capstone-"):
            continue  # graded from the learner's files: the "answer" is a folder
        subject = tuple(w for w in qid.split("-") if len(w) > 3)
        for cell in cells[:asked]:
            text = (
                cell.source
                if cell.cell_type == "markdown"
                else "\n".join(
                    line
                    for line in cell.source.splitlines()
                    if "workshop.expect" not in line or isinstance(answer, int)
                )
            )
            if cell.cell_type == "code" and isinstance(answer, int):
                continue  # digits in code are indices and sizes, not statements
            assert not _leaks(answer, text, subject), (
                f"{stem}: the answer to {qid} ({answer!r}) is given before it is asked"
            )


def test_the_leak_detector_detects():
    assert _leaks(3, "The three clickops resources", ("clickops",)) and _leaks(9, "there are 9 findings")
    assert not _leaks(3, "As in notebook 3. The clickops resources are listed.", ("clickops",))
    assert _leaks(["data/Db"], "`data/Db` loses its data") and not _leaks(["data/Db"], "the database")
    assert not _leaks(4, "IPv4 and 14 and v4.2")


@pytest.mark.parametrize("stem", [s for s in PAIRS if not s.startswith("00")])
def test_every_notebook_has_an_exercise_that_needs_thought(stem):
    """At least one exercise asks to predict, fix or design (not to read a number off a table)."""
    md = [c.source for c in jupytext.read(NOTEBOOKS / f"{stem}.py").cells if c.cell_type == "markdown"]
    asks = [m for m in md if m.startswith(("## Exercise", "## Task"))]
    assert any(
        ("**Predict" in m or "**Fix it" in m or "**Design" in m or "Predict first" in m or "## Task" in m) for m in asks
    ), stem
    assert _pinned_answers(stem) or stem.startswith("08"), stem


def _objectives(stem) -> list[str]:
    """The bullets under "By the end you will be able to:" in the notebook's first cell, one line each."""
    import re

    first = jupytext.read(NOTEBOOKS / f"{stem}.py").cells[0]
    assert first.cell_type == "markdown" and "By the end you will be able to:" in first.source, stem
    block = first.source.split("By the end you will be able to:", 1)[1].strip().split("\n\n")[0]
    return [" ".join(b.split()).rstrip(";.") for b in re.split(r"^\* ", block, flags=re.M) if b.strip()]


@pytest.mark.parametrize("stem", PAIRS)
def test_objectives_first_and_a_conclusion_last(stem):
    """The first cell states the objectives; the last section is a short conclusion (only a
    clean-up of what the notebook started may follow it)."""
    assert len(_objectives(stem)) >= 2, stem
    cells = jupytext.read(NOTEBOOKS / f"{stem}.py").cells
    sections = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## ")]
    closing = [i for i in sections if cells[i].source.startswith("## Conclusion")]
    assert closing, f"{stem} has no ## Conclusion"
    after = [cells[i].source.splitlines()[0] for i in sections if i > closing[-1]]
    assert after in ([], ["## Clean up"]), f"{stem}: {after} after the conclusion"
    body = cells[closing[-1]].source.split("\n", 1)[1]
    assert 1 <= body.count(". ") + body.strip().endswith(".") <= 5 and len(body.split()) <= 90, (
        f"{stem}: the conclusion is a few sentences"
    )


def test_the_kit_states_each_notebooks_objectives():
    """docs/workshop.md gives every notebook's objectives word for word, in its own paragraph."""
    kit = " ".join((NOTEBOOKS.parent / "docs" / "workshop.md").read_text(encoding="utf-8").split())
    for stem in PAIRS:
        start = kit.index(f"**{stem[:2]} ")
        paragraph = kit[start : kit.find("**", kit.index("*You will be able to:*", start) + 25)]
        for objective in _objectives(stem):
            assert objective in paragraph, f"docs/workshop.md lacks {stem}'s objective: {objective}"


def _figure_calls() -> tuple[str, ...]:
    """Every call that draws: the views and top-level functions whose declared return is a plotly
    figure or a widget, and plotly's own constructors (so a new view is covered without a list)."""
    import inspect

    import iacviz
    from iacviz import views

    def draws(module, name):
        fn = getattr(module, name, None)
        if name.startswith("_") or not inspect.isfunction(fn):
            return False
        return any(kind in str(inspect.signature(fn).return_annotation) for kind in ("Figure", "VBox", "Widget"))

    return tuple(
        [f"views.{n}" for n in dir(views) if draws(views, n)]
        + [f"iacviz.{n}" for n in dir(iacviz) if draws(iacviz, n)]
        + ["px.", "go.Figure"]
    )


FIGURE_CALLS = _figure_calls()


def test_figure_calls_come_from_the_views():
    assert {"views.replacement_table", "views.export_map", "iacviz.export_explorer"} <= set(FIGURE_CALLS)
    assert not {"views.filter_estate_frames", "iacviz.review"} & set(FIGURE_CALLS)


def _shown(cell) -> str:
    """The source of what a code cell displays: its last statement when that is an expression,
    or a ``.show()`` call anywhere in it."""
    if cell.cell_type != "code" or not cell.source.strip():
        return ""
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:  # a magic: judge by the last line
        return cell.source.strip().splitlines()[-1]
    shown = [ast.get_source_segment(cell.source, s) or "" for s in body if ".show(" in ast.unparse(s)]
    if body and isinstance(body[-1], ast.Expr):
        shown.append(ast.get_source_segment(cell.source, body[-1]) or "")
    return "\n".join(shown)


def _unread_figures(cells) -> list[str]:
    """Figure cells not followed by markdown of at least two sentences saying what to see."""
    out = []
    for i, cell in enumerate(cells):
        shown = _shown(cell)
        if not any(call in shown for call in FIGURE_CALLS) and ".show(" not in shown:
            continue
        after = cells[i + 1] if i + 1 < len(cells) else None
        if after is None or after.cell_type != "markdown" or after.source.startswith("#"):  # not a new section
            out.append(f"figure cell {i} is not read back")
            continue
        sentences = [s for s in after.source.replace("\n", " ").split(". ") if s.strip()]
        if len(sentences) < 2:
            out.append(f"cell {i + 1} reads the figure back in {len(sentences)} sentence(s)")
    return out


@pytest.mark.parametrize("stem", PAIRS)
def test_every_figure_is_read_back(stem):
    """A cell that shows a figure is followed by markdown telling what to see (2-3 sentences)."""
    assert not _unread_figures(jupytext.read(NOTEBOOKS / f"{stem}.py").cells), stem


def test_the_read_back_detector_detects():
    from nbformat.v4 import new_code_cell, new_markdown_cell

    shown = new_code_cell("prone = iacviz.replacement_prone(estate)\nviews.replacement_table(\n    prone\n)")
    told = new_markdown_cell("Red cells hold data. Each row is a property.")
    assert _unread_figures([shown, new_code_cell("x = 1")]) == ["figure cell 0 is not read back"]
    assert _unread_figures([shown, new_markdown_cell("Look.")])
    assert _unread_figures([shown, new_markdown_cell("## Next topic\n\nIt starts here. It goes on.")])
    assert not _unread_figures([shown, told])
    assert not _unread_figures([new_code_cell("iacviz.review(estate)"), new_code_cell("x")])
    assert not _unread_figures([new_code_cell("fig = views.export_map(s, i, e)"), new_code_cell("x")])
    assert _unread_figures([new_code_cell("fig = views.export_map(s, i, e)\nfig.show()\nx = 1"), new_code_cell("x")])


def test_learner_copies_have_no_solutions(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "learner_notebooks", NOTEBOOKS.parent / "scripts" / "learner_notebooks.py"
    )
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    assert script.main([str(tmp_path)]) == 0
    written = sorted(p.stem for p in tmp_path.glob("*.ipynb"))
    assert written == PAIRS
    for stem in written:
        nb = nbformat.read(tmp_path / f"{stem}.ipynb", as_version=4)
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        text = "\n".join(c.source for c in nb.cells)
        assert "show_solution" not in text and "### Solution" not in text, stem
        assert "workshop.check(" in text or stem.startswith("00"), f"{stem}: the exercises stay"


def test_agenda_fits_two_hours_with_a_break():
    import re

    kit = (NOTEBOOKS.parent / "docs" / "workshop.md").read_text(encoding="utf-8")
    agenda = kit.split("## Agenda", 1)[1].split("\n## ", 1)[0]
    rows = [line.split("|") for line in agenda.splitlines() if re.match(r"\|[^-]", line) and "minutes" not in line]
    minutes = {row[1].strip(): int(row[3]) for row in rows}
    assert sum(minutes.values()) <= 120, minutes
    assert minutes.get("Break", 0) >= 10
    for stem in PAIRS:  # every notebook has its slot
        assert any(stem in row[2] for row in rows), stem
    assert any("optional" in name.lower() for name in minutes)


def test_make_test_runs_every_notebook_cell_through_nbval():
    """`make test` hands notebooks/ to nbval, and its collection holds every code cell of 00 to 08
    (no notebook ignored by the pytest options, no cell skipped by a tag)."""
    import re
    import subprocess
    import sys

    root = NOTEBOOKS.parent
    recipe = (root / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "--nbval-lax" in recipe and re.search(r"\snotebooks(\s|$)", recipe), recipe
    assert [s[:2] for s in PAIRS] == [f"{n:02d}" for n in range(9)], PAIRS
    found = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--nbval-lax", "notebooks"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
    ).stdout
    cells = {stem: len(re.findall(rf"^notebooks/{re.escape(stem)}\.ipynb::Cell \d+$", found, re.M)) for stem in PAIRS}
    for stem in PAIRS:
        nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        skipped = [c for c in code if {"nbval-skip", "skip-execution"} & set(c.metadata.get("tags", []))]
        assert not skipped, f"{stem}: cells skipped under nbval"
        assert cells[stem] == len(code), f"{stem}: nbval collects {cells[stem]} of {len(code)} code cells"
