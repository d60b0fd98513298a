"""Rule generate_demo_speech: one participant's synthetic speech and the sEEG that encodes it."""

from eegdecode import log_to_file
from eegdecode.datasets.speech_demo import make_demo_seeg, synthesize_speech
from eegdecode.fileio import save_npy, save_wav

with log_to_file(snakemake.log[0]):
    params, demo = snakemake.params, snakemake.params.demo
    # Participant k draws its words, mixing and noise from seed + k.
    seed = demo["seed"] + params.participant_index
    speech = synthesize_speech(demo["seconds"], seed=seed, sfreq=params.audio_sfreq)
    seeg = make_demo_seeg(
        speech,
        n_channels=demo["n_channels"],
        seed=seed,
        signal_strength=demo["signal_strength"],
        sfreq=params.seeg_sfreq,
        line_freq=demo["line_freq"],
    )
    save_npy(snakemake.output.seeg, seeg.T if params.time_axis == 0 else seeg)
    save_wav(snakemake.output.audio, speech.audio, speech.sfreq)
    speech.write_events(snakemake.output.words)
