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
# # 3. Cross-stack exports: who depends on whom (14 minutes)
#
# Split stacks still need each other's values: the VPC id, the subnets, the queue URL. The
# CloudFormation way to share them is an **export**: a stack's output with `Export: Name`, which
# other stacks read with `Fn::ImportValue`. Exports create hard rules:
#
# * an export name is unique per account and region;
# * the importer can only be deployed **after** the exporter (deployment order);
# * an exporting stack **cannot change or delete an export while any stack imports it**;
#   CloudFormation refuses the update (the "export in use" trap at the end of this notebook);
# * so stacks must be deleted in reverse order: importers first.
#
# In this notebook: which exports exist, who imports them, the export map, the import matrix,
# deployment and deletion order, and the trap.
#
# By the end you will be able to:
#
# * read the export map and the import matrix of an estate;
# * explain why CloudFormation refuses to change an export that is in use;
# * derive the deployment and deletion order of the stacks.

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
# ## Exports and imports
#
# `estate.exports` has one row per export, with the stacks importing it. `estate.imports` has
# one row per `Fn::ImportValue`: which resource (`source`) and property (`path`) imports what,
# and which stack and output export it. iacviz resolves the names as CloudFormation would,
# parameters and `!Sub` included; `link` says how sure the match is (`exact`, `inferred` from a
# parameter default, `ambiguous`, or `dangling` when no stack exports the name).

# %% [markdown]
# ## Exercise
#
# How many stacks import `EXPORT`, the export with the most importers? The next cell picks it
# (on the sample, `shop-network-PrivateSubnetIds`) and prints the question.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
EXPORT = workshop.busiest_export(estate, prefer="shop-network-PrivateSubnetIds")
answer = None  # your answer here, e.g. answer = 2
workshop.check("export-importers", answer, estate, export=EXPORT)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("export-importers", estate, export=EXPORT)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("export-importers", 4, estate, export=EXPORT)

# %%
estate.exports[["export_name", "stack", "output", "n_importers", "importers"]]

# %%
workshop.expect(SOURCE, "exports", len(estate.exports), 29)
workshop.expect(SOURCE, "exports imported by some stack", int((estate.exports.n_importers > 0).sum()), 24)
workshop.expect(SOURCE, "kinds of link", set(estate.imports.link), {"exact"})
estate.imports[["stack", "source", "path", "export_name", "export_stack", "link"]].head(8)

# %% [markdown]
# ## The export map
#
# Each stack is a node, sized by its number of resources and coloured by modality, in rows:
# persistent at the bottom, mixed in the middle, ephemeral on top, and within those in
# deployment order. Each arrow goes from the exporting stack to an importing stack, one per
# export; the thicker the line, the more resources import it. **Hover an arrow** to see the
# export and the importing resources, **hover a node** for its counts.
#
# Problems are marked: an export nobody imports puts a red ring around its stack (hover it for
# the names), and an import of a name nobody exports starts at a red "dangling" node at the bottom.

# %%
views.export_map(estate.stacks, estate.imports, estate.exports)

# %% [markdown]
# What to see: the persistent stacks sit at the bottom and export upwards; the thickest arrows
# are the exports imported by the most resources, the ones that freeze a value. A red ring marks
# an export nobody imports, a red node at the bottom an import that nothing exports.

# %% [markdown]
# On the sample, a red ring sits on `data`: `shop-data-DbEndpointAddress` is a leftover. The applications
# read the database endpoint from an SSM parameter now. The other ring is the Amplify project's
# root stack: the Amplify CLI exports its region, name, id and deployment bucket from every
# root stack (`<stack>-Region`...), whether anyone imports them or not. Unused, but harmless and
# not yours to remove. `iacviz.export_problems` lists such problems in words:

# %%
problems = iacviz.export_problems(estate)
workshop.expect(SOURCE, "export problems", problems[["kind", "name"]].values.tolist(),
                [["unused export", "shop-data-DbEndpointAddress"]]
                + [["unused export", f"amplify-reviews-prod-104512-{name}"]
                   for name in ("Region", "StackName", "StackId", "DeploymentBucketName")])
problems

# %% [markdown]
# ## The import matrix, for large estates
#
# With many stacks, arrows become spaghetti. The import matrix shows the same links as a grid:
# a row per importing stack, a column per exporting stack, the number of imports in the cell
# (hover for the export names). Both axes are in deployment order, so an estate without cycles
# fills only the lower-left triangle, and a cell above the diagonal would be a cycle.

# %%
views.import_matrix(estate.imports)

# %% [markdown]
# What to see: each filled cell is "row imports from column", darker for more imports. All cells
# sit below the diagonal when the estate has no cycle; a row with many cells is a stack that
# depends on many others, a column with many cells is a stack that many depend on.

