# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 4. Blast radius: what one change reaches (12 minutes)
#
# Before you change a resource, ask: **what else changes with it?** CloudFormation answers only
# for one stack at a time, in a change set, and only once you have made it. The blast radius
# follows every `Ref`, `GetAtt`, `Sub` and `ImportValue` backwards from the changed resource,
# across stacks, and says for each resource reached:
#
# * **impact**: `replaced` (a new physical resource: new id, data gone unless kept),
#   `conditional` (may be replaced), `updated` (changed in place), `broken` (what it references
#   is gone) or `deleted`;
# * **depth** and **path**: how many references away, and through which;
# * **stateful** / **protected**: does it hold data, and does its `UpdateReplacePolicy` (for a
#   replacement) or `DeletionPolicy` (for a deletion) keep a copy;
# * **blocked**: why CloudFormation would refuse the change, for instance an export in use.
#
# The rule of thumb behind it: a resource that is *replaced* gets a new id, so everything that
# reads its id is changed too, and if the property reading it is create-only, that resource is
# replaced as well. That is how one edit ripples through a network.
#
# By the end you will be able to:
#
# * predict which resources and stacks a replacement or a deletion reaches, and how;
# * read the blast sunburst and the resource graph;
# * tell whether a stateful resource is protected against the change you plan.

# %% tags=["parameters"]
import os

# A folder of templates, a cdk.out, a snapshot folder, or "live:profile/region". Edit it here,
# or set IACVIZ_SOURCE before starting Jupyter to run every notebook on your own estate.
SOURCE = os.environ.get("IACVIZ_SOURCE", "../data/sample-estate")

# %%
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
estate

# %% [markdown]
# ## Replacing the resource behind the busiest export
#
# The same change as in notebook 3: `TARGET`, the resource behind the export with the most
# importers, is replaced. On the sample that is `network/AppSecurityGroup`; on your estate
# the next cell picks it from the data (change it to any `"stack/LogicalId"` you like).

# %%
TARGET = workshop.exported_resource(estate, prefer="network/AppSecurityGroup")
print("target:", TARGET)
blast = iacviz.blast_radius(estate, TARGET, "replace")
blast[["stack", "logical_id", "type", "depth", "impact", "blocked"]]

# %%
replaced = sorted(blast[blast.impact == "replaced"].logical_id)
workshop.expect(SOURCE, "replaced", replaced, ["AppIngressFromLoadBalancer", "AppSecurityGroup", "DbIngressFromApp"])
# "(scripts)" groups the build scripts that read the export (notebook 2): no stack, yet reached.
workshop.expect(SOURCE, "stacks reached", set(blast["stack"]),
                {"network", "orders-api", "storefront-env", "ShopWorkers", "(scripts)"})
blocked = blast[(blast.blocked != "") & (blast.kind == "resource")]
workshop.expect(SOURCE, "blocked resources", set(zip(blocked["stack"], blocked.logical_id)),
                {("orders-api", "CreateOrderFunction"), ("orders-api", "GetOrderFunction"),
                 ("orders-api", "ProcessOrderFunction"), ("storefront-env", "StorefrontEnvironment"),
                 ("ShopWorkers", "ServiceD69D759B")})

# %% [markdown]
# On the sample: inside `network`, the two ingress rules are replaced: their `GroupId` / `SourceSecurityGroupId`
# is create-only and reads the group's id. Across stacks, the functions, the ECS service and
# the Beanstalk environment would be *updated* (their security-group lists can change in place),
# but every row beyond the export is **blocked**: the export is in use.
#
# ## The sunburst
#
# From the centre out: stack, resource type, resource. Colour is the impact: **red** replaced,
# **orange** conditional, **gold** updated, **purple** broken, **black** deleted. A thick
# **dark-red outline** means blocked. A stack or type ring takes the colour of its worst
# resource, and ▶ marks the resource you changed. Click a stack to zoom in; hover for the path.

# %%
views.blast_sunburst(blast)

