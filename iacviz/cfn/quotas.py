"""CloudFormation's own quotas, as its User Guide states them ("Understand CloudFormation
quotas", cloudformation-limits.html). Transforms do not lift them: "Using the Fn::ForEach
intrinsic function does not change the quotas, which apply to the resultant template".

>>> MAX_RESOURCES, MAX_TEMPLATE_BYTES
(500, 1048576)
"""

from __future__ import annotations

MAX_RESOURCES = 500  # resources declared in one template
MAX_TEMPLATE_BYTES = 1024 * 1024  # a template body read from S3 (1 MB), the largest CloudFormation takes
