"""A synthetic SingleWordProductionDutch release, in the layout of its iBIDS folder.

``participants.tsv``, and per participant ``sub-XX/ieeg/sub-XX_task-wordProduction_ieeg.nwb``
(acquisitions ``iEEG`` at 1024 Hz, time first; ``Audio`` at 48 kHz; ``Stimulus``, the word
shown at each iEEG sample, empty between words) with ``sub-XX_task-wordProduction_channels.tsv``
beside it. The speech and sEEG are the embedded demo's (formant words; high gamma following
the log-mel, scaled by ``signal_strength``, 0 for a null participant). One channel is not
brain: ``MKR1`` (type MISC) carries the word cue itself, so a decoder that read it would
identify words on the null participant.
"""

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from eegdecode.datasets.speech_demo import make_demo_seeg, synthesize_speech
from eegdecode.fileio import write_tsv

SEEG_SFREQ = 1024.0
AUDIO_SFREQ = 48000.0
TASK = "task-wordProduction"
# The word is shown from this long before the speaker starts until this long after he stops.
CUE_LEAD_S, CUE_TAIL_S = 0.2, 0.2


def ieeg_path(root: Path, participant: str) -> Path:
    return Path(root) / participant / "ieeg" / f"{participant}_{TASK}_ieeg.nwb"


def write_ibids(
    root: str | Path,
    signal_strengths: dict[str, float],
    *,
    seconds: float = 120.0,
    n_channels: int = 16,
    seed: int = 0,
) -> Path:
    """Write the folder; ``signal_strengths`` maps participant ids (``sub-01``) to the depth of
    their sEEG's modulation."""
    from pynwb import NWBHDF5IO, NWBFile, TimeSeries

    root = Path(root)
    write_tsv(
        root / "participants.tsv",
        [{"participant_id": p, "age": "30", "sex": "n/a"} for p in signal_strengths],
    )
    for index, (participant, strength) in enumerate(signal_strengths.items()):
        speech = synthesize_speech(seconds, seed=seed + index, sfreq=AUDIO_SFREQ, gap_s=(0.6, 1.0))
        seeg = make_demo_seeg(speech, n_channels=n_channels, seed=seed + index,
                              signal_strength=strength, sfreq=SEEG_SFREQ)  # fmt: skip
        stimulus = np.full(seeg.shape[1], "", dtype=object)
        for word, onset, duration in zip(
            speech.words, speech.onsets_s, speech.durations_s, strict=True
        ):
            first = max(0, round((onset - CUE_LEAD_S) * SEEG_SFREQ))
            stimulus[first : round((onset + duration + CUE_TAIL_S) * SEEG_SFREQ)] = word
        marker = (stimulus != "").astype(np.float32) * 100.0
        names = [f"LA{k + 1}" for k in range(n_channels)] + ["MKR1"]
        nwb = NWBFile(
            session_description="synthetic single-word production", identifier=participant,
            session_start_time=datetime(2022, 1, 1, tzinfo=UTC),
        )  # fmt: skip
        nwb.add_acquisition(TimeSeries(name="iEEG", data=np.vstack([seeg, marker]).T,
                                       rate=SEEG_SFREQ, unit="uV"))  # fmt: skip
        nwb.add_acquisition(TimeSeries(name="Audio", data=speech.audio, rate=AUDIO_SFREQ,
                                       unit="a.u."))  # fmt: skip
        nwb.add_acquisition(TimeSeries(name="Stimulus", data=stimulus, rate=SEEG_SFREQ,
                                       unit="n/a"))  # fmt: skip
        path = ieeg_path(root, participant)
        path.parent.mkdir(parents=True, exist_ok=True)
        with NWBHDF5IO(str(path), "w") as io:
            io.write(nwb)
        write_tsv(
            path.with_name(f"{participant}_{TASK}_channels.tsv"),
            [{"name": name, "type": "MISC" if name == "MKR1" else "SEEG", "units": "uV",
              "low_cutoff": "0.1", "high_cutoff": "500"} for name in names],
        )  # fmt: skip
    return root
