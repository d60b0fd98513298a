import numpy as np
import pytest
import torch

from eegdecode.diffusion import (
    FinetuneConfig,
    VideoUNet,
    finetune_video_unet,
    generate_clips,
    load_video_diffusion,
    save_video_diffusion,
    select_training_clips,
)
from eegdecode.stimulus import load_scheduler, load_unet, load_vae


@pytest.fixture(scope="module")
def video_unet(tiny_sd):
    return VideoUNet.from_stable_diffusion(tiny_sd).eval()


def test_inflated_unet_is_the_image_unet_on_still_clips(tiny_sd, video_unet):
    image_unet = load_unet(tiny_sd).eval()
    torch.manual_seed(0)
    frame = torch.randn(2, 4, 1, 8, 16)
    text = torch.randn(2, 77, 32)
    with torch.no_grad():
        video = video_unet(frame.repeat(1, 1, 5, 1, 1), 10, text)
        image = image_unet(frame[:, :, 0], torch.tensor([10, 10]), encoder_hidden_states=text)
    # Zero temporal output projections, and sparse-causal attention over identical frames, leave
    # every frame exactly where the 2D UNet puts it.
    for index in range(5):
        torch.testing.assert_close(video[:, :, index], image.sample, atol=1e-5, rtol=1e-5)


def test_sparse_causal_attention_against_a_loop_over_frames():
    from diffusers.models.attention_processor import Attention

    from eegdecode.diffusion.video_unet import SparseCausalAttnProcessor

    torch.manual_seed(0)
    attention = Attention(query_dim=8, heads=2, dim_head=4).eval()
    attention.set_processor(SparseCausalAttnProcessor())
    n_clips, n_frames, length = 2, 4, 5
    hidden = torch.randn(n_clips * n_frames, length, 8)
    with torch.no_grad():
        out = attention(hidden, num_frames=n_frames)
        frames = hidden.unflatten(0, (n_clips, n_frames))
        for clip in range(n_clips):
            for frame in range(n_frames):
                # Keys and values: the first frame's tokens, then the previous frame's.
                context = torch.cat([frames[clip, 0], frames[clip, max(frame - 1, 0)]])
                q = attention.to_q(frames[clip, frame]).unflatten(-1, (2, 4)).transpose(0, 1)
                k = attention.to_k(context).unflatten(-1, (2, 4)).transpose(0, 1)
                v = attention.to_v(context).unflatten(-1, (2, 4)).transpose(0, 1)
                weights = torch.softmax(q @ k.transpose(1, 2) / 2.0, dim=-1)
                expected = attention.to_out[0]((weights @ v).transpose(0, 1).flatten(1))
                torch.testing.assert_close(
                    out[clip * n_frames + frame], expected, atol=1e-5, rtol=1e-5
                )
    with pytest.raises(ValueError, match="7 frames in the batch do not split into clips of 4"):
        attention(torch.randn(7, length, 8), num_frames=4)


def test_tune_a_video_trains_only_queries_and_temporal_attention(tiny_sd):
    unet = VideoUNet.from_stable_diffusion(tiny_sd)
    names = unet.trainable_parameters()
    assert names and all(
        ".attn1.to_q." in name or ".attn2.to_q." in name or ".attn_temp." in name for name in names
    )
    assert any(".attn_temp." in name for name in names)
    frozen = [name for name, p in unet.unet.named_parameters() if not p.requires_grad]
    assert any("conv_in" in name for name in frozen) and any(
        "attn1.to_k" in name for name in frozen
    )


def _training_data(n_clips=6):
    generator = torch.Generator().manual_seed(0)
    latents = torch.randn(n_clips, 3, 4, 8, 8, generator=generator)
    text = torch.randn(n_clips, 77, 32, generator=generator)
    return latents, text


