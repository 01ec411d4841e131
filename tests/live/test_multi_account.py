"""Several accounts and regions, live: the demo deploys ``network`` and ``data`` (data imports
network's exports) under the same names in a second region and in a second account, which
iacviz reaches through sts:AssumeRole (moto maps the credentials to the role's account)."""

from __future__ import annotations

import boto3
import pytest
from live_helpers import REGION, body_of, fail_with

import iacviz
from iacviz.lab.demo_account import DEMO_ROLE, SECOND_ACCOUNT, SECOND_REGION, deploy_other_places

PLACES = {
    ("123456789012", REGION),
    ("123456789012", SECOND_REGION),
    (SECOND_ACCOUNT, REGION),
    (SECOND_ACCOUNT, SECOND_REGION),
}


@pytest.fixture(scope="module")
def places(demo_account):
    if not demo_account.places:
        deploy_other_places(demo_account)
    assert not demo_account.errors, demo_account.errors
    return demo_account


@pytest.fixture(scope="module")
def estate(places):
    return iacviz.load_live(
        session=places.session(),
        accounts=places.accounts,
        role_name=DEMO_ROLE,
        regions=places.regions,
        endpoint_url=places.endpoint_url,
        progress=False,
    )


def test_every_account_and_region_is_read_with_unique_stack_keys(estate, places):
    st = estate.stacks
    assert st["stack"].is_unique
    net = st[st.stack_name == "network"]
    assert set(zip(net.account, net.region)) == PLACES
    assert set(net["stack"]) == {f"network@{a}:{r}" for a, r in PLACES}
    # a name deployed once keeps its plain key
    assert "orders-api" in set(st["stack"])
    # every frame's stack column holds keys of the stacks frame
    for name in ("resources", "outputs", "parameters", "properties"):
        assert set(getattr(estate, name)["stack"]) <= set(st["stack"]), name
    assert not (estate.errors.severity == "error").any(), estate.errors.message.tolist()


def test_live_frames_hold_stack_keys_of_their_own_place(estate):
    # ListExports and ListImports name stacks by their CloudFormation name; the frames hold keys
    st = estate.stacks.set_index("stack")
    columns = [
        (estate.live_exports, "stack"),
        (estate.live_imports, "exporting_stack"),
        (estate.live_imports, "importing_stack"),
        (estate.unmanaged, "owner_stack"),
    ]
    for frame, col in columns:
        keys = frame[col].dropna()
        assert set(keys) <= set(st.index), col
        for key, account, region in zip(keys, frame.account[keys.index], frame.region[keys.index]):
            assert (st.account[key], st.region[key]) == (account, region), col
    vpc = estate.live_exports[estate.live_exports.export_name == "shop-network-VpcId"]
    assert set(vpc["stack"]) == {f"network@{a}:{r}" for a, r in PLACES}
    # moto does not implement ListImports (a warning row): live_imports and owner_stack are
    # keyed the same way, tests/test_live_frames.py checks them on a read of two places


def test_imports_link_inside_their_own_account_and_region(estate):
    st = estate.stacks.set_index("stack")
    imp = estate.imports[estate.imports["stack"].str.startswith("data@")]
    assert len(imp) and set(imp.link) == {"exact"}
    for importer, exporter in zip(imp["stack"], imp.export_stack):
        assert tuple(st.loc[importer, ["account", "region"]]) == tuple(st.loc[exporter, ["account", "region"]])
    assert len({(s, e) for s, e in zip(imp["stack"], imp.export_stack)}) == 4


def test_the_same_export_in_four_places_is_no_duplicate(estate):
    problems = estate.export_problems
    assert "duplicate export" not in set(problems.kind)
    vpc = estate.exports[estate.exports.export_name == "shop-network-VpcId"]
    assert len(vpc) == 4 and (vpc.n_importers >= 1).all()
    st = estate.stacks.set_index("stack")
    for exporter, importers in zip(vpc["stack"], vpc.importers):
        assert "data" in {st.stack_name[i] for i in importers}
        assert {tuple(st.loc[i, ["account", "region"]]) for i in importers} == {
            tuple(st.loc[exporter, ["account", "region"]])
        }


