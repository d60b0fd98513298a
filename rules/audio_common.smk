# Config interpretation and input functions of the sEEG → audio rules (rules/audio.smk).


TINY_WAVEGLOW = "results/pretrained/tiny-waveglow"
# The WaveGlow the vocoder loads: the tiny one written by build_tiny_waveglow, a configured
# checkpoint (and its config.json), or none (Griffin-Lim).
if AUDIO["vocoder"]["tiny_waveglow"]:
    WAVEGLOW = {
        "checkpoint": f"{TINY_WAVEGLOW}/waveglow.pt",
        "config": f"{TINY_WAVEGLOW}/config.json",
    }
else:
    WAVEGLOW = {
        key: path
        for key, path in (
            ("checkpoint", AUDIO["vocoder"]["waveglow"]),
            ("config", AUDIO["vocoder"]["waveglow_config"]),
        )
        if path
    }


def audio_raw_pattern(kind):
    """A participant's raw sEEG or audio file, with {participant} left as a wildcard."""
    return str(Path(AUDIO["root"]) / AUDIO["layout"][kind])


def word_markers(wildcards):
    """The participant's word markers, when audio.layout.words names them."""
    if not AUDIO["layout"]["words"]:
        return {}
    return {
        "words": audio_raw_pattern("words").format(participant=wildcards.participant)
    }


# The decoders of the linear_baseline job, by name, when it runs: on the
# seq2seq's split, and in the reference's cross-validation.
BASELINE_DECODERS = (
    {"linear_baseline": "_mel.h5", "linear_baseline_cv": "_cv_mel.h5"}
    if AUDIO["linear_baseline"]["activate"]
    else {}
)


def baseline_predictions(wildcards):
    """The predictions of BASELINE_DECODERS, named by decoder."""
    stem = f"{AUDIO_RESULTS}/predictions/{wildcards.participant}_linear_baseline"
    return {name: stem + suffix for name, suffix in BASELINE_DECODERS.items()}


def get_audio_targets():
    return [
        f"{AUDIO_RESULTS}/evaluation/summary.csv",
        *expand(
            [
                f"{AUDIO_RESULTS}/audio/{{participant}}",
                f"{AUDIO_RESULTS}/qc/{{participant}}_mel.png",
                f"{AUDIO_RESULTS}/qc/{{participant}}_learning.png",
                f"{AUDIO_RESULTS}/report/{{participant}}_audio.html",
            ],
            participant=PARTICIPANTS,
        ),
    ]
