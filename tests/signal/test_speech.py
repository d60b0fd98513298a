import numpy as np
import pytest

from eegdecode.datasets.speech_demo import synthesize_speech
from eegdecode.signal import speech_segments


@pytest.fixture(scope="module")
def speech():
    return synthesize_speech(20.0, seed=0)


def test_each_word_is_found_at_its_onset(speech):
    # The demo's words are at least 0.15 s apart; a plosive starts with 40 ms of closure.
    segments = speech_segments(speech.audio, speech.sfreq, min_silence_s=0.1, pad_s=0.0)
    assert len(segments) == len(speech.words)
    delay = segments[:, 0] / speech.sfreq - speech.onsets_s
    assert np.all((delay > -0.021) & (delay < 0.045))


def test_short_silences_join_and_padding_stays_inside(speech):
    fine = speech_segments(speech.audio, speech.sfreq, min_silence_s=0.1)
    coarse = speech_segments(speech.audio, speech.sfreq, min_silence_s=0.4, pad_s=0.3)
    assert 0 < len(coarse) < len(fine)
    for segments in (fine, coarse):
        assert segments[0, 0] >= 0 and segments[-1, 1] <= len(speech.audio)
        assert np.all(segments[1:, 0] > segments[:-1, 1])
    # every sample of a fine segment lies in some coarse segment
    covered = np.zeros(len(speech.audio), dtype=bool)
    for start, stop in coarse:
        covered[start:stop] = True
    assert all(covered[start:stop].all() for start, stop in fine)


def test_silence_and_clicks_are_not_speech():
    sfreq = 1000.0
    assert speech_segments(np.zeros(5000), sfreq).shape == (0, 2)
    audio = np.zeros(5000)
    audio[1000:1010] = 1.0  # a 10 ms click
    audio[3000:3500] = 0.5 * np.sin(np.arange(500))
    np.testing.assert_array_equal(speech_segments(audio, sfreq, pad_s=0.0), [[3000, 3500]])
