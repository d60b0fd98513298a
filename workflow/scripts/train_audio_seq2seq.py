"""Rule train_audio_seq2seq: one participant's decoder from high-gamma envelopes to log-mel,
trained on the first part of the recording; predicts the test part window by window."""

from eegdecode import log_to_file
from eegdecode.artifacts import AxisArray, inherit_attrs, read_array, read_attrs, write_artifact
from eegdecode.devices import limit_threads
from eegdecode.report import save_training_record
from eegdecode.signal import MelConfig
from eegdecode.training import TrainConfig, chronological_windows
from eegdecode.training.audio import target_first_frames, train_audio_decoder, window_pairs

with log_to_file(snakemake.log[0]):
    params = snakemake.params
    limit_threads(snakemake.threads)
    envelope = read_array(snakemake.input.envelope, "envelope", axes=("channel", "time")).data
    attrs = read_attrs(snakemake.input.envelope)
    log_mel = read_array(snakemake.input.mel, "log_mel", axes=("frame", "mel")).data
    mel_settings = read_attrs(snakemake.input.mel)["parameters"]
    mel, sfreq = MelConfig(**mel_settings), attrs["sfreq"]
    windows = chronological_windows(envelope.shape[1], sfreq, **params.windows)
    pairs = {
        split: window_pairs(envelope, sfreq, log_mel, mel, windows, split)
        for split in ("train", "validation", "test")
    }
    trained = train_audio_decoder(
        pairs["train"],
        pairs["validation"],
        model_config=params.model,
        train_config=TrainConfig.from_dict({**params.training, "seed": params.seed}),
        workdir=params.checkpoints,
    )
    trained.save(snakemake.output.model)
    save_training_record(
        trained.fit,
        metrics=snakemake.output.metrics,
        figure=snakemake.output.curves,
        title=f"Audio decoder, participant {snakemake.wildcards.participant}",
    )
    test_inputs, test_targets = pairs["test"]
    write_artifact(
        snakemake.output.predictions,
        {
            "predicted": AxisArray(
                trained.predict(test_inputs, seed=params.seed), ("window", "frame", "mel")
            ),
            "target": AxisArray(test_targets, ("window", "frame", "mel")),
            "first_frame": AxisArray(target_first_frames(windows, "test", sfreq, mel), ("window",)),
        },
        producer="train_audio_seq2seq",
        attrs=inherit_attrs(attrs, frame_rate=mel.sfreq / mel.hop_length),
        parameters={
            "mel": mel_settings,
            "windows": params.windows,
            "model": params.model,
            "training": params.training,
        },
    )