# %% [markdown]
# The map also has a compact mode for large estates: stacks grouped into services and one
# arrow per pair of stacks (its width: the number of exports).

# %%
views.export_map(estate.stacks, estate.imports, estate.exports, collapse_by_service=True, edges="stack")

# %% [markdown]
# What to see: one node per service and one arrow per pair, its width the number of exports
# between them. This is the picture to start from on a large estate: it shows which services
# depend on which before you look at single exports.

# %% [markdown]
# ## Exercise: predict
#
# **Predict.** You are asked to delete `EXPORTER`, the stack whose exports the most stacks
# import (the next cell picks it; on the sample, `data`). Which stacks must be deleted before
# CloudFormation lets you delete it? Think it through on the map above before you compute.
#
# Type your answer in the next cell and run it: `workshop.check` tells you whether it is right (with no answer, it prints a hint).

# %%
EXPORTER = workshop.exporting_stack(estate)
answer = None  # your answer here, e.g. answer = ["iam"]
workshop.check("must-go-first", answer, estate, stack=EXPORTER)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the exercise first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("must-go-first", estate, stack=EXPORTER)
if workshop.is_sample(SOURCE):  # the answer pinned for the sample, not a second computation
    assert workshop.check("must-go-first", ["iam", "orders-api", "ShopWorkers", "storefront-env", "ShopMonitoring", "storefront"], estate, stack=EXPORTER)

# %% [markdown]
# ## Deployment and deletion order
#
# Imports (and nesting) order the stacks. `deployment_order` gives the **generations** that can
# deploy in parallel, dependencies first; `deletion_order` is the reverse. CloudFormation
# refuses to delete a stack while another imports from it. (The Amplify project imports
# nothing: its root goes first, its nested stacks with it.)

# %%
order = iacviz.deployment_order(estate)
workshop.expect(SOURCE, "deployment order", order,
                [["amplify-reviews-prod-104512", "edge", "network", "pipeline"],
                 ["amplify-reviews-prod-104512-apireviewsrest", "amplify-reviews-prod-104512-functionreviewsapi",
                  "amplify-reviews-prod-104512-storagereviewstable", "checkout", "data", "edge-WafStack"],
                 ["ShopMonitoring", "iam"], ["ShopWorkers", "orders-api", "storefront", "storefront-env"]])
iacviz.deletion_order(estate)

# %% [markdown]
# ## The "export in use" trap
#
# Which change walks into it? Replacing **the resource behind the export with the most
# importers**: `TRAP` below, picked from the data. On the sample it is the network's
# `AppSecurityGroup`, and release 2 of the shop rewords its description. It looks
# harmless, but `GroupDescription` is a *create-only* property: CloudFormation has to create a new
# security group, with a new id. That id is exported as `shop-network-AppSecurityGroupId`, and
# three stacks import it. An export cannot change while it is imported, so the whole `network`
# update fails and rolls back:
#
#     Export shop-network-AppSecurityGroupId cannot be updated as it is in use by orders-api, storefront-env and ShopWorkers
#
# A change set does not warn you: it lists resources, not exports. The join of exports to
# importers does:

# %%
TRAP = workshop.exported_resource(estate, prefer="network/AppSecurityGroup")
trap_stack, _, trap_id = (TRAP or "").rpartition("/")
ex = estate.exports
its_exports = ex[(ex["stack"] == trap_stack) & ex.resources.map(lambda r: trap_id in list(r if r is not None else []))]
workshop.expect(SOURCE, "importers of what TRAP exports", set().union(*map(set, its_exports.importers)),
                {"orders-api", "storefront-env", "ShopWorkers"})
print("replacing", TRAP or "nothing: no stack exports a resource")
its_exports[["export_name", "n_importers", "importers"]]

# %%
blast = iacviz.blast_radius(estate, TRAP, "replace")
blast[blast.blocked != ""][["stack", "logical_id", "impact", "blocked"]]

# %% [markdown]
# The way out is a two-step migration: export a new group next to the old one, move the
# importers to it, then retire the old export. Notebook 4 draws this blast radius.
#
# ## Explore
#
# Pick a stack: the map of its direct neighbours and its exports with their importers. (In a
# live notebook the figure follows the dropdown; when run headless it just shows the first view.)

# %%
iacviz.export_explorer(estate, stack=trap_stack or None)

# %% [markdown]
# What to see: the chosen stack with only its direct neighbours, and the table of its exports with
# their importers. Pick another stack in the dropdown: an export with many importers is one that
# the stack cannot change without a migration.

# %% [markdown]
# ## Conclusion
#
# Exports tie stacks together: they fix the deployment order, the deletion order, and freeze any
# value that another stack imports. You can find the busiest exports, the unused ones and the
# dangling imports, and you know the way out of the "export in use" trap: a two-step migration.
# Next: how far one change reaches, resource by resource.
