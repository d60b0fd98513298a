"""How the workflow goes to a cluster, from dry runs: GPU requests follow the config, small
jobs travel in groups, and the SEED-DV preset submits the documented number of jobs.

The real submission to SLURM is tests/cluster/test_slurm.py."""

import importlib.util
import re

import pytest

from .conftest import REPO, SLURM_PROFILE, make_workdir, snakemake

# In one xdist worker with every test of the shared demo run (tests/dag/conftest.py), so
# that the run is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

# The stages config/seed-dv.yaml puts on a GPU.
SEED_DV_GPU_RULES = {
    "vae_latents",
    "caption_embeddings",
    "train_glmnet",
    "train_semantic",
    "train_seq2seq",
    "finetune_video_diffusion",
    "generate",
}


def _workflow_sources():
    return [REPO / "Snakefile", *sorted((REPO / "rules").glob("*.smk"))]


def _rule_blocks():
    """Each rule's source text, by rule name."""
    text = "\n".join(path.read_text() for path in _workflow_sources())
    starts = list(re.finditer(r"^\s*rule (\w+):", text, re.MULTILINE))
    ends = [match.start() for match in starts[1:]] + [len(text)]
    return {match[1]: text[match.start() : end] for match, end in zip(starts, ends, strict=True)}


def _local_rules():
    """Rules that never become cluster jobs: the targets and those marked `localrule`."""
    targets = set(re.findall(r"^rule (\w+):", (REPO / "Snakefile").read_text(), re.MULTILINE))
    return targets | {name for name, block in _rule_blocks().items() if "localrule: True" in block}


def _planned_jobs(output):
    """From a dry run: the jobs outside groups as (rule, resources), and the group jobs as
    (group, [(rule, resources), ...])."""
    single, groups, current = [], [], None
    for line in output.splitlines():
        if group := re.match(r"^\[[^\]]+\] Group job (\w+)", line):
            groups.append((group[1], []))
            current = groups[-1][1]
        elif rule := re.match(r"^rule (\w+):$", line):
            single.append((rule[1], {}))
            current = None
        elif member := re.match(r"^\s+rule (\w+):$", line):
            current.append((member[1], {}))
        elif resources := re.match(r"^\s*resources: (.*)$", line):
            job = current[-1] if current is not None else single[-1]
            job[1].update(re.findall(r"(\w+)=([^,]+)", resources[1]))
    return single, groups


def _gpu_requests(single, groups):
    jobs = single + [job for _, members in groups for job in members]
    return {rule: resources.get("gpu") for rule, resources in jobs if "gpu" in resources}


def test_seed_dv_preset_asks_for_gpus_where_its_config_says_cuda(seed_dv_plan):
    requests = _gpu_requests(*_planned_jobs(seed_dv_plan))
    assert {rule for rule, gpus in requests.items() if gpus == "1"} == SEED_DV_GPU_RULES
    assert requests["eegvp"] == requests["train_dynamic"] == "0"


def test_the_demo_asks_for_no_gpu(tmp_path):
    done = snakemake(make_workdir(tmp_path / "work"), "all", "--dry-run")
    requests = _gpu_requests(*_planned_jobs(done.stdout))
    assert "train_audio_seq2seq" in requests and "finetune_video_diffusion" in requests
    assert set(requests.values()) == {"0"}


def test_seed_dv_preset_submits_few_jobs_to_a_cluster(seed_dv_plan):
    """The counts the README gives: 472 jobs on one machine, 200 SLURM jobs."""
    single, groups = _planned_jobs(seed_dv_plan)
    assert len(single) + sum(len(members) for _, members in groups) == 472
    local = _local_rules()
    submitted = [rule for rule, _ in single if rule not in local]
    group_counts = {name: sum(g == name for g, _ in groups) for name, _ in groups}
    assert group_counts == {"preprocess": 4, "stimulus_frames": 1, "glmnet": 20, "evaluation": 20}
    assert not any(rule in local for _, members in groups for rule, _ in members)
    # Each preprocessing group holds five subjects' 7 jobs.
    assert {len(members) for name, members in groups if name == "preprocess"} == {35}
    assert len(submitted) + len(groups) == 200


def test_profile_lists_the_rules_that_can_use_a_gpu():
    """profiles/slurm sends these rules to the GPU partition; they are the ones asking gpus()."""
    listed = re.search(r"gpu_rules = \[(.*?)\]", SLURM_PROFILE.read_text(), re.DOTALL)[1]
    declared = {name for name, block in _rule_blocks().items() if "gpu=gpus(" in block}
    assert set(re.findall(r'"(\w+)"', listed)) == declared


def test_local_profile_plans_the_demo(tmp_path):
    done = snakemake(
        make_workdir(tmp_path / "work"), "all", "--profile", REPO / "profiles/local", "--dry-run"
    )
    assert "Job stats:" in done.stdout


def test_slurm_plugin_stays_out_of_the_test_environment():
    """With SLURM's client tools on the PATH and no controller, the plugin makes every
    snakemake start wait about 10 s; only .ci/slurm-test's own environment has it."""
    assert importlib.util.find_spec("snakemake_executor_plugin_slurm") is None
