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
    "stack-resources": (
        {"stack": "data"},
        [15, "15", " 15 ", 15.0, [15]],
        [(90, "every resource of the estate")],
        "fifteen",
    ),
    "most-persistent": ({}, ["network", "Network", ["network"], " network "], [("data", "stateful")], 42),
    "export-importers": (
        {"export": "shop-network-PrivateSubnetIds"},
        [4, "4"],
        [(8, "importing resources")],
        {"four": 4},
    ),
    "deletion-reach": ({"target": "data/OrdersQueue"}, [4, "4"], [(5, "own stack")], "many"),
    "stateful-without-policies": ({}, [6, "6"], [(14, "every stateful resource"), (10, "log groups")], True),
    "stack-stateful": (
        {"stack": "data"},
        [6, "6", "six".replace("six", "6")],
        [
            (15, "every resource of the stack"),
            (14, "every stateful resource of the estate"),
            (0, ".stack is a DataFrame method"),
        ],
        "half",
    ),
    "split-mixed": (
        {"stack": "storefront"},
        [
            [
                "CartEventsQueue",
                "CartEventsDeadLetterQueue",
                "CartEventsDepthAlarm",
                "StorefrontHighCpuAlarm",
                "Storefront5xxAlarm",
            ],
            "storefront/Storefront5xxAlarm, storefront/StorefrontHighCpuAlarm, CartEventsDepthAlarm, "
            "CartEventsQueue, CartEventsDeadLetterQueue",
        ],
        [
            (["CartEventsQueue", "CartEventsDeadLetterQueue"], "stateful ones"),
            (["AWSEBAutoScalingGroup"], "ephemeral ones"),
        ],
        7,
    ),
    "must-go-first": (
        {"stack": "data"},
        [
            ["iam", "orders-api", "ShopWorkers", "storefront-env", "ShopMonitoring", "storefront"],
            "storefront, shopmonitoring, storefront-env, shopworkers, orders-api, iam",
        ],
        [(["iam", "orders-api", "ShopWorkers", "storefront-env", "ShopMonitoring"], "directly")],
        5,
    ),
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
    other = {"most-persistent": "iam", "split-mixed": ["Nope"], "must-go-first": ["edge"]}.get(name, 1)
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
    assert workshop.widest_stateful(sample, prefer="x/Y") in {
        "data/OrdersQueue",
        "data/DataKey",
        "data/OrdersTable",
        "data/AssetsBucket",
        "data/Db",
    }


def test_show_solution_is_silent_until_asked(sample, capsys):
    workshop.show_solution("stack-resources", sample, stack="data")
    said = _said(capsys)
    assert said.startswith("Solution stack-resources") and "15" in said


def test_missing_in_account_names_both_reasons(sample, capsys):
    class Live:  # the stacks a deployed account lists: no storefront, the nested stack renamed
        stacks = sample.stacks[~sample.stacks["stack"].isin(["storefront", "edge-WafStack"])]

    assert workshop.check("missing-in-account", ["storefront", "edge-WafStack"], Live(), repo=sample) is True
    assert workshop.check("missing-in-account", "storefront", Live(), repo=sample) is False
    assert "nested stack" in _said(capsys)
    assert workshop.check("missing-in-account", 2, Live(), repo=sample) is False
    assert "Not an answer yet" in _said(capsys)


# -- the capstone: the reference solution passes, the untouched copy fails with feedback ---------

CAPSTONE = ROOT / "data" / "scenarios" / "capstone"
TASKS = ["capstone-protect-db", "capstone-move-queues", "capstone-migration"]


@pytest.mark.parametrize("task", TASKS)
def test_capstone_reference_solution_passes(task, sample, capsys):
    assert workshop.check(task, CAPSTONE, sample) is True
    assert _said(capsys).startswith("Right:")


@pytest.mark.parametrize(
    "task, words",
    [
        ("capstone-protect-db", "UpdateReplacePolicy"),
        ("capstone-move-queues", "storefront still holds"),
        ("capstone-migration", "new security group"),
    ],
)
def test_capstone_untouched_copy_fails_helpfully(task, words, sample, tmp_path, capsys):
    work = workshop.capstone_copy(tmp_path / "work")
    assert workshop.check(task, work, sample) is False
    said = _said(capsys)
    assert said.startswith("Not yet:") and words in said, said


def test_capstone_known_slips(sample, tmp_path, capsys):
    """DeletionPolicy is not UpdateReplacePolicy; removing the old export in step 1 is refused."""
    work = workshop.capstone_copy(tmp_path / "work")
    assert workshop.check("capstone-protect-db", work, sample) is False
    assert "DeletionPolicy: Snapshot, which applies when the resource is deleted" in _said(capsys)
    import shutil

    shutil.copytree(CAPSTONE, tmp_path / "hasty")
    net = tmp_path / "hasty" / "network" / "network.yaml"
    text = net.read_text()
    start = text.index("  DbSecurityGroupId:\n")
    end = text.index("  DbSecurityGroupV2Id:\n")
    net.write_text(text[:start] + text[end:])  # the old export removed in the same step
    assert workshop.check("capstone-migration", tmp_path / "hasty", sample) is False
    assert "keep it until step 2" in _said(capsys)
    fresh = workshop.capstone_copy(tmp_path / "work", fresh=True)
    assert (fresh / "data" / "data.yaml").read_text() == (SAMPLE / "data" / "data.yaml").read_text()
