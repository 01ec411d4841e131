"""iacviz.cfn.cfnlint_files reads cfn-lint's bundled files as cfn-lint itself does, without importing it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cfnlint.helpers import REGIONS, valid_snapshot_types
from cfnlint.schema.manager import ProviderSchemaManager
from cfnlint.schema import ResourceNotFoundError

from iacviz.cfn import cfnlint_files as files
from iacviz.cfn import update_behavior as ub


def _manager() -> ProviderSchemaManager:
    return ProviderSchemaManager(
        providers_dir=files.BUNDLED_SCHEMAS / "providers", resources_dir=files.BUNDLED_SCHEMAS / "resources"
    )


# us-east-1 (every type), a region with a file of its own, one cfn-lint lists without a file
# (falls back to us-east-1's), and the China partition (fewer types).
@pytest.mark.parametrize("region", ["us-east-1", "eu-west-1", "me-south-1", "cn-north-1"])
def test_every_schema_is_cfn_lints(region):
    manager = _manager()
    types = manager.get_resource_types(region)
    assert list(files.provider_types(region)) == types
    for rtype in types + ["Module", "Acme::Not::AType"]:
        try:
            expected = manager.get_resource_schema(region, rtype).schema
        except ResourceNotFoundError:
            expected = None
        assert files.resource_schema(region, rtype) == expected, rtype


def test_helpers_constants_are_cfn_lints():
    assert files.helpers().REGIONS == REGIONS
    assert files.helpers().valid_snapshot_types == valid_snapshot_types


def test_behavior_does_not_import_cfn_lint():
    # What the speed is for: answering update behaviour never loads the linter.
    code = (
        "import sys; from iacviz.cfn import update_behavior as ub, policies;"
        "assert ub.behavior('AWS::EC2::VPC', '/properties/CidrBlock') == 'replace';"
        "assert ub.type_rules('AWS::S3::Bucket', 'eu-west-1').known;"
        "assert policies.supports_snapshot('AWS::EC2::Volume');"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'cfnlint'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_region_still_refused():
    with pytest.raises(Exception, match="region"):
        ub.type_rules("AWS::EC2::VPC", region="me-north-9")
    assert ub.type_rules("AWS::EC2::VPC", region="me-south-1").known  # listed by cfn-lint, no file of its own