def test_finetuning_resumes_after_a_crash_to_the_same_weights(tiny_sd, tmp_path, monkeypatch):
    from eegdecode.diffusion import finetune as finetune_module

    latents, text = _training_data()
    scheduler = load_scheduler(tiny_sd, "DDPMScheduler")
    config = FinetuneConfig(steps=6, batch_size=4, lr=1e-3, checkpoint_every=2, log_every=2,
                            device="cpu")  # fmt: skip
    straight = VideoUNet.from_stable_diffusion(tiny_sd)
    finetune_video_unet(straight, latents, text, scheduler, config)

    loss, calls = finetune_module.functional.mse_loss, []

    def crash_at_step_5(*args):
        calls.append(1)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return loss(*args)

    monkeypatch.setattr(finetune_module.functional, "mse_loss", crash_at_step_5)
    with pytest.raises(KeyboardInterrupt):
        finetune_video_unet(VideoUNet.from_stable_diffusion(tiny_sd), latents, text, scheduler,
                            config, workdir=tmp_path)  # fmt: skip
    monkeypatch.setattr(finetune_module.functional, "mse_loss", loss)
    resumed = VideoUNet.from_stable_diffusion(tiny_sd)
    history = finetune_video_unet(resumed, latents, text, scheduler, config, workdir=tmp_path)
    assert [row["step"] for row in history] == [2, 4, 6]
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)
    trained = {n for n, p in straight.unet.named_parameters() if p.requires_grad}
    base = VideoUNet.from_stable_diffusion(tiny_sd).unet.state_dict()
    changed = {n for n, v in straight.unet.state_dict().items() if not torch.equal(v, base[n])}
    assert changed and changed <= trained


def test_finetuning_lowers_the_denoising_loss(tiny_sd):
    latents, text = _training_data(4)
    config = FinetuneConfig(steps=60, batch_size=4, lr=3e-3, trainable="all", log_every=20,
                            device="cpu")  # fmt: skip
    history = finetune_video_unet(
        VideoUNet.from_stable_diffusion(tiny_sd), latents, text,
        load_scheduler(tiny_sd, "DDPMScheduler"), config,
    )  # fmt: skip
    assert history[-1]["loss"] < 0.7 * history[0]["loss"]


def test_select_training_clips():
    np.testing.assert_array_equal(select_training_clips(15, 5, 2), [0, 1, 5, 6, 10, 11])
    with pytest.raises(ValueError, match="Cannot take 6 clips per concept from 15 clips"):
        select_training_clips(15, 5, 6)


def test_saved_model_generates_the_same_clips(tiny_sd, tmp_path):
    unet = VideoUNet.from_stable_diffusion(tiny_sd).eval()
    negative = torch.zeros(1, 77, 32)
    save_video_diffusion(tmp_path / "model", unet, negative, load_scheduler(tiny_sd))
    again, negative_again, scheduler = load_video_diffusion(tmp_path / "model")
    assert type(scheduler).__name__ == "PNDMScheduler"
    vae = load_vae(tiny_sd)
    text = np.random.default_rng(0).standard_normal((3, 77, 32)).astype(np.float32)
    options = {"latent_shape": (3, 4, 2, 4), "steps": 3, "guidance": 2.0, "batch_size": 2}
    clips = generate_clips(unet, vae, scheduler, text, negative.numpy(), **options)
    assert clips.shape == (3, 3, 16, 32, 3) and clips.dtype == np.uint8
    np.testing.assert_array_equal(
        generate_clips(again.eval(), vae, scheduler, text, negative_again.numpy(), **options), clips
    )
    # The starting latents matter: a different start gives different clips.
    start = np.random.default_rng(1).standard_normal((3, 3, 4, 2, 4)).astype(np.float32)
    other = generate_clips(unet, vae, scheduler, text, negative.numpy(), initial_latents=start,
                           steps=3, guidance=2.0)  # fmt: skip
    assert not np.array_equal(other, clips)
    with pytest.raises(ValueError, match=r"2 initial latents for 3 conditioning embeddings"):
        generate_clips(unet, vae, scheduler, text, negative.numpy(), initial_latents=start[:2])


