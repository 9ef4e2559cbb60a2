"""Soundtracks decoded from video files (PyAV): mono samples from the first frame, and no
soundtrack (None, never an error) for a mute, silent or corrupt file."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from dancecoach.estimation.soundtrack import SAMPLE_RATE_HZ, read_soundtrack
from tests.footage import footage, manifest


def _tone(seconds: float) -> NDArray[np.float32]:
    """An A (440 Hz) at -14 dBFS, well above the silence threshold."""
    t = np.arange(round(seconds * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    tone: NDArray[np.float32] = (0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
    return tone


def _write_video(path: Path, seconds: float, audio: NDArray[np.float32] | None) -> Path:
    """A small MP4 (grey frames) with an AAC soundtrack when audio is given (PyAV)."""
    with av.open(str(path), "w") as container:
        video = container.add_stream("mpeg4", rate=15)
        video.width, video.height = 64, 48
        video.pix_fmt = "yuv420p"
        sound = None
        if audio is not None:
            sound = container.add_stream("aac", rate=SAMPLE_RATE_HZ)
            sound.layout = "mono"
        for index in range(round(seconds * 15)):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), 120, np.uint8), format="rgb24")
            frame.pts = index
            container.mux(video.encode(frame))
        container.mux(video.encode(None))
        if sound is not None and audio is not None:
            block = 1024
            for start in range(0, len(audio), block):
                chunk = audio[start : start + block][None, :]
                samples = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                samples.sample_rate = SAMPLE_RATE_HZ
                samples.pts = start
                samples.time_base = Fraction(1, SAMPLE_RATE_HZ)
                container.mux(sound.encode(samples))
            container.mux(sound.encode(None))
    return path


def test_a_soundtrack_decodes_from_a_video_and_a_silent_one_does_not(tmp_path: Path) -> None:
    song = _tone(6.0)
    loud = read_soundtrack(_write_video(tmp_path / "loud.mp4", 6.0, song))
    assert loud is not None
    assert loud.duration_s == pytest.approx(6.0, abs=0.15)
    assert float(np.abs(loud.samples).max()) == pytest.approx(0.2, abs=0.05)
    silent = _write_video(tmp_path / "silent.mp4", 6.0, np.zeros_like(song))
    assert read_soundtrack(silent) is None
    assert read_soundtrack(_write_video(tmp_path / "mute.mp4", 6.0, None)) is None


def test_a_corrupt_file_has_no_soundtrack_rather_than_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    assert read_soundtrack(broken) is None


def test_a_missing_file_has_no_soundtrack(tmp_path: Path) -> None:
    assert read_soundtrack(tmp_path / "missing.mp4") is None


@pytest.mark.footage
def test_clips_the_manifest_lists_without_audio_have_no_soundtrack() -> None:
    data = manifest()
    silent = [clip for clip, info in data["clips"].items() if info.get("audio") is False]
    assert silent
    for clip in silent:
        assert read_soundtrack(footage(clip)) is None, clip


def _with_garbled_sound(source: Path, destination: Path, from_packet: int) -> Path:
    """A copy of a video whose picture is intact and whose AAC packets from `from_packet` on are
    random bytes of the same size: a damaged track in a valid file (a bad upload or edit)."""
    noise = np.random.default_rng(7)
    with av.open(str(source)) as reader, av.open(str(destination), "w") as writer:
        outputs = {s.index: writer.add_stream_from_template(s) for s in reader.streams}
        audio_seen = 0
        for packet in reader.demux():
            if packet.dts is None:
                continue
            output = outputs[packet.stream.index]
            if packet.stream.type == "audio":
                audio_seen += 1
                if audio_seen > from_packet:
                    garbled = av.Packet(noise.integers(0, 256, packet.size, np.uint8).tobytes())
                    garbled.pts, garbled.dts = packet.pts, packet.dts
                    garbled.time_base = packet.time_base
                    packet = garbled
            packet.stream = output
            writer.mux(packet)
    return destination


def test_a_damaged_track_in_a_valid_video_never_raises(tmp_path: Path) -> None:
    clean = _write_video(tmp_path / "clean.mp4", 6.0, _tone(6.0))
    damaged = _with_garbled_sound(clean, tmp_path / "damaged.mp4", from_packet=40)
    with av.open(str(damaged)) as container:  # the picture is intact
        assert sum(1 for _ in container.decode(video=0)) == round(6.0 * 15)
    # FFmpeg refuses the garbled packets: the track counts as absent (the poses align the pair,
    # as for a video without sound), never an exception out of a comparison or beat analysis.
    assert read_soundtrack(damaged) is None
    assert read_soundtrack(clean) is not None