def test_a_blast_radius_stays_inside_one_account_region(estate):
    target = f"network@{SECOND_ACCOUNT}:{SECOND_REGION}"
    blast = iacviz.blast_radius(estate, f"{target}/Vpc")
    assert set(blast["stack"]) == {target, f"data@{SECOND_ACCOUNT}:{SECOND_REGION}"}
    # the short spelling a user types reaches the same stack
    same = iacviz.blast_radius(estate, f"network@{SECOND_REGION}:{SECOND_ACCOUNT}/Vpc")
    assert same["stack"].tolist() == blast["stack"].tolist()
    with pytest.raises(iacviz.IacvizError, match="ambiguous"):
        iacviz.blast_radius(estate, "network/Vpc")


def test_deployment_order_and_review_keep_places_apart(estate):
    order = iacviz.deployment_order(estate)
    flat = [s for wave in order for s in wave] if isinstance(order[0], list) else list(order)
    for a, r in PLACES:
        assert flat.index(f"network@{a}:{r}") < flat.index(f"data@{a}:{r}")
    findings = iacviz.review(estate)
    assert set(findings["stack"].dropna()) <= set(estate.stacks["stack"])
    net_findings = findings[findings["stack"].str.startswith("network@").fillna(False)]
    # the three places holding only network and data give the same findings; the main one,
    # where more stacks import network's exports, differs: no place sees another's importers
    per_place = net_findings.groupby("stack").rule_id.apply(lambda s: tuple(sorted(s))).to_dict()
    main = per_place.pop(f"network@123456789012:{REGION}")
    assert len(per_place) == 3 and len(set(per_place.values())) == 1
    assert set(per_place.values()) != {main}


def test_sessions_one_per_account_read_the_same_estate(estate, places):
    other = next(p for p in places.places if p.account == SECOND_ACCOUNT)
    both = iacviz.load_live(
        sessions=[places.session(), other.session()],
        regions=places.regions,
        endpoint_url=places.endpoint_url,
        progress=False,
    )
    assert set(both.stacks["stack"]) == set(estate.stacks["stack"])


def test_a_denied_account_is_an_error_row_and_the_others_load(places):
    s = places.session()
    s.events.register(
        "before-send.sts.AssumeRole",
        fail_with(
            403,
            "AccessDenied",
            "not authorized to perform: sts:AssumeRole",
            when=lambda r: SECOND_ACCOUNT in body_of(r),
        ),
    )
    e = iacviz.load_live(
        session=s,
        accounts=places.accounts,
        role_name=DEMO_ROLE,
        regions=places.regions,
        endpoint_url=places.endpoint_url,
        progress=False,
    )
    errors = e.errors[e.errors.severity == "error"]
    assert errors.source.tolist() == [f"live:{SECOND_ACCOUNT}/{REGION}/AssumeRole"]
    assert "access denied" in errors.message.iloc[0] and DEMO_ROLE in errors.message.iloc[0]
    assert set(e.stacks.account) == {places.account}
    assert set(e.stacks.region) == {REGION, SECOND_REGION}


def test_the_organization_lists_its_active_accounts(places):
    org = places.client("organizations")
    try:
        org.create_organization(FeatureSet="ALL")
    except org.exceptions.AlreadyInOrganizationException:
        pass
    accounts = [a["Id"] for a in org.list_accounts()["Accounts"]]
    e = iacviz.load_live(
        session=places.session(),
        accounts="organization",
        role_name=DEMO_ROLE,
        regions=[REGION],
        endpoint_url=places.endpoint_url,
        progress=False,
    )
    assert set(e.stacks.account) <= set(accounts) and places.account in set(e.stacks.account)
    assert e.stacks["stack"].is_unique


def test_assume_role_is_the_only_call_that_is_not_a_read(places):
    seen: list = []
    s = places.session()
    s.events.register("before-parameter-build", lambda model, **_: seen.append(model.name))
    from iacviz.sources.live import account_sessions

    sessions, errors = account_sessions(s, [SECOND_ACCOUNT], DEMO_ROLE, endpoint_url=places.endpoint_url)
    assert not errors and [a for a, _ in sessions] == [SECOND_ACCOUNT]
    assert set(seen) == {"GetCallerIdentity", "AssumeRole"}
    ident = sessions[0][1].client("sts", endpoint_url=places.endpoint_url).get_caller_identity()
    assert ident["Account"] == SECOND_ACCOUNT
    assert isinstance(sessions[0][1], boto3.Session)
