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
