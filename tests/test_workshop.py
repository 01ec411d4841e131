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
        [(lambda e: len(e.resources), "every resource of the estate")],  # the whole sample, whatever it holds
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
    "stateful-without-policies": ({}, [7, "7"], [(19, "every stateful resource"), (14, "log groups")], True),
    "stack-stateful": (
        {"stack": "data"},
        [6, "6", "six".replace("six", "6")],
        [
            (15, "every resource of the stack"),
            (19, "every stateful resource of the estate"),
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
        wrong = wrong(sample) if callable(wrong) else wrong
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
    assert "2 without the clickops tag" in said and "deployment-artifact buckets" in said
    assert workshop.check("clickops-resources", "three", Live()) is False
    assert "Not an answer yet" in _said(capsys)


def test_clickops_slips_tell_service_made_and_aws_defaults_apart(capsys):
    # The demo account as a live scan sees it: defaults, what services made, click-ops with and without the tag.
    import pandas as pd

    class Live:
        unmanaged = pd.DataFrame(
            {
                "tags": [{"owner": "clickops"}] * 3 + [{}] * 2 + [{}] * 3 + [{"aws:autoscaling:groupName": "w"}],
                "managed_by": ["none"] * 5 + ["aws"] * 3 + ["service"],
            }
        )

    assert workshop.check("clickops-resources", 3, Live()) is True
    assert workshop.check("clickops-resources", 9, Live()) is False
    said = _said(capsys)
    assert "3 AWS-owned defaults" in said and "1 made by a service" in said and "2 without the clickops tag" in said
    assert workshop.check("clickops-resources", 5, Live()) is False
    assert "those 5 are the click-ops rows (managed_by none), and 2 of them" in _said(capsys)


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
STEP_2 = ROOT / "data" / "scenarios" / "capstone-step-2"
TASKS = ["capstone-protect-db", "capstone-move-queues", "capstone-migration"]


@pytest.mark.parametrize("task", TASKS)
def test_capstone_reference_solution_passes(task, sample, capsys):
    assert workshop.check(task, CAPSTONE, sample) is True
    assert _said(capsys).startswith("Right:")


def test_capstone_step_2_reference_passes_from_the_step_1_reference(sample, capsys):
    assert workshop.check("capstone-migration-step-2", STEP_2, sample, deployed=CAPSTONE) is True
    said = _said(capsys)
    assert said.startswith("Right:"), said
    # the three removals of the reference, read from the plan, and nothing else
    assert "network/DbIngressFromApp, network/DbSecurityGroup, network/DbSecurityGroupId, nothing" in said


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_capstone_reference_is_a_full_copy_of_the_sample():
    """The learner's copy is the whole sample: so is the reference, edited in three files only.
    (New files in the sample belong in both capstone folders too: copy them over.)"""
    sample, one = _files(SAMPLE), _files(CAPSTONE)
    assert set(one) == set(sample) - {"README.md"}
    edited = {k for k in one if one[k] != sample[k]}
    assert edited == {"data/data.yaml", "network/network.yaml", "web/storefront/.ebextensions/02-resources.config"}


def test_capstone_step_2_reference_stays_a_full_copy_of_step_1():
    """Step 2 is one later release: only network.yaml differs from the step 1 reference."""
    one, two = _files(CAPSTONE), _files(STEP_2)
    assert set(one) == set(two)
    assert {k for k in one if one[k] != two[k]} == {"network/network.yaml"}


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


def _step_2(tmp_path, edit=None):
    """A copy of the step 2 reference with `edit(text of network.yaml, text of data.yaml)` applied."""
    import shutil

    work = tmp_path / "step-2"
    shutil.copytree(STEP_2, work)
    if edit:
        net, data = work / "network" / "network.yaml", work / "data" / "data.yaml"
        new_net, new_data = edit(net.read_text(), data.read_text())
        net.write_text(new_net)
        data.write_text(new_data)
    return work


def _cut(text, start, end):
    """`text` without the lines from the one starting with `start` to the one before `end`."""
    i, j = text.index(start), text.index(end)
    return text[:i] + text[j:]


STEP_2_SLIPS = {
    # step 1 handed in as step 2: the old export is still there
    "old export kept": (None, "shop-network-DbSecurityGroupId is still exported"),
    # the export removed, the group it exposed kept
    "old group kept": (
        lambda n, d: (
            n.replace(
                "  DbSecurityGroupV2:\n",
                "  DbSecurityGroup:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
                "      GroupDescription: Shop PostgreSQL database\n      VpcId: !Ref Vpc\n\n  DbSecurityGroupV2:\n",
            ),
            d,
        ),
        "network/DbSecurityGroup is still there",
    ),
    # the database back on the old export, which step 2 removed
    "importer reverted": (
        lambda n, d: (n, d.replace("-DbSecurityGroupV2Id", "-DbSecurityGroupId")),
        "shop-network-DbSecurityGroupId: imported, but no stack exports it",
    ),
    # the new group replaced as well (a create-only property): its export is in use by data
    "new group replaced too": (
        lambda n, d: (n.replace("Shop PostgreSQL database (v2)", "Shop PostgreSQL database (v3)"), d),
        "cannot be updated as it is in use by data",
    ),
}


@pytest.mark.parametrize("slip", sorted(STEP_2_SLIPS))
def test_capstone_step_2_known_slips(slip, sample, tmp_path, capsys):
    edit, words = STEP_2_SLIPS[slip]
    work = _step_2(tmp_path, edit) if edit else CAPSTONE
    assert workshop.check("capstone-migration-step-2", work, sample, deployed=CAPSTONE) is False
    said = _said(capsys)
    assert said.startswith("Not yet:") and words in said, said


def test_capstone_step_2_needs_a_finished_step_1(sample, tmp_path, capsys):
    """The untouched copies fail at their root: step 1 is not done, so step 2 cannot be judged."""
    work = workshop.capstone_copy(tmp_path / "work")
    step_2 = workshop.capstone_copy(tmp_path / "work-step-2", source=work)
    assert workshop.check("capstone-migration-step-2", step_2, sample, deployed=work) is False
    said = _said(capsys)
    assert said.startswith("Not yet:") and "step 2 starts from a finished step 1" in said
    assert "add a new security group" in said, said
    # the reference step 2 on an unfinished step 1 fails the same way
    assert workshop.check("capstone-migration-step-2", STEP_2, sample, deployed=work) is False
    assert "not one yet" in _said(capsys)
    assert workshop.check("capstone-migration-step-2", STEP_2, sample) is False
    assert "deployed=WORK" in _said(capsys)


@pytest.mark.parametrize("answer", [42, ["capstone-work"], "no-such-folder"])
def test_capstone_malformed_answers(answer, sample, tmp_path, capsys):
    for task in TASKS + ["capstone-migration-step-2"]:
        assert workshop.check(task, answer, sample, **({"deployed": CAPSTONE} if "step-2" in task else {})) is False
        said = _said(capsys)
        assert said.startswith("Not an answer yet:") and "folder" in said, said
    assert workshop.check("capstone-migration-step-2", STEP_2, sample, deployed=answer) is False
    assert _said(capsys).startswith("Not an answer yet:")


def test_capstone_step_2_copy_is_made_once_from_step_1(tmp_path):
    work = workshop.capstone_copy(tmp_path / "work")
    (work / "network" / "network.yaml").write_text("# step 1 edits\n")
    step_2 = workshop.capstone_copy(tmp_path / "work-step-2", source=work)
    assert (step_2 / "network" / "network.yaml").read_text() == "# step 1 edits\n"
    (step_2 / "network" / "network.yaml").write_text("# step 2 edits\n")
    again = workshop.capstone_copy(tmp_path / "work-step-2", source=work)  # re-running the cell keeps step 2
    assert (again / "network" / "network.yaml").read_text() == "# step 2 edits\n"
    fresh = workshop.capstone_copy(tmp_path / "work-step-2", source=work, fresh=True)
    assert (fresh / "network" / "network.yaml").read_text() == "# step 1 edits\n"


def _by_parameter(root):
    """The step 1 reference changed to hand the new group's id to data through an SSM parameter."""
    data, net = root / "data" / "data.yaml", root / "network" / "network.yaml"
    text = data.read_text().replace(
        "  DbEngineVersion:\n",
        "  DbSecurityGroupParam:\n    Type: AWS::SSM::Parameter::Value<AWS::EC2::SecurityGroup::Id>\n"
        "    Default: /shop/prod/db-security-group-id\n  DbEngineVersion:\n",
        1,
    )
    data.write_text(
        text.replace("- Fn::ImportValue: !Sub '${NetworkStack}-DbSecurityGroupV2Id'", "- !Ref DbSecurityGroupParam")
    )
    text = net.read_text().replace(
        "  DbV2IngressFromApp:\n",
        "  DbSecurityGroupV2IdParameter:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
        "      Name: /shop/prod/db-security-group-id\n      Type: String\n"
        "      Value: !GetAtt DbSecurityGroupV2.GroupId\n\n  DbV2IngressFromApp:\n",
        1,
    )
    export = text.index("  DbSecurityGroupV2Id:\n    Value")
    net.write_text(text[:export] + text[text.index("  NatGatewayId:\n    Condition") :])


def test_capstone_migration_through_a_parameter(sample, tmp_path, capsys):
    """The importer may read the new group from a parameter instead of a new export: accepted, with
    the caveat that CloudFormation does not check a parameter's value as it checks an import."""
    import shutil

    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(CAPSTONE, one)
    _by_parameter(one)
    assert "-DbSecurityGroupV2Id" not in (one / "network" / "network.yaml").read_text()  # no new export
    assert workshop.check("capstone-migration", one, sample) is True
    said = _said(capsys)
    assert "data reads the group from its parameter DbSecurityGroupParam" in said, said
    shutil.copytree(STEP_2, two)
    _by_parameter(two)
    assert workshop.check("capstone-migration-step-2", two, sample, deployed=one) is True, _said(capsys)
    # the parameter declared but Db still on the old export: not moved
    (one / "data" / "data.yaml").write_text(
        (one / "data" / "data.yaml")
        .read_text()
        .replace("- !Ref DbSecurityGroupParam", "- Fn::ImportValue: !Sub '${NetworkStack}-DbSecurityGroupId'")
    )
    assert workshop.check("capstone-migration", one, sample) is False
    assert "data still import shop-network-DbSecurityGroupId: switch them to the new group's id" in _said(capsys)


def test_capstone_copy_that_does_not_read_names_the_file(sample, tmp_path, capsys):
    import shutil

    work = tmp_path / "work"
    shutil.copytree(CAPSTONE, work)
    (work / "network" / "network.yaml").write_text("Resources: [unclosed\n")
    for task in ("capstone-migration", "capstone-move-queues"):
        assert workshop.check(task, work, sample) is False
        said = _said(capsys)
        assert "read error: network/network.yaml" in said, said


def test_review_questions_work_in_a_fresh_kernel():
    """Notebook 07's path: `from iacviz import workshop` and the review, with no other iacviz name
    touched first; the rules must register the derived frames they read (estate.export_problems)."""
    import subprocess
    import sys

    code = (
        "from iacviz import workshop\n"
        f"estate = workshop.open_source({str(SAMPLE)!r})\n"
        "assert workshop.solution('stateful-without-policies', estate) > 0\n"  # it runs the review
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
