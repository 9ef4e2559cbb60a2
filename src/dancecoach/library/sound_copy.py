"""A browser-playable copy of a video with its soundtrack: H.264 + AAC in MP4 (PyAV).

Frames are read with OpenCV (which turns phone recordings upright) and encoded with x264;
the first audio stream is re-encoded to AAC and put on the same clock as the picture, so the
copy plays in time with the music. Both encoders come inside PyAV's wheel.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

_MAX_SIDE = 720
_AUDIO_RATE_HZ = 48_000
_AUDIO_BIT_RATE = 128_000
# x264: "veryfast" keeps a minute of video to seconds of CPU; CRF 23 is its default quality.
_X264_OPTIONS = {"preset": "veryfast", "crf": "23"}
_MILLISECONDS = Fraction(1, 1000)


def _video_start_s(container: Any) -> float:
    if container.streams.video:
        video = container.streams.video[0]
        if video.start_time is not None and video.time_base is not None:
            return float(video.start_time * video.time_base)
    return 0.0


def _aac_packets(source: Path, output_stream: Any) -> Iterator[tuple[float, Any]]:
    """(seconds from the first video frame, packet) of the source's sound re-encoded to AAC."""
    import av

    with av.open(str(source), metadata_errors="ignore") as container:
        if not container.streams.audio:
            return
        start_s = _video_start_s(container)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=_AUDIO_RATE_HZ)
        position: int | None = None  # next output sample, in samples from the first video frame
        for frame in container.decode(container.streams.audio[0]):
            if position is None:
                first_s = float(frame.time) if frame.time is not None else start_s
                position = round((first_s - start_s) * _AUDIO_RATE_HZ)
            for out in resampler.resample(frame):
                yield from _encode(out, position, output_stream)
                position += out.samples
        if position is not None:
            for out in resampler.resample(None):
                yield from _encode(out, position, output_stream)
                position += out.samples
        for packet in output_stream.encode(None):
            yield (float("inf"), packet)


def _encode(frame: Any, position: int, stream: Any) -> Iterator[tuple[float, Any]]:
    if position < 0:
        # Sound before the first picture: dropped, as a player starting at 0 would never play it.
        keep = frame.samples + position
        if keep <= 0:
            return
        import av

        samples = frame.to_ndarray()[:, -keep:]
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples), format="fltp", layout="stereo"
        )
        frame.sample_rate = _AUDIO_RATE_HZ
        position = 0
    frame.pts = position
    frame.time_base = Fraction(1, _AUDIO_RATE_HZ)
    for packet in stream.encode(frame):
        yield (position / _AUDIO_RATE_HZ, packet)


def make_copy_with_sound(source: Path, destination: Path) -> Path | None:
    """Write an H.264 + AAC MP4 copy (upright, at most 720 px a side); None if impossible."""
    import av

    with av.open(str(source), metadata_errors="ignore") as probe:
        has_sound = bool(probe.streams.audio)
    capture = cv2.VideoCapture(str(source))
    capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
    temporary = destination.with_name(destination.stem + ".part.mp4")
    wrote = False
    try:
        ok, image = capture.read()
        if not ok:
            return None
        with av.open(
            str(temporary), "w", format="mp4", options={"movflags": "+faststart"}
        ) as output:
            video: Any = None
            pending: tuple[float, Any] | None = None
            sound: Iterator[tuple[float, Any]] = iter(())
            last_pts = -1
            while ok:
                height, width = image.shape[:2]
                scale = min(1.0, _MAX_SIDE / max(height, width))
                size = (round(width * scale / 2) * 2, round(height * scale / 2) * 2)
                if (width, height) != size:
                    image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
                if video is None:
                    video = output.add_stream("libx264", rate=30, options=_X264_OPTIONS)
                    video.width, video.height = size
                    video.pix_fmt = "yuv420p"
                    video.codec_context.time_base = _MILLISECONDS
                    if has_sound:
                        audio = output.add_stream("aac", rate=_AUDIO_RATE_HZ)
                        audio.layout = "stereo"
                        audio.bit_rate = _AUDIO_BIT_RATE
                        sound = _aac_packets(source, audio)
                        pending = next(sound, None)
                # The decoder's own timestamp keeps variable frame rates in time with the sound.
                pts = max(round(capture.get(cv2.CAP_PROP_POS_MSEC)), last_pts + 1)
                last_pts = pts
                frame = av.VideoFrame.from_ndarray(
                    np.ascontiguousarray(image, dtype=np.uint8), format="bgr24"
                )
                frame.pts = pts
                frame.time_base = _MILLISECONDS
                for packet in video.encode(frame):
                    output.mux(packet)
                wrote = True
                # Interleave: the sound up to this picture, so nothing piles up in memory.
                while pending is not None and pending[0] <= pts / 1000.0:
                    output.mux(pending[1])
                    pending = next(sound, None)
                ok, image = capture.read()
            if video is not None:
                for packet in video.encode(None):
                    output.mux(packet)
            while pending is not None:
                output.mux(pending[1])
                pending = next(sound, None)
    except (av.FFmpegError, OSError, ValueError):
        log.warning("could not write a playable copy of %s", source.name, exc_info=True)
        temporary.unlink(missing_ok=True)
        return None
    finally:
        capture.release()
    if not wrote:
        temporary.unlink(missing_ok=True)
        return None
    temporary.replace(destination)
    return destination