def test_condition_dropout_trains_on_the_negative_embedding(tiny_sd, monkeypatch):
    """With dropout, some clips are conditioned on the negative embedding, and only then."""
    latents, text = _training_data(4)
    negative = torch.full((1, 77, 32), 7.0)
    seen = []
    unet = VideoUNet.from_stable_diffusion(tiny_sd)
    forward = unet.forward
    monkeypatch.setattr(unet, "forward", lambda x, t, c: seen.append(c.clone()) or forward(x, t, c))
    scheduler = load_scheduler(tiny_sd, "DDPMScheduler")
    config = FinetuneConfig(steps=8, batch_size=4, condition_dropout=0.5, device="cpu")
    finetune_video_unet(unet, latents, text, scheduler, config, negative_embedding=negative)
    conditions = torch.cat(seen)
    dropped = (conditions == 7.0).all(dim=(1, 2))
    assert 0 < dropped.sum() < len(conditions)
    kept = conditions[~dropped]
    assert all(any(torch.equal(c, t) for t in text) for c in kept)
    with pytest.raises(ValueError, match="condition_dropout needs the negative embedding"):
        finetune_video_unet(unet, latents, text, scheduler, config)
    with pytest.raises(ValueError, match=r"condition_dropout must be in \[0, 1\)"):
        FinetuneConfig(condition_dropout=1.0)


PROTOCOL = {"sfreq": 200.0, "n_blocks": 2, "n_concepts": 2, "clips_per_concept": 3,
            "hint_s": 1.0, "clip_s": 2.0}  # fmt: skip


def _block_files(tmp_path, n_blocks=2, n_clips=6):
    from eegdecode.artifacts import LATENT_AXES, TEXT_AXES, AxisArray, write_artifact

    generator = torch.Generator().manual_seed(1)
    paths = {"latents": [], "text": []}
    for block in range(1, n_blocks + 1):
        latents = torch.randn(n_clips, 3, 4, 8, 8, generator=generator).numpy()
        text = torch.randn(n_clips, 77, 32, generator=generator).numpy()
        for kind, values, axes in (("latents", latents, LATENT_AXES), ("text", text, TEXT_AXES)):
            name = "latents" if kind == "latents" else "embeddings"
            paths[kind].append(write_artifact(
                tmp_path / f"{kind}{block}.h5", {name: AxisArray(values, axes)}, producer="test",
            ))  # fmt: skip
    return paths


def test_finetuning_on_block_files_trains_on_the_chosen_clips(tiny_sd, tmp_path):
    from eegdecode.artifacts import read_array
    from eegdecode.diffusion import finetune_video_diffusion
    from eegdecode.stimulus import embed_captions, load_text_encoder

    paths = _block_files(tmp_path)
    training = {"steps": 2, "batch_size": 2, "lr": 1e-3, "log_every": 1, "device": "cpu",
                "condition_dropout": 0.5}  # fmt: skip
    history = finetune_video_diffusion(
        paths["latents"], paths["text"], tiny_sd, tmp_path / "model", protocol=PROTOCOL,
        clips_per_concept=2, training=training,
    )  # fmt: skip
    unet, negative, scheduler = load_video_diffusion(tmp_path / "model")
    assert [row["step"] for row in history] == [1, 2]
    assert type(scheduler).__name__ == "PNDMScheduler"
    np.testing.assert_array_equal(
        negative.numpy(), embed_captions([""], *load_text_encoder(tiny_sd))[1]
    )
    # The same as fine-tuning directly on clips 0, 1, 3, 4 of both blocks.
    chosen = [0, 1, 3, 4]
    latents, text = ([read_array(p, name).data[chosen] for p in paths[kind]]
                     for kind, name in (("latents", "latents"), ("text", "embeddings")))  # fmt: skip
    expected = VideoUNet.from_stable_diffusion(tiny_sd)
    finetune_video_unet(
        expected, torch.from_numpy(np.concatenate(list(latents))),
        torch.from_numpy(np.concatenate(list(text))), load_scheduler(tiny_sd, "DDPMScheduler"),
        FinetuneConfig(**training), negative_embedding=negative,
    )  # fmt: skip
    for (name, a), b in zip(expected.state_dict().items(), unet.state_dict().values(),
                            strict=True):  # fmt: skip
        torch.testing.assert_close(a, b, rtol=0, atol=0, msg=name)


