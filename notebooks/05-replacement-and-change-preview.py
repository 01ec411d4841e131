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
# # 5. Replacement and change preview (14 minutes)
#
# Every property of a resource type updates in one of three ways (the resource provider schemas
# say which):
#
# * **in place**: the resource is changed and keeps its identity (a function's memory size);
# * **replace**: the property is *create-only*, so CloudFormation creates a new resource and
#   deletes the old one (a database's `DBName`, a security group's description);
# * **conditional**: replaced only in some cases.
#
# A replacement is harmless for a function and a disaster for a database: the new one is
# empty. This notebook shows which properties of the estate replace, which of them are driven
# from *outside* the resource (parameters, mappings, imports: a change nobody sees in the
# resource's own lines), and then previews the change set of a real release, **release-2**.
#
# By the end you will be able to:
#
# * say which properties of a resource replace it when they change, and which are driven from
#   outside the resource (parameters, mappings, imports);
# * check that a stateful resource has both `DeletionPolicy` and `UpdateReplacePolicy`;
# * preview the change set of a release offline, and find the data it would lose.

# %% tags=["parameters"]
import os

# A folder of templates, a cdk.out, a snapshot folder, or "live:profile/region". Edit it here,
# or set IACVIZ_SOURCE before starting Jupyter to run every notebook on your own estate.
SOURCE = os.environ.get("IACVIZ_SOURCE", "../data/sample-estate")
# The same estate after a release: on the sample, release-2. With your own SOURCE, set
# IACVIZ_AFTER to the templates of your release branch; left empty, the estate is compared with itself.
AFTER = os.environ.get("IACVIZ_AFTER", "" if "IACVIZ_SOURCE" in os.environ else "../data/scenarios/release-2")

# %%
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
estate

# %% [markdown]
# ## Update behaviour by type
#
# Rows are the resource types of the estate, columns the properties they set; red means
# "changing it replaces the resource", orange "may replace", green "in place", grey "unknown".
# The types with the most create-only properties come first (the top 25 here).

# %%
views.update_behavior_heatmap(estate.properties, estate.resources, max_rows=25)

# %% [markdown]
# What to see: rows with a lot of red are types whose properties mostly replace them when changed;
# a red cell in a stateful type's row (a database, a table, a queue) is a property to edit with
# care. Grey cells are properties whose update behaviour is not known from the schemas.

# %% [markdown]
# ## Replacement-prone properties
#
# A create-only property written as a literal replaces its resource only when someone edits it.
# One whose value comes from a **parameter**, a mapping lookup keyed by a parameter, or an
# **import** can replace the resource in a release where nobody touched it. Below, those driven
# by parameters and imports. A red `stateful` cell means that the resource holds data and that
# no `UpdateReplacePolicy` keeps it.

# %%
prone = iacviz.replacement_prone(estate)
external = prone[prone.drivers.str.contains("parameter|import")]
workshop.expect(SOURCE, "Db.DBName is replacement-prone",
                bool(((external.logical_id == "Db") & (external.path == "/properties/DBName")).any()), True)
views.replacement_table(external)

# %% [markdown]
# What to see: each row is one property and the input it hangs on, in the `driven by` column (a
# parameter such as `Env`, or an import of another stack's export). Nothing here changes until that
# input does, but then the resource is replaced without anyone editing it. The rows to worry about
# are the few with a red `stateful` cell: a new value there replaces a resource that holds data,
# and nothing keeps the old copy.

# %% [markdown]
# ## Protection: DeletionPolicy and UpdateReplacePolicy
#
# Two attributes decide what happens to the *old* physical resource:
#
# * `DeletionPolicy` applies when the resource is removed from the template or the stack is deleted;
# * `UpdateReplacePolicy` applies when the resource is **replaced**; its default is `Delete`.
#
# `Retain` keeps the old resource, `Snapshot` (databases, volumes) takes a final snapshot. A
# stateful resource needs **both** to be safe:

