"""The suite cannot silently regrow: every place a test starts a (non-dry) workflow run is
listed here. A new stage adds assertions to the shared small run (``demo_run``) or to the
validation run (``validation_run``), not a run of its own; the README's test command has a
15-minute budget on two cores (tests/README.md)."""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# Fixtures that run a workflow once for many tests, by file.
WORKFLOW_FIXTURES = {
    ("dag/conftest.py", "demo_run"),  # the one shared small run: every system
    ("dag/conftest.py", "calibrated_users"),  # three users' sessions through calibration_all
    ("dag/test_bad_input.py", "deap_release"),  # DEAP's release layout, trials of 63 s
    ("dag/test_singlewordproduction.py", "swpd_run"),  # a SingleWordProductionDutch copy
    ("validation/test_validation.py", "validation_run"),  # validation_all (pytest -m validation)
}
# Tests that run part of a workflow themselves: reruns of a copy of a finished run, and bad
# input that must stop a run before or at its first job.
WORKFLOW_TESTS = {
    ("dag/test_audio_workflow.py", "test_changing_the_notches_reruns_the_decoder_but_not_the_mel"),
    ("dag/test_audio_workflow.py", "test_stereo_audio_is_averaged"),
    ("dag/test_audio_workflow.py", "test_report_lets_a_reader_play_the_audio"),
    ("dag/test_bad_input.py", "_refused_cleanly"),
    ("dag/test_bad_input.py", "test_bad_sessions_are_skipped_with_the_reason_when_asked"),
    ("dag/test_calibration_workflow.py",
     "test_each_user_is_finetuned_and_a_new_session_reruns_only_that_user"),
    ("dag/test_mental_state_workflow.py", "test_the_report_shows_the_confusion_matrices_and_tables"),
    ("dag/test_mental_state_workflow.py",
     "test_a_truncated_stew_file_stops_the_run_naming_file_and_row"),
    ("dag/test_mental_state_workflow.py",
     "test_a_dreamer_file_with_a_missing_field_stops_the_run_naming_it"),
    ("dag/test_workflow.py", "test_seq2seq_reads_glmnet_embeddings_or_raw_windows"),
    ("dag/test_workflow.py", "test_touching_one_subject_reruns_only_that_subject"),
    ("dag/test_workflow.py", "test_changing_a_feature_parameter_reruns_only_features"),
    ("dag/test_workflow.py", "test_report_contains_the_qc_figures"),
    ("dag/test_workflow.py", "test_a_flat_channel_is_flagged_in_the_clips"),
    ("dag/test_workflow.py", "test_incomplete_stable_diffusion_folder_fails_listing_what_is_missing"),
    ("validation/test_validation.py",
     "test_a_planted_signal_in_the_null_row_fails_the_target_naming_it"),
}  # fmt: skip


def _is_fixture(function: ast.FunctionDef) -> bool:
    for decorator in function.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def _runs_a_workflow(function: ast.FunctionDef) -> bool:
    """Whether the function calls the tests' ``snakemake`` helper other than as a dry run."""
    for node in ast.walk(function):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "snakemake":
            flags = {a.value for a in node.args if isinstance(a, ast.Constant)}
            if not flags & {"--dry-run", "-n"}:
                return True
    return False


def test_every_workflow_run_of_the_suite_is_listed():
    fixtures, tests = set(), set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and node.name != "snakemake":
                if _runs_a_workflow(node):
                    name = (str(path.relative_to(TESTS)), node.name)
                    (fixtures if _is_fixture(node) else tests).add(name)
    assert fixtures == WORKFLOW_FIXTURES, (
        "a workflow fixture was added or removed; new stages add assertions to demo_run or "
        f"validation_run: {sorted(fixtures ^ WORKFLOW_FIXTURES)}"
    )
    assert tests == WORKFLOW_TESTS, (
        f"a test's own workflow run was added or removed: {sorted(tests ^ WORKFLOW_TESTS)}"
    )