def test_finetuning_refuses_blocks_of_another_protocol(tiny_sd, tmp_path):
    from eegdecode.diffusion import finetune_video_diffusion

    paths = _block_files(tmp_path, n_clips=4)
    options = {"protocol": PROTOCOL, "clips_per_concept": 2, "training": {"steps": 1}}
    with pytest.raises(ValueError, match=r"latents1\.h5 has 4 clips, but the protocol"):
        finetune_video_diffusion(
            paths["latents"], paths["text"], tiny_sd, tmp_path / "m", **options
        )
    good = _block_files(tmp_path / "good")
    with pytest.raises(ValueError, match=r"text1\.h5 has 4 clips, but .*latents1\.h5 has 2 conc"):
        finetune_video_diffusion(good["latents"], paths["text"], tiny_sd, tmp_path / "m", **options)
    assert not (tmp_path / "m").exists()


def test_generation_from_predictions_writes_clips_in_class_order(tiny_sd, tmp_path):
    from eegdecode.artifacts import LATENT_AXES, AxisArray, read_array, read_attrs, write_artifact
    from eegdecode.diffusion import GENERATED_AXES, generate_from_predictions

    unet = VideoUNet.from_stable_diffusion(tiny_sd).eval()
    negative = torch.zeros(1, 77, 32)
    save_video_diffusion(tmp_path / "model", unet, negative, load_scheduler(tiny_sd))
    rng = np.random.default_rng(0)
    embeddings = rng.standard_normal((2, 2, 77, 32)).astype(np.float32)
    write_artifact(
        tmp_path / "semantic.h5",
        {"embeddings": AxisArray(embeddings, ("class", "rep", "token", "feature")),
         "concept_ids": AxisArray(np.array([1, 2]), ("class",))},
        producer="train_semantic", attrs={"subject": 3, "test_block": 2},
    )  # fmt: skip
    initial = rng.standard_normal((2, 2, 3, 4, 2, 4)).astype(np.float32)
    initial_axes = ("class", "rep", *LATENT_AXES[1:])
    write_artifact(tmp_path / "initial.h5", {"latents": AxisArray(initial, initial_axes)},
                   producer="dana")  # fmt: skip
    reference = np.zeros((5, 3, 4, 2, 4), np.float32)
    write_artifact(tmp_path / "reference.h5", {"latents": AxisArray(reference, LATENT_AXES)},
                   producer="vae_latents")  # fmt: skip
    settings = {"steps": 2, "guidance": 2.0, "strength": 1.0, "seed": 5, "batch_size": 3,
                "device": "cpu"}  # fmt: skip
    paths = [tmp_path / "model", tiny_sd, tmp_path / "semantic.h5", tmp_path / "reference.h5",
             tmp_path / "clips.h5", tmp_path / "files"]  # fmt: skip
    generate_from_predictions(*paths, mode="full", settings=settings, frames_per_s=3,
                              initial_latents=tmp_path / "initial.h5")  # fmt: skip
    frames = read_array(tmp_path / "clips.h5", "frames", axes=GENERATED_AXES)
    options = {
        key: settings[key] for key in ("steps", "guidance", "strength", "seed", "batch_size")
    }
    expected = generate_clips(unet, load_vae(tiny_sd), load_scheduler(tiny_sd),
                              embeddings.reshape(4, 77, 32), negative.numpy(),
                              initial_latents=initial.reshape(4, 3, 4, 2, 4), **options)  # fmt: skip
    np.testing.assert_array_equal(frames.data, expected.reshape(2, 2, *expected.shape[1:]))
    attrs = read_attrs(tmp_path / "clips.h5")
    assert attrs["subject"] == 3 and attrs["test_block"] == 2 and attrs["mode"] == "full"
    assert attrs["initial_latents"] == "DANA-noised Seq2Seq latents"
    assert sorted(p.name for p in (tmp_path / "files").iterdir())[:2] == ["0.gif", "0.mp4"]
    assert len(list((tmp_path / "files").iterdir())) == 8
    # Without initial latents: Gaussian noise of the reference clips' shape.
    generate_from_predictions(*paths, mode="no_seq2seq", settings=settings, frames_per_s=3)
    assert read_array(tmp_path / "clips.h5", "frames").data.shape == (2, 2, 3, 16, 32, 3)
    # DANA's noise (dana.timestep: sampler) in the initial latents is the image-to-image noise.
    noise = rng.standard_normal(initial.shape).astype(np.float32)
    write_artifact(tmp_path / "initial.h5", {"latents": AxisArray(initial, initial_axes),
                   "noise": AxisArray(noise, initial_axes)}, producer="dana")  # fmt: skip
    halfway = {**settings, "strength": 0.5}
    generate_from_predictions(*paths, mode="full", settings=halfway, frames_per_s=3,
                              initial_latents=tmp_path / "initial.h5")  # fmt: skip
    expected = generate_clips(unet, load_vae(tiny_sd), load_scheduler(tiny_sd),
                              embeddings.reshape(4, 77, 32), negative.numpy(),
                              initial_latents=initial.reshape(4, 3, 4, 2, 4),
                              noise=noise.reshape(4, 3, 4, 2, 4),
                              **{**options, "strength": 0.5})  # fmt: skip
    frames = read_array(tmp_path / "clips.h5", "frames").data
    np.testing.assert_array_equal(frames, expected.reshape(2, 2, *expected.shape[1:]))
    write_artifact(tmp_path / "initial.h5", {"latents": AxisArray(initial[:1], initial_axes)},
                   producer="dana")  # fmt: skip
    with pytest.raises(ValueError, match=r"initial\.h5 has latents for \(1, 2\) \(class, rep\)"):
        generate_from_predictions(*paths, mode="full", settings=settings, frames_per_s=3,
                                  initial_latents=tmp_path / "initial.h5")  # fmt: skip
    # A negative embedding file (EEG2Video's negative.npy) replaces the saved one.
    official = rng.standard_normal((1, 77, 32)).astype(np.float16)
    np.save(tmp_path / "negative.npy", official)
    generate_from_predictions(*paths, mode="no_seq2seq", settings=settings, frames_per_s=3,
                              negative_embedding=tmp_path / "negative.npy")  # fmt: skip
    expected = generate_clips(unet, load_vae(tiny_sd), load_scheduler(tiny_sd),
                              embeddings.reshape(4, 77, 32), official.astype(np.float32),
                              latent_shape=(3, 4, 2, 4), **options)  # fmt: skip
    np.testing.assert_array_equal(
        read_array(tmp_path / "clips.h5", "frames").data,
        expected.reshape(2, 2, *expected.shape[1:]),
    )


