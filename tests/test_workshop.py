"""workshop.check on the sample estate: for every question the right answer in each of its
equivalent forms, each known wrong answer with its targeted feedback, and a malformed answer.

The right answers are written here by hand from the sample (the numbers the notebooks pin),
never computed with the expression check uses."""
from __future__ import annotations

import pytest

import iacviz
from estate_files import ROOT, SAMPLE
from iacviz import workshop

RELEASE_2 = ROOT / "data" / "scenarios" / "release-2"


@pytest.fixture(scope="module")
def sample():
    return iacviz.load(SAMPLE)


@pytest.fixture(scope="module")
def after():
    return iacviz.load(RELEASE_2)


def _said(capsys) -> str:
    return capsys.readouterr().out


# question -> (params, right answers in equivalent forms, [(known wrong answer, words of its feedback)], malformed)
CASES = {
    "stack-resources": ({"stack": "data"}, [15, "15", " 15 ", 15.0, [15]],
                        [(90, "every resource of the estate")], "fifteen"),
    "most-persistent": ({}, ["network", "Network", ["network"], " network "],
                        [("data", "stateful")], 42),
    "export-importers": ({"export": "shop-network-PrivateSubnetIds"}, [4, "4"],
                         [(8, "importing resources")], {"four": 4}),
    "deletion-reach": ({"target": "data/OrdersQueue"}, [4, "4"],
                       [(5, "own stack")], "many"),
    "stateful-without-policies": ({}, [6, "6"], [(14, "every stateful resource")], True),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_right_answers_in_equivalent_forms(name, sample, capsys):
    params, rights, _, _ = CASES[name]
    for right in rights:
        assert workshop.check(name, right, sample, **params) is True, right
        assert _said(capsys).startswith("Right:")


@pytest.mark.parametrize("name", sorted(CASES))
def test_known_wrong_answers_get_their_feedback(name, sample, capsys):
    params, _, wrongs, _ = CASES[name]
    for wrong, words in wrongs:
        assert workshop.check(name, wrong, sample, **params) is False
        said = _said(capsys)
        assert said.startswith("Not quite:") and words in said and "Hint" not in said, said


@pytest.mark.parametrize("name", sorted(CASES))
def test_other_wrong_and_malformed_answers(name, sample, capsys):
    params, _, _, malformed = CASES[name]
    assert workshop.check(name, malformed, sample, **params) is False
    assert _said(capsys).startswith("Not an answer yet:")
    other = "iam" if name == "most-persistent" else 1
    assert workshop.check(name, other, sample, **params) is False
    assert "Hint:" in _said(capsys)


def test_release_data_loss_forms_and_slips(sample, after, capsys):
    for right in ["data/Db", ["data/Db"], "DATA/db", "Db"]:
        assert workshop.check("release-data-loss", right, sample, after=after) is True
    assert "name the stack too" in _said(capsys)  # "Db" alone is accepted, with a note
    assert workshop.check("release-data-loss", "network/AppSecurityGroup", sample, after=after) is False
    assert "refuses" in _said(capsys)
    assert workshop.check("release-data-loss", ["data/Db", "network/Vpc"], sample, after=after) is False
    assert "Hint:" in _said(capsys)
    assert workshop.check("release-data-loss", 3, sample, after=after) is False
    assert _said(capsys).startswith("Not an answer yet:")
    assert workshop.check("release-data-loss", [], sample, after=sample) is True  # no release: nothing lost


def test_clickops_slip_names_the_artifact_buckets(capsys):
    # A stand-in for the demo account's unmanaged frame: 3 clicked by hand, 2 deployment buckets.
    import pandas as pd

    class Live:
        unmanaged = pd.DataFrame({"tags": [{"owner": "clickops"}] * 3 + [{}, {"purpose": "deploy"}]})

    assert workshop.check("clickops-resources", "3", Live()) is True
    assert workshop.check("clickops-resources", 5, Live()) is False
    said = _said(capsys)
    assert "those 5 include 2" in said and "deployment-artifact buckets" in said
    assert workshop.check("clickops-resources", "three", Live()) is False
    assert "Not an answer yet" in _said(capsys)


def test_examples_are_picked_from_the_data(sample):
    assert workshop.busiest_export(sample) == "shop-network-PrivateSubnetIds"  # 4 importers, the most
    assert workshop.stateful_stack(sample) == "data"
    assert workshop.exported_resource(sample) == "network/PrivateSubnetA"  # behind the busiest export
    # Preferred names are kept only when the estate has them.
    assert workshop.busiest_export(sample, prefer="nope") == "shop-network-PrivateSubnetIds"
    assert workshop.widest_stateful(sample, prefer="data/Db") == "data/Db"
    assert workshop.widest_stateful(sample, prefer="x/Y") in {"data/OrdersQueue", "data/DataKey", "data/OrdersTable",
                                                                 "data/AssetsBucket", "data/Db"}


def test_show_solution_is_silent_until_asked(sample, capsys):
    workshop.show_solution("stack-resources", sample, stack="data")
    said = _said(capsys)
    assert said.startswith("Solution stack-resources") and "15" in said
