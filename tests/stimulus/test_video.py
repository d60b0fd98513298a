import dataclasses

import cv2
import numpy as np
import pytest

from eegdecode.datasets import Protocol
from eegdecode.stimulus import clip_frame_indices, read_clip_frames, read_gif, write_gifs

SEED_DV = Protocol(
    sfreq=200.0, n_blocks=7, n_concepts=40, clips_per_concept=5, hint_s=3.0, clip_s=2.0,
    video_fps=24,
)  # fmt: skip
SMALL = Protocol(
    sfreq=200.0, n_blocks=1, n_concepts=2, clips_per_concept=5, hint_s=3.0, clip_s=2.0,
    video_fps=24,
)  # fmt: skip
BITS = 14  # 2**14 > 12480 frames


def _numbered_video(path, n_frames, fps, size=(64, 32)):
    """Each frame shows its own number in binary as black and white squares."""
    width, height = size
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    cell = width // 8
    for number in range(n_frames):
        frame = np.zeros((height, width, 3), np.uint8)
        for bit in range(BITS):
            if number >> bit & 1:
                row, column = divmod(bit, 8)
                frame[row * cell : (row + 1) * cell, column * cell : (column + 1) * cell] = 255
        writer.write(frame)
    writer.release()
    return path


def _decode_numbers(frames):
    """Read the binary frame numbers back from (..., height, width, 3) frames."""
    cell = frames.shape[-2] // 8
    number = np.zeros(frames.shape[:-3], np.int64)
    for bit in range(BITS):
        row, column = divmod(bit, 8)
        patch = frames[
            ...,
            row * cell + 2 : (row + 1) * cell - 2,
            column * cell + 2 : (column + 1) * cell - 2,
            :,
        ]
        number |= (patch.mean(axis=(-3, -2, -1)) > 127).astype(np.int64) << bit
    return number


def test_seed_dv_frame_arithmetic():
    indices = clip_frame_indices(SEED_DV, frames_per_s=3)
    assert indices.shape == (40, 5, 6)
    i, j, k = np.meshgrid(np.arange(40), np.arange(5), np.arange(6), indexing="ij")
    np.testing.assert_array_equal(indices, 72 + 312 * i + 48 * j + 8 * k)


@pytest.mark.slow
def test_reading_a_24_fps_seed_dv_block_picks_the_specified_frames(tmp_path):
    path = _numbered_video(tmp_path / "1st_10min.mp4", 12480, 24)
    frames = read_clip_frames(path, SEED_DV, frames_per_s=3, width=64, height=32)
    assert frames.shape == (200, 6, 32, 64, 3) and frames.dtype == np.uint8
    i, j, k = np.meshgrid(np.arange(40), np.arange(5), np.arange(6), indexing="ij")
    expected = (72 + 312 * i + 48 * j + 8 * k).reshape(200, 6)
    np.testing.assert_array_equal(_decode_numbers(frames), expected)


def test_other_frame_rates_and_sizes_work(tmp_path):
    # 30 fps: concept slot i starts at 390·i; clip j at 90 + 60·j; frame k every 10 frames.
    path = _numbered_video(tmp_path / "block.mp4", 2 * 13 * 30, 30, size=(128, 64))
    at_30 = dataclasses.replace(SMALL, video_fps=30)
    frames = read_clip_frames(path, at_30, frames_per_s=3, width=128, height=64)
    assert frames.shape == (10, 6, 64, 128, 3)
    assert _decode_numbers(frames)[6].tolist() == [390 + 90 + 60 + 10 * k for k in range(6)]


@pytest.mark.parametrize(
    ("n_frames", "fps", "match"),
    [
        (
            2 * 13 * 24 - 10,
            24,
            r"is too short for the protocol: 614 frames at 24 fps is 25.58 s, a block lasts 26 s \(624 frames\)",
        ),
        (
            2 * 13 * 24,
            20,
            r"block.mp4' runs at 20 fps, but dataset.protocol.video_fps is 24",
        ),
        (
            2 * 13 * 24,
            23.976,
            r"block.mp4' runs at 23.976 fps, but dataset.protocol.video_fps is 24: its frames "
            r"would be numbered at the wrong rate(.|\n)*resample_by_time: true",
        ),
        (
            2 * 13 * 24 * 2,
            24,
            r"has 1248 frames, which at its 24 fps is 52.00 s, but a block lasts 26 s",
        ),
    ],
)
def test_videos_that_do_not_fit_the_protocol(tmp_path, n_frames, fps, match):
    path = _numbered_video(tmp_path / "block.mp4", n_frames, fps)
    with pytest.raises(ValueError, match=match):
        read_clip_frames(path, SMALL, frames_per_s=3, width=64, height=32)