def test_a_negative_embedding_file_replaces_the_saved_one(tiny_sd, tmp_path):
    """EEG2Video's negative.npy (float16, (1, 77, 768)) in the tiny model's width."""
    from eegdecode.diffusion.generate import read_negative_embedding

    saved = torch.zeros(1, 77, 32)
    official = np.random.default_rng(0).standard_normal((1, 77, 32)).astype(np.float16)
    np.save(tmp_path / "negative.npy", official)
    np.save(tmp_path / "tokens_only.npy", official[0])
    for name in ("negative.npy", "tokens_only.npy"):
        negative = read_negative_embedding(tmp_path / name, like=saved)
        assert negative.dtype == torch.float32
        np.testing.assert_array_equal(negative.numpy(), official.astype(np.float32))
    np.save(tmp_path / "wide.npy", np.zeros((1, 77, 768), np.float16))
    with pytest.raises(ValueError, match=r"wide\.npy' has shape \(1, 77, 768\).*\(1, 77, 32\)"):
        read_negative_embedding(tmp_path / "wide.npy", like=saved)
    np.save(tmp_path / "pickled.npy", np.array([{"negative": official}], dtype=object))
    with pytest.raises(ValueError, match=r"pickled\.npy' holds Python objects"):
        read_negative_embedding(tmp_path / "pickled.npy", like=saved)
    nan = official.astype(np.float32)
    nan[0, 3, 1] = np.nan
    np.save(tmp_path / "nan.npy", nan)
    with pytest.raises(ValueError, match="NaN"):
        read_negative_embedding(tmp_path / "nan.npy", like=saved)


