"""The workflow end to end: lint, a full run of the small demo, reruns, the SEED-DV preset."""

import re
import subprocess

import numpy as np
import pytest

from eegdecode.artifacts import read_array, read_attrs
from eegdecode.signal import de_psd

from .conftest import REPO, SMALL, SNAKEMAKE, output_mtimes, snakemake

# In one xdist worker with every test of the shared demo run (tests/dag/conftest.py), so
# that the run is built once.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("workflow")]

RESULTS = "results/demo"


def _outputs(workdir):
    return output_mtimes(workdir, RESULTS, skip=("benchmarks", "raw", "checkpoints"))


def _changed(before, after):
    return sorted(path for path in before if after.get(path) != before[path])


def test_lint_is_clean():
    done = subprocess.run([str(SNAKEMAKE), "--lint"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Congratulations, your workflow is in a good condition!" in done.stdout + done.stderr


def test_workflow_is_snakefmt_formatted():
    snakefmt = SNAKEMAKE.with_name("snakefmt")
    done = subprocess.run(
        [str(snakefmt), "--check", "Snakefile", "rules"], cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_demo_outputs_have_the_documented_shapes(demo_run):
    results = demo_run / RESULTS
    labels = np.load(demo_run / RESULTS / "raw/Video/meta-info/All_video_label.npy")
    for subject in (1, 2):
        clips = read_array(results / f"clips/sub{subject}.h5", "eeg")
        assert clips.axes == ("block", "concept", "rep", "channel", "time")
        assert clips.data.shape == (3, 4, 5, 62, 400)
        windows = read_array(results / f"windows/sub{subject}_500ms.h5", "eeg")
        assert windows.axes == ("block", "concept", "rep", "window", "channel", "time")
        assert windows.data.shape == (3, 4, 5, 7, 62, 100)
        np.testing.assert_array_equal(windows.data[:, :, :, 2], clips.data[..., 100:200])
        halves = read_array(results / f"windows/sub{subject}_1s.h5", "eeg").data
        np.testing.assert_array_equal(halves[:, :, :, 1], clips.data[..., 200:])
        for window, shape in (
            ("2s", (3, 4, 5, 62, 5)),
            ("500ms", (3, 4, 5, 7, 62, 5)),
            ("1s", (3, 4, 5, 2, 62, 5)),
        ):
            path = results / f"features/sub{subject}_{window}.h5"
            for name in ("de", "psd"):
                assert read_array(path, name).data.shape == shape
            np.testing.assert_array_equal(read_array(path, "concept_labels").data, labels)
            attrs = read_attrs(path)
            assert attrs["band_names"] == ["delta", "theta", "alpha", "beta", "gamma"]
            assert attrs["band_edges_hz"].tolist()[-1] == [31, 99]
            assert attrs["producer"] == "de_psd" and attrs["subject"] == subject
        expected = de_psd(clips.data, 200.0).de
        np.testing.assert_array_equal(
            read_array(results / f"features/sub{subject}_2s.h5", "de").data, expected
        )
        assert (results / f"qc/sub{subject}_features.png").stat().st_size > 10_000
    assert len(list((demo_run / RESULTS / "raw/Video").glob("*.mp4"))) == 3
    assert not list(demo_run.rglob("*.partial*"))
    assert (demo_run / "logs/segment/demo/sub1.log").read_text().count("segmented 3 blocks") == 1


def test_stimulus_outputs(demo_run):
    from eegdecode.stimulus import read_gif

    results = demo_run / RESULTS
    labels = np.load(results / "raw/Video/meta-info/All_video_label.npy")
    frames = read_array(results / "stimulus/frames/block2.h5", "frames")
    assert frames.axes == ("clip", "frame", "height", "width", "rgb")
    assert frames.data.shape == (20, 6, 16, 32, 3) and frames.data.dtype == np.uint8
    np.testing.assert_array_equal(
        read_array(results / "stimulus/frames/block2.h5", "concept_labels").data, labels[1]
    )
    gifs = sorted((results / "stimulus/gifs/block2").glob("*.gif"), key=lambda path: int(path.stem))
    assert [path.name for path in gifs] == [f"{k}.gif" for k in range(20)]
    for k in (0, 7, 19):
        np.testing.assert_array_equal(read_gif(gifs[k], frames_per_s=3), frames.data[k])
    latents = read_array(results / "stimulus/latents/block2.h5", "latents")
    assert latents.axes == ("clip", "frame", "latent_channel", "height", "width")
    assert latents.data.shape == (20, 6, 4, 2, 4) and latents.data.dtype == np.float32
    # The fitted VAE's own scaling, which gives its latents of the training frames unit variance
    # (block 2 trains it in the small demo, whose test block is 3).
    import json

    fitted = json.loads((results / "pretrained/fitted_vae/vae/config.json").read_text())
    assert latents.attrs["scaling_factor"] == pytest.approx(fitted["scaling_factor"])
    assert fitted["scaling_factor"] != pytest.approx(0.18215)
    assert latents.data.std() == pytest.approx(1.0, abs=0.05)
    assert read_attrs(results / "stimulus/latents/block2.h5")["block"] == 2
    text = read_array(results / "stimulus/text_embeddings/block2.h5", "embeddings")
    assert text.axes == ("clip", "token", "feature") and text.data.shape == (20, 77, 32)
    assert (results / "qc/block2_frames.png").stat().st_size > 5_000
    assert (demo_run / "results/pretrained/tiny-stable-diffusion/vae/config.json").is_file()


def test_eegvp_outputs(demo_run):
    import csv
    import json

    results = demo_run / RESULTS
    report = json.loads((results / "eegvp/sub1.json").read_text())
    assert report["subject"] == 1 and list(report["tasks"]) == [
        "concept",
        "coarse",
        "color",
        "fast_slow",
        "obj_number",
        "human",
        "face",
    ]
    concept = report["tasks"]["concept"]
    assert [fold["test_block"] for fold in concept["folds"]] == [1, 2, 3]
    assert [fold["validation_block"] for fold in concept["folds"]] == [3, 1, 2]
    assert all(
        fold["n_test"] == 4 * 5 * 2 for fold in concept["folds"]
    )  # 4 concepts × 5 clips × 2 halves
    assert concept["chance"] == {"uniform": 0.25, "majority": 0.25}
    rows = list(csv.DictReader(open(results / "eegvp/summary.csv")))
    assert [row["task"] for row in rows] == list(report["tasks"]) and rows[0]["n_subjects"] == "2"
    assert (results / "eegvp/summary.png").stat().st_size > 10_000


def test_glmnet_outputs(demo_run):
    results = demo_run / RESULTS
    embeddings = read_array(results / "embeddings/sub2_glmnet.h5", "embeddings")
    assert embeddings.axes == ("block", "concept", "rep", "window", "feature")
    assert embeddings.data.shape == (3, 4, 5, 7, 32)
    attrs = read_attrs(results / "embeddings/sub2_glmnet.h5")
    assert list(attrs["train_blocks"]) == [1] and attrs["test_block"] == 3
    assert sorted(p.name for p in (results / "models/glmnet/sub2").glob("[!.]*")) == [
        "config.json",
        "model.safetensors",
        "normalization.json",
    ]
    for model in ("glmnet", "semantic", "dynamic", "seq2seq"):
        metrics = (results / f"models/{model}/sub2_metrics.csv").read_text().splitlines()
        assert metrics[0].startswith("epoch,train_loss,lr") and len(metrics) == 1 + 2
        assert (results / f"qc/sub2_{model}_learning.png").stat().st_size > 10_000


def test_predictions_of_the_test_block(demo_run):
    results = demo_run / RESULTS
    semantic = read_array(results / "predictions/sub1_semantic.h5", "embeddings")
    assert semantic.axes == ("class", "rep", "token", "feature") and semantic.data.shape == (
        4,
        5,
        77,
        32,
    )
    assert read_attrs(results / "predictions/sub1_semantic.h5")["test_block"] == 3
    fast = read_array(results / "predictions/sub1_fast_slow.h5", "fast")
    assert fast.axes == ("class", "rep") and fast.data.shape == (4, 5) and fast.data.dtype == bool
    concept_ids = read_array(results / "predictions/sub1_fast_slow.h5", "concept_ids").data
    assert concept_ids.tolist() == [1, 2, 3, 4]
    latents = read_array(results / "predictions/sub2_latents.h5", "latents")
    assert latents.axes == ("class", "rep", "frame", "latent_channel", "height", "width")
    assert latents.data.shape == (4, 5, 6, 4, 2, 4)
    # Standardisation is undone: predictions are on the scale of the VAE latents.
    truth = read_array(results / "stimulus/latents/block3.h5", "latents").data
    assert abs(latents.data.mean() - truth.mean()) < 3 * truth.std()


def test_generated_videos_and_their_evaluation(demo_run):
    import csv
    import json

    results = demo_run / RESULTS
    model = results / "models/video_diffusion"
    assert (model / "unet/diffusion_pytorch_model.safetensors").is_file()
    assert (model / "scheduler/scheduler_config.json").is_file()
    assert (model / "negative_embedding.safetensors").is_file()
    for mode in ("full", "no_dana", "no_seq2seq"):
        clips = read_array(results / f"generated/sub1_{mode}.h5", "frames")
        assert clips.axes == ("class", "rep", "frame", "height", "width", "rgb")
        assert clips.data.shape == (4, 5, 6, 16, 32, 3) and clips.data.dtype == np.uint8
        files = sorted(p.name for p in (results / f"generated/sub1_{mode}").glob("[!.]*"))
        assert files == sorted([f"{i}.gif" for i in range(20)] + [f"{i}.mp4" for i in range(20)])
        report = json.loads((results / f"evaluation/sub1_{mode}.json").read_text())
        assert report["mode"] == mode and report["test_block"] == 3 and report["n_clips"] == 20
        assert report["metrics"]["video_4way"]["chance"] == 0.25
        assert 0 <= report["metrics"]["ssim"]["mean"] <= 1
    # dana.timestep: sampler (the demo's): the latents as Seq2Seq predicted them, beside DANA's
    # noise, which the sampler adds instead of Gaussian noise; only that noise tells full mode
    # from no_dana.
    dana = read_array(results / "predictions/sub1_dana.h5", "latents").data
    noise = read_array(results / "predictions/sub1_dana.h5", "noise").data
    seq2seq = read_array(results / "predictions/sub1_latents.h5", "latents").data
    np.testing.assert_allclose(dana, seq2seq, rtol=1e-6)  # stored as float32
    assert noise.shape == seq2seq.shape
    full, no_dana = (
        read_array(results / f"generated/sub1_{mode}.h5", "frames").data
        for mode in ("full", "no_dana")
    )
    assert not np.array_equal(full, no_dana)
    rows = list(csv.DictReader(open(results / "evaluation/summary.csv")))
    assert {row["mode"] for row in rows} == {"full", "no_dana", "no_seq2seq", "seq2seq_latents"}
    assert {row["n_subjects"] for row in rows} == {"2"}
    retrieval = json.loads((results / "evaluation/sub1_seq2seq_latents.json").read_text())
    assert retrieval["metrics"]["latent_4way"]["chance"] == 0.25
    assert len(retrieval["metrics"]["latent_4way"]["per_clip"]) == 20
    assert (results / "qc/sub1_full_generated.png").stat().st_size > 5_000
    # The demo encodes and decodes with its fitted VAE, not the random one.
    assert (results / "pretrained/fitted_vae/vae/diffusion_pytorch_model.safetensors").is_file()
    latent_attrs = read_attrs(results / "stimulus/latents/block1.h5")
    assert latent_attrs["model"].endswith("pretrained/fitted_vae")
    assert (results / "qc/tiny_vae_fit.png").stat().st_size > 5_000
    # The page of shown and generated clips: one row per test concept, shown + three modes.
    page = (results / "report/sub2_generated.html").read_text()
    rows = re.findall(r"<tr><th>concept \d, clip 1</th>(.*?)</tr>", page)
    assert len(rows) == 4
    assert all(row.count('src="data:image/gif;base64,') == 4 for row in rows)


def test_seq2seq_reads_glmnet_embeddings_or_raw_windows(demo_copy):
    import json

    model = demo_copy / RESULTS / "models/seq2seq/sub1/config.json"
    # The design: each clip's seven GLMNet window embeddings (2 × branch_dim 16).
    config = json.loads(model.read_text())["config"]
    assert (config["source"], config["n_features"], config["n_windows"]) == ("embeddings", 32, 7)
    assert config["decoding"] == "teacher_forcing"
    before = _outputs(demo_copy)
    latents = f"{RESULTS}/predictions/sub1_latents.h5"
    snakemake(
        demo_copy, latents, "--configfile", SMALL, "--config", "seq2seq={source: raw_windows}"
    )
    config = json.loads(model.read_text())["config"]
    assert (config["source"], config["n_chans"], config["n_times"]) == ("raw_windows", 62, 100)
    assert _changed(before, _outputs(demo_copy)) == sorted(
        f"{RESULTS}/{name}" for name in ("models/seq2seq/sub1/.snakemake_timestamp",
        "models/seq2seq/sub1/config.json", "models/seq2seq/sub1/model.safetensors",
        "models/seq2seq/sub1/normalization.json",
        "models/seq2seq/sub1_metrics.csv", "predictions/sub1_latents.h5",
        "qc/sub1_seq2seq_learning.png")
    )  # fmt: skip


def test_second_run_does_nothing(demo_run):
    done = snakemake(demo_run, "all", "--configfile", SMALL, "--dry-run")
    assert "Nothing to be done" in done.stdout + done.stderr


def test_touching_one_subject_reruns_only_that_subject(demo_copy):
    before = _outputs(demo_copy)
    (demo_copy / RESULTS / "raw/EEG/sub2.npy").touch()
    snakemake(demo_copy, "all", "--configfile", SMALL)
    changed = _changed(before, _outputs(demo_copy))
    # Subject 2's files, and the summaries over subjects (EEG-VP and generated clips).
    assert changed == sorted(
        path for path in before if "sub2" in path or path.endswith(("/summary.csv", "/summary.png"))
    )
    assert any("embeddings/sub2" in path for path in changed)


def test_changing_a_feature_parameter_reruns_only_features(demo_copy):
    before = _outputs(demo_copy)
    override = demo_copy / "exact_bins.yaml"
    override.write_text("features:\n  band_bins: exact\n")
    snakemake(demo_copy, "preprocess_all", "--configfile", SMALL, override)
    changed = _changed(before, _outputs(demo_copy))
    assert changed == sorted(
        path for path in before if "/features/" in path or path.endswith("_features.png")
    )
    # EEG-VP reads features but is not part of preprocess_all, so it waits for its own target.
    ranges = read_attrs(demo_copy / RESULTS / "features/sub1_500ms.h5")["band_bin_ranges"]
    assert ranges.tolist()[0] == [1, 3]


def test_report_contains_the_qc_figures(demo_copy):
    snakemake(demo_copy, "preprocess_all", "--configfile", SMALL, "--report", "report.zip")
    import zipfile

    names = zipfile.ZipFile(demo_copy / "report.zip").namelist()
    assert sum(name.endswith("_features.png") for name in names) == 2


def _job_counts(output):
    table = output.split("Job stats:")[1].split("\n\n")[0]
    return {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", table, re.MULTILINE)}


def test_seed_dv_preset_plans_every_subject(seed_dv_plan):
    assert _job_counts(seed_dv_plan) == {
        "segment": 20,
        "sliding_windows": 40,
        "de_psd": 60,
        "plot_feature_qc": 20,
        "extract_gifs": 7,
        "vae_latents": 7,
        "caption_embeddings": 7,
        "plot_stimulus_frames": 7,
        "eegvp": 20,
        "eegvp_summary": 1,
        "train_glmnet": 20,
        "glmnet_embeddings": 20,
        "train_semantic": 20,
        "train_dynamic": 20,
        "train_seq2seq": 20,
        "finetune_video_diffusion": 1,
        "dana": 20,
        "generate": 60,
        "evaluate_generation": 60,
        "evaluate_latents": 20,
        "evaluation_summary": 1,
        "generation_page": 20,
        "eeg2video_all": 1,
        "total": 472,
    }
    assert "build_tiny_stable_diffusion" not in seed_dv_plan
    assert "sub1_session2" not in seed_dv_plan
    assert "results/seed-dv/features/sub20_500ms.h5" in seed_dv_plan


def test_a_flat_channel_is_flagged_in_the_clips(demo_copy):
    """... and from there on the QC figure (tests/report/test_feature_qc.py)."""
    path = demo_copy / RESULTS / "raw/EEG/sub2.npy"
    eeg = np.load(path)
    eeg[:, 58] = 0.0  # O1: a disconnected electrode (refused with on_flat_channel: error,
    np.save(path, eeg)  # tests/dag/test_bad_input.py)
    snakemake(demo_copy, f"{RESULTS}/clips/sub2.h5", "--configfile", SMALL)
    assert read_attrs(demo_copy / RESULTS / "clips/sub2.h5")["flagged_channels"] == ["O1 (flat)"]
    assert read_attrs(demo_copy / RESULTS / "clips/sub1.h5")["flagged_channels"] == []
    log = (demo_copy / "logs/segment/demo/sub2.log").read_text()
    assert "1 channel(s) look broken: O1 (flat); going on" in log


def test_incomplete_stable_diffusion_folder_fails_listing_what_is_missing(demo_copy):
    folder = demo_copy / "results/pretrained/tiny-stable-diffusion"
    (folder / "vae/diffusion_pytorch_model.safetensors").unlink()
    override = demo_copy / "real_models.yaml"
    override.write_text("pretrained:\n  tiny:\n    activate: false\n")
    (demo_copy / RESULTS / "stimulus/latents/block1.h5").unlink()
    done = snakemake(demo_copy, "stimulus_all", "--configfile", SMALL, override, check=False)
    assert done.returncode != 0
    assert re.search(
        r"tiny-stable-diffusion' is incomplete; missing: vae/diffusion_pytorch_model.safetensors",
        done.stderr,
    ), done.stderr
    assert not (demo_copy / RESULTS / "stimulus/latents/block1.h5").exists()
