"""Beat analysis cost: seconds per minute of audio (warm) and its share of reference preprocessing.

On the test clips with music, for each: decoding the soundtrack (PyAV), the beat analysis
(librosa onset envelope, beat tracking, accents for count 1, with the dancer's motion), and
the rest of what preprocessing does to a reference: pose extraction (the server's settings:
15 fps, 2 workers) and the browser copy with sound when the clip needs one (HEVC). The first
analysis in a process compiles librosa's kernels; that cold call is timed apart (the server
does it at start-up, in the background). Each timed step runs twice, the faster run counts.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

from bench.extraction import footage_path
from dancecoach.config import Settings
from dancecoach.estimation.soundtrack import read_soundtrack
from dancecoach.library.playable import needs_playable_copy
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.library.sound_copy import make_copy_with_sound
from dancecoach.scoring.moments import motion_speed
from dancecoach.scoring.music.beats import analyse_beats, warm_up

CLIPS = ("pairs/maybenot_teacher.mp4", "pairs/feelsreal_a.mp4", "single/stage_routine_51s.mp4")
REPEATS = 2
T = TypeVar("T")


def fastest(step: Callable[[], T]) -> tuple[T, float]:
    """The step's result and its fastest wall time in seconds over REPEATS runs."""
    best = float("inf")
    result: T | None = None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return result, best


def main() -> None:
    print(f"load average {os.getloadavg()[0]:.2f} (2-core host shared with others: figures drift)")
    start = time.perf_counter()
    warm_up()
    cold_s = time.perf_counter() - start
    print(f"first beat analysis in the process (librosa JIT, cold): {cold_s:.1f} s")
    total_audio_s = total_decode_s = total_analysis_s = total_preprocess_s = 0.0
    for relative in CLIPS:
        video = footage_path(relative)
        with tempfile.TemporaryDirectory() as scratch:
            settings = Settings(data_dir=Path(scratch), openai_api_key=None)
            # Extraction once (a second run would read the cache): it dwarfs the rest anyway.
            start = time.perf_counter()
            poses = load_or_extract(video, settings)
            extraction_s = time.perf_counter() - start
            copy_s = 0.0
            if needs_playable_copy(video):
                copy = Path(scratch) / "copy.mp4"
                _, copy_s = fastest(partial(make_copy_with_sound, video, copy))
        soundtrack, decode_s = fastest(partial(read_soundtrack, video))
        assert soundtrack is not None, relative
        (grid, _), analysis_s = fastest(
            partial(
                analyse_beats,
                soundtrack.samples,
                soundtrack.sample_rate_hz,
                motion_speed=motion_speed(poses),
                motion_times_s=poses.timestamps_s,
            )
        )
        music_s = decode_s + analysis_s
        preprocess_s = extraction_s + copy_s + music_s
        minutes = soundtrack.duration_s / 60.0
        print(
            f"{relative}: {soundtrack.duration_s:.1f} s of audio, {grid.tempo_bpm} BPM, "
            f"{len(grid.times_s)} beats | decode {decode_s:.3f} s + analysis {analysis_s:.3f} s "
            f"= {music_s / minutes:.2f} s per minute of audio | extraction {extraction_s:.1f} s"
            f", copy with sound {copy_s:.1f} s | music share of preprocessing "
            f"{100 * music_s / preprocess_s:.1f} %"
        )
        total_audio_s += soundtrack.duration_s
        total_decode_s += decode_s
        total_analysis_s += analysis_s
        total_preprocess_s += preprocess_s
    minutes = total_audio_s / 60.0
    print(
        f"all clips ({total_audio_s:.0f} s of audio): decode {total_decode_s / minutes:.2f} s + "
        f"beat analysis {total_analysis_s / minutes:.2f} s per minute of audio (warm); "
        f"{100 * (total_decode_s + total_analysis_s) / total_preprocess_s:.1f} % of preprocessing"
    )


if __name__ == "__main__":
    main()