def test_a_video_of_another_rate_is_resampled_by_time_when_asked(tmp_path):
    path = _numbered_video(tmp_path / "block.mp4", 2 * 13 * 24, 23.976)
    frames = read_clip_frames(
        path, SMALL, frames_per_s=3, width=64, height=32, resample_by_time=True
    )
    # Frame k of clip j of slot i is the frame nearest in time at 23.976 fps.
    seconds = np.array([[13 * i + 3 + 2 * j + k / 3 for k in range(6)] for i in range(2)
                        for j in range(5)])  # fmt: skip
    np.testing.assert_array_equal(_decode_numbers(frames), np.round(seconds * 23.976))
    assert not np.array_equal(_decode_numbers(frames), np.round(seconds * 24))


def test_unreadable_and_missing_videos(tmp_path):
    broken = tmp_path / "1st_10min.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(ValueError, match=r"1st_10min.mp4' could not be opened by OpenCV"):
        read_clip_frames(broken, SMALL, frames_per_s=3, width=64, height=32)
    with pytest.raises(FileNotFoundError, match=r"Stimulus video '.*2nd_10min.mp4' does not exist"):
        read_clip_frames(tmp_path / "2nd_10min.mp4", SMALL, frames_per_s=3, width=64, height=32)


def test_frames_per_second_must_fit_the_clip():
    with pytest.raises(
        ValueError,
        match=r"frames_per_s = 2.25 does not give a whole number of frames per 2.0 s clip",
    ):
        clip_frame_indices(SMALL, 2.25)
    with pytest.raises(ValueError, match=r"frames_per_s = 30 exceeds the video's 24 fps"):
        clip_frame_indices(SMALL, 30)
    with pytest.raises(ValueError, match=r"frames_per_s = 5 does not divide the video's 24 fps"):
        clip_frame_indices(SMALL, 5)
    with pytest.raises(ValueError, match=r"protocol.hint_s = 3.0 s is 71.92\d* frames"):
        dataclasses.replace(SMALL, video_fps=23.976)


def test_gifs_hold_exactly_the_returned_frames(tmp_path, rng):
    frames = rng.integers(0, 256, (3, 6, 16, 24, 3), dtype=np.uint8)
    shown = write_gifs(frames, tmp_path / "gifs", frames_per_s=3)
    assert sorted(p.name for p in (tmp_path / "gifs").iterdir()) == ["0.gif", "1.gif", "2.gif"]
    for clip in range(3):
        np.testing.assert_array_equal(
            read_gif(tmp_path / f"gifs/{clip}.gif", frames_per_s=3), shown[clip]
        )
    # Random colours exceed a GIF palette, so what the GIFs show is close to, not equal to, the input.
    assert np.abs(shown.astype(int) - frames).mean() < 20


def test_gif_frame_duration_is_one_third_of_a_second(tmp_path, rng):
    from PIL import Image

    write_gifs(
        rng.integers(0, 256, (1, 6, 8, 8, 3), dtype=np.uint8), tmp_path / "gifs", frames_per_s=3
    )
    with Image.open(tmp_path / "gifs/0.gif") as gif:
        assert gif.n_frames == 6
        assert gif.info["duration"] == 330  # GIF stores hundredths of a second


def test_failed_gif_writing_leaves_no_folder(tmp_path):
    with pytest.raises(ValueError, match=r"frames must be uint8 \(clip, frame, height, width, 3\)"):
        write_gifs(np.zeros((2, 6, 8, 8, 3)), tmp_path / "gifs", frames_per_s=3)
    assert not (tmp_path / "gifs").exists()


def test_still_frames_survive_the_gif_writer_merging_them(tmp_path, rng):
    frames = np.repeat(
        rng.integers(0, 4, (1, 2, 8, 8, 3), dtype=np.uint8) * 60, 3, axis=1
    )  # AAABBB
    shown = write_gifs(frames, tmp_path / "gifs", frames_per_s=3)
    np.testing.assert_array_equal(shown, frames)
    from PIL import Image

    with Image.open(tmp_path / "gifs/0.gif") as gif:
        assert gif.n_frames == 2  # stored merged, read back whole