# %% [markdown]
# What to see: the inner ring is the stacks the change reaches, the outer rings their types and
# resources; red is replaced, gold updated, a dark outline blocked. On the sample the red stays in
# `network` while the other stacks are gold and outlined: the replacement itself would be
# refused, because the export is in use.

# %% [markdown]
# ## The same on the resource graph
#
# Here the change flows along the arrows, from a resource to what references it. Affected
# resources have their impact colour, and their unaffected neighbours in the same stack are grey,
# for context. Each stack's resources cluster around its name. The layout is seeded, so the
# picture is the same every time you run the notebook.

# %%
views.blast_graph(estate, blast)

# %% [markdown]
# What to see: the changed resource and the arrows leaving it, coloured by what happens to each
# resource reached. Follow an arrow across a stack's cluster: that is an import, where the blast
# crosses from one stack to another, and where CloudFormation checks that the export is free.

# %% [markdown]
# ## Deleting a stateful resource
#
# Deleting is worse than replacing: whatever references the deleted thing is **broken**.
# `DOOMED` is the stateful resource with the widest blast radius (on the sample, the orders
# queue `data/OrdersQueue`, whose URL, ARN and name other stacks import).
#
# Before you draw it, predict.

# %%
DOOMED = workshop.widest_stateful(estate, prefer="data/OrdersQueue") or TARGET
print("to delete:", DOOMED)

# %% [markdown]
# ## Exercise
#
# **Predict** before you look: if `DOOMED` were deleted, how many **other** stacks (not its
# own) would the change reach? Think about who imports its values; then check your guess.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
answer = None  # your answer here, e.g. answer = 3
workshop.check("deletion-reach", answer, estate, target=DOOMED)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("deletion-reach", estate, target=DOOMED)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("deletion-reach", 4, estate, target=DOOMED)

# %% [markdown]
# Now the picture. On the sample, deleting the queue would break the monitoring alarms, the
# workers' task definition, the IAM policy and the function's event source, and CloudFormation
# would refuse it, because the queue's exports are imported.

# %%
deletion = iacviz.blast_radius(estate, DOOMED, "delete")
views.blast_sunburst(deletion)

# %% [markdown]
# What to see: purple is broken, because what a resource pointed at is gone. Count the stacks in
# the inner ring and compare with your prediction: every importing stack is reached, and each
# import is a reason CloudFormation refuses the deletion.

# %% [markdown]
# ## Protected or not?
#
# `protected` tells whether the policy that applies to the impact keeps the data. The database
# is the classic case: `DeletionPolicy: Snapshot` protects it when it is **deleted**, but without
# an `UpdateReplacePolicy` a **replacement** deletes the old instance with no snapshot at all
# (cfn-lint warns about this too, W3011).

# %%
STATEFUL = workshop.widest_stateful(estate, prefer="data/Db") or TARGET  # the database, on the sample
db_replaced = iacviz.blast_radius(estate, STATEFUL, "replace").iloc[0]
db_deleted = iacviz.blast_radius(estate, STATEFUL, "delete").iloc[0]
workshop.expect(SOURCE, "Db protected when replaced / deleted",
                (bool(db_replaced.protected), bool(db_deleted.protected)), (False, True))
db_replaced[["stack", "logical_id", "impact", "stateful", "protected"]]

# %% [markdown]
# ## Explore
#
# Pick any resource, or an export (`export:...`), and a change. The sunburst follows (in a
# live notebook; run headless, it shows the first choice).

# %%
iacviz.blast_explorer(estate, target=TARGET)

# %% [markdown]
# What to see: the same sunburst for any resource or export you pick. Try a security group and a
# queue, and compare "replace" with "delete": the rings grow, and red turns purple.

# %% [markdown]
# ## Conclusion
#
# A replacement gives a resource a new identity, and everything that reads it follows: updated,
# replaced in turn, or blocked by an export in use. A deletion breaks whatever pointed at it. You
# can now ask "what else changes?" before you change anything, and check that the data is
# protected. Next: which properties trigger a replacement, and a preview of a real release.