def test_strength_below_one_denoises_the_initial_latents_instead_of_replacing_them(tiny_sd):
    from eegdecode.stimulus import decode_latents

    torch.manual_seed(0)
    unet, vae = VideoUNet.from_stable_diffusion(tiny_sd).eval(), load_vae(tiny_sd)
    rng = np.random.default_rng(1)
    embeddings = rng.standard_normal((2, 77, 32)).astype(np.float32)
    initial = 2 * rng.standard_normal((2, 3, 4, 2, 4)).astype(np.float32)
    shown = decode_latents(initial, vae, batch_size=2).astype(float)
    distance = {}
    for strength in (1.0, 0.5, 0.1):
        clips = generate_clips(unet, vae, load_scheduler(tiny_sd), embeddings,
                               np.zeros((1, 77, 32), np.float32), initial_latents=initial,
                               steps=10, guidance=1.0, strength=strength)  # fmt: skip
        distance[strength] = np.abs(clips - shown).mean()
    # The fewer steps run, the closer the clips stay to what the initial latents decode to.
    assert distance[0.1] < distance[0.5] < distance[1.0]
    with pytest.raises(ValueError, match=r"strength must lie in \(0, 1\]"):
        generate_clips(
            unet,
            vae,
            load_scheduler(tiny_sd),
            embeddings,
            np.zeros((1, 77, 32), np.float32),
            initial_latents=initial,
            strength=0,
        )


def test_given_noise_is_the_noise_image_to_image_sampling_adds(tiny_sd):
    # The seed's own draw, handed in as noise, gives the same clips as drawing it; DANA's
    # frame-shared noise gives other clips.
    torch.manual_seed(0)
    unet, vae = VideoUNet.from_stable_diffusion(tiny_sd).eval(), load_vae(tiny_sd)
    rng = np.random.default_rng(2)
    embeddings = rng.standard_normal((2, 77, 32)).astype(np.float32)
    initial = rng.standard_normal((2, 3, 4, 2, 4)).astype(np.float32)
    options = dict(initial_latents=initial, steps=4, guidance=2.0, strength=0.5, seed=7,
                   batch_size=2)  # fmt: skip
    args = (unet, vae, load_scheduler(tiny_sd), embeddings, np.zeros((1, 77, 32), np.float32))
    drawn = generate_clips(*args, **options)
    # generate_clips draws (batch, channel, frame, h, w) noise for the UNet's layout.
    seeded = torch.randn((2, 4, 3, 2, 4), generator=torch.Generator().manual_seed(7))
    given = generate_clips(*args, noise=seeded.transpose(1, 2).numpy(), **options)
    np.testing.assert_array_equal(given, drawn)
    shared = np.repeat(rng.standard_normal((2, 1, 4, 2, 4)), 3, axis=1).astype(np.float32)
    assert not np.array_equal(generate_clips(*args, noise=shared, **options), drawn)
    with pytest.raises(ValueError, match="needs initial latents and a strength below 1"):
        generate_clips(*args, **{**options, "strength": 1.0}, noise=shared)
    with pytest.raises(ValueError, match=r"noise \(2, 1, 4, 2, 4\) must have the initial"):
        generate_clips(*args, noise=shared[:, :1], **options)
