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
# # 8. Capstone: refactor the shop (22 minutes)
#
# You have read the estate; now change it. You will edit a scratch copy of the sample's
# templates, and iacviz will prove each change safe, the way a reviewer would want it proven:
# not by eye, but by the change set it predicts.
#
# By the end you will be able to:
#
# * protect a stateful resource against replacement, and prove that its data survives;
# * move resources between stacks with export/import without a dangling import or a broken
#   deployment order;
# * migrate an export that other stacks import in two releases, and prove each one deploys.
#
# Each task is graded by `workshop.check`, which reads **your files**: edit them in JupyterLab's
# file browser (`notebooks/capstone-work/`), save, and re-run the check cell.

# %% tags=["parameters"]
import os

SOURCE = "../data/sample-estate"  # the capstone refactors the sample; your estate comes after the workshop
WORK = os.environ.get("IACVIZ_CAPSTONE_WORK", "capstone-work")  # your scratch copy, made in the next cell

# %%
import iacviz
from iacviz import views, workshop

estate = workshop.open_source(SOURCE)
work = workshop.capstone_copy(WORK)  # fresh=True starts over from the sample
print("edit the files below", work.resolve())

# %% [markdown]
# ## Task 1: the database must survive a replacement
#
# Notebook 5 showed release-2 replacing `data/Db` and losing its data. Change **one line** in
# `capstone-work/data/data.yaml` so that a replacement keeps a copy. The check replays
# release-2's edit on your copy and runs `plan_changes` on it.

# %%
workshop.check("capstone-protect-db", None, estate)  # the question and a hint
workshop.check("capstone-protect-db", WORK, estate)  # re-run after each edit

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the task first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("capstone-protect-db")
if workshop.is_sample(SOURCE):  # the reference solution passes, the untouched copy does not
    assert workshop.check("capstone-protect-db", "../data/scenarios/capstone", estate)
    assert not workshop.check("capstone-protect-db", "../data/sample-estate", estate)

# %% [markdown]
# Here is the proof on the reference solution: release-2's rename still **replaces** the database
# (a new, empty instance), but `UpdateReplacePolicy: Snapshot` keeps a final snapshot of the old
# one, so the `data_loss` column is empty.
#
# ## Task 2: queues belong in a persistent stack
#
# The storefront's cart queues live in the Beanstalk environment's stack (`web/storefront/
# .ebextensions/02-resources.config`), which every release of the web tier updates. Move them to
# a persistent stack, and let the storefront import what it needs (the queue's URL, for
# `CART_QUEUE_URL`, and its name, for the depth alarm).
#
# **Predict first**: after the move, in which generation of `iacviz.deployment_order` must the
# queues' new stack be, relative to `storefront`? Then do it, and check.

# %%
workshop.check("capstone-move-queues", None, estate)
workshop.check("capstone-move-queues", WORK, estate)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the task first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("capstone-move-queues")
if workshop.is_sample(SOURCE):
    assert workshop.check("capstone-move-queues", "../data/scenarios/capstone", estate)
    assert not workshop.check("capstone-move-queues", "../data/sample-estate", estate)

# %% [markdown]
# Look at the export map of your copy: the `data` stack now has one more arrow, to `storefront`,
# and it starts lower on the map than the stack it feeds.

# %%
mine = workshop.open_source(WORK)
views.export_map(mine.stacks, mine.imports, mine.exports)

# %% [markdown]
# The map is drawn from your files, so it shows your state of the task. With the queues moved,
# an arrow runs from `data` up to `storefront`; a red "dangling" node at the bottom would mean an
# import that no export matches. Arrows always point up, from a stack deployed earlier to one
# deployed later: that is the deployment order the check verified.
#
# ## Task 3: an export in use cannot change in one step
#
# The database's security group must be replaced (its description changes, a create-only
# property). But its id is exported as `shop-network-DbSecurityGroupId` and `data` imports it:
# notebook 3's trap. Plan the migration in **two steps**, and write **step 1** in your files.
# Which stack is deployed first in step 1, and why can the old export not go yet?

# %%
workshop.check("capstone-migration", None, estate)
workshop.check("capstone-migration", WORK, estate)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the task first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("capstone-migration")
if workshop.is_sample(SOURCE):
    assert workshop.check("capstone-migration", "../data/scenarios/capstone", estate)
    assert not workshop.check("capstone-migration", "../data/sample-estate", estate)

# %% [markdown]
# ### Step 2: a later release removes the old export
#
# Once step 1 is deployed, no stack imports `shop-network-DbSecurityGroupId` any more, so a later
# release may delete it, and with it the old group and its ingress rule. Your step 1 folder now
# stands for what is deployed, so keep it as it is: the next cell copies it, once, into a second
# folder (`capstone-work-step-2/`), and you write step 2 there. The check plans the release from
# your step 1 to your step 2, the way CloudFormation would meet it.

# %%
STEP_2 = workshop.capstone_copy(f"{WORK}-step-2", source=WORK)  # fresh=True copies your step 1 again
workshop.check("capstone-migration-step-2", None, estate)
workshop.check("capstone-migration-step-2", STEP_2, estate, deployed=WORK)

# %% [markdown] tags=["solution"]
# ### Solution
#
# Try the task first! Then run the cell below to see the solution.

# %% tags=["solution"]
workshop.show_solution("capstone-migration-step-2")
if workshop.is_sample(SOURCE):  # the reference step 2 passes from the reference step 1; step 1 again does not
    STEP_1 = "../data/scenarios/capstone"
    assert workshop.check("capstone-migration-step-2", "../data/scenarios/capstone-step-2", estate, deployed=STEP_1)
    assert not workshop.check("capstone-migration-step-2", "../data/scenarios/capstone", estate, deployed=STEP_1)

# %% [markdown]
# ## Your first release, as CloudFormation would see it
#
# Tasks 1 and 2 and step 1 of task 3 ship together; step 2 is the next release.

# %%
views.change_set_table(iacviz.plan_changes(estate, workshop.open_source(WORK)))

# %% [markdown]
# Each row is one change CloudFormation would make, stack by stack. Look for three things:
# no row is **blocked**, no row says **DATA LOST** on the database, and the queues' rows show a
# *Remove* in `storefront` and an *Add* in `data`. That last pair is a warning: a plain move
# deletes the old queues and their messages; in production you would first set
# `DeletionPolicy: Retain` on them and bring them into `data` with a resource import.

# %% [markdown]
# ## Conclusion
#
# You changed templates and let iacviz prove each change: a policy that keeps the data, a move
# that keeps imports and order intact, and a migration in two releases that CloudFormation accepts
# one after the other. The same checks run on your own estate: `plan_changes` in a pull request,
# `export_problems` and `deployment_order` before a release. Clean up: delete
# `notebooks/capstone-work/` and `notebooks/capstone-work-step-2/` when you are done.