# %%
res = estate.resources
stateful = res[res.stateful.fillna(False)][["stack", "logical_id", "type", "deletion_policy", "update_replace_policy"]]
workshop.expect(SOURCE, "stateful resources with both policies",
                set(stateful.dropna(subset=["deletion_policy", "update_replace_policy"]).logical_id),
                {"DataKey", "AssetsBucket", "WafLogGroup", "WorkersLogGroup3C61F013", "DeploymentBucket"})
stateful

# %% [markdown]
# ## Preview a release
#
# `AFTER` is the same estate after a release. On the sample it is `data/scenarios/release-2`,
# a full copy of the estate with three small edits, each of which looks harmless in review:
#
# 1. **data**: the `EnvConfig` mapping's `DbName` changes from `shop` to `catalogue`; `Db` reads it
#    with `!FindInMap`.
# 2. **network**: the `AppSecurityGroup` description is reworded.
# 3. **orders-api**: `CreateOrderFunction` gets more memory and time.
#
# With your own estate, point `IACVIZ_AFTER` (or `AFTER` in the first cell) at the templates
# of your release branch.

# %%
after = workshop.open_source(AFTER) if AFTER else estate
print("after:", AFTER or "the estate itself (no release given)")

# %% [markdown]
# ## Exercise
#
# **Predict** before you run the preview: which resources lose their data in the release?
# Use what you know: which of the edits touch a create-only property, of a resource that holds
# data, with no `UpdateReplacePolicy`? Answer `"stack/LogicalId"`, a list if several, `[]` if none.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
answer = None  # your answer here, e.g. answer = "network/Vpc"
workshop.check("release-data-loss", answer, estate, after=after)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("release-data-loss", estate, after=after)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("release-data-loss", "data/Db", estate, after=after)

# %% [markdown]
# Now check your prediction. `plan_changes` predicts the change sets CloudFormation would compute, offline:

# %%
plan = iacviz.plan_changes(estate, after)
views.change_set_table(plan)

# %% [markdown]
# What to see: one row per change, stack by stack, like CloudFormation's change set but for every
# stack at once. The red cells are the ones to stop a release for: a replacement that loses data,
# and a change CloudFormation would refuse.

# %%
resources = plan[plan.kind == "resource"].set_index(["stack", "logical_id"])
workshop.expect(SOURCE, "replacement of the three edited resources",
                [resources.replacement.get(k) for k in [("data", "Db"), ("network", "AppSecurityGroup"),
                                                        ("orders-api", "CreateOrderFunction")]],
                ["True", "True", "False"])
workshop.expect(SOURCE, "data lost", sorted(f"{s}/{r}" for s, r in resources[resources.data_loss.fillna(False)].index),
                ["data/Db"])
workshop.expect(SOURCE, "blocked", sorted(f"{s}/{r}" for s, r in plan[plan.blocked.notna()][["stack", "logical_id"]].values),
                ["network/AppSecurityGroup", "network/AppSecurityGroupId"])

# %% [markdown]
# On the sample, read the table row by row:
#
# * `data/Db`: **Replacement True** and **DATA LOST**. `DbEndpointParameter` follows (a new
#   endpoint is written to SSM), and so does the unused export `shop-data-DbEndpointAddress`.
#   Had any stack imported it, the update would have been refused, which would have saved the data.
# * `network/AppSecurityGroup`: **Replacement True** and **blocked**. The two ingress rules that
#   reference it would follow it: their `GroupId` / `SourceSecurityGroupId` is create-only and
#   would hold the new group's id (CloudFormation's own change set marks such rows *Conditional*,
#   because the new id is only known during the update). The update fails and rolls back, all of them.
# * `orders-api/CreateOrderFunction`: **Replacement False**, an in-place update.
#
# In a pipeline that deploys in dependency order, `network` fails first and stops the release,
# and the database risk waits for the next one. The fix is one line in `data.yaml`:
# `UpdateReplacePolicy: Snapshot` on `Db`, or revert the mapping.

# %% [markdown]
# ## Conclusion
#
# A create-only property replaces its resource, and a replacement without `UpdateReplacePolicy`
# deletes the old one with its data. `plan_changes` predicts the change sets of a whole release
# offline, across stacks, with the refusals and the data at risk. Next: the same questions on a
# deployed account.
