"""The dancers of a reference video, kept beside it: a still (dancers.jpg) and where each
dancer is (dancers.json), found once (estimation/dancers.py) and read on every request.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2

log = logging.getLogger(__name__)

STILL_NAME = "dancers.jpg"
FACTS_NAME = "dancers.json"
# A chosen dancer_x names the found dancer nearest to it when within this (normalized x).
_CHOICE_TOLERANCE = 0.15


@dataclass(frozen=True)
class Dancer:
    """One dancer: number (1.., left to right on the still), dancer_x to choose them, and their
    box on the still (left, top, right, bottom; normalized)."""

    number: int
    dancer_x: float
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Dancers:
    time_s: float
    dancers: tuple[Dancer, ...]

    def chosen(self, dancer_x: float | None) -> int | None:
        """The number of the dancer a reference's dancer_x follows (None: automatic)."""
        if dancer_x is None or not self.dancers:
            return None
        nearest = min(self.dancers, key=lambda d: abs(d.dancer_x - dancer_x))
        return nearest.number if abs(nearest.dancer_x - dancer_x) <= _CHOICE_TOLERANCE else None


def _box(values: list[float]) -> tuple[float, float, float, float]:
    left, top, right, bottom = (float(v) for v in values)
    return left, top, right, bottom


def stored(folder: Path) -> Dancers | None:
    """The dancers found earlier in this reference folder, or None if not looked for yet."""
    path = folder / FACTS_NAME
    if not path.is_file() or not (folder / STILL_NAME).is_file():
        return None
    try:
        data: dict[str, Any] = json.loads(path.read_text())
        return Dancers(
            time_s=float(data["time_s"]),
            dancers=tuple(
                Dancer(int(d["number"]), float(d["dancer_x"]), _box(d["box"]))
                for d in data["dancers"]
            ),
        )
    except (OSError, ValueError, KeyError, TypeError):
        log.warning("unreadable %s; looking for the dancers again", path)
        return None


def find_and_store(video: Path, folder: Path) -> Dancers:
    """Look for the dancers at the start of the video and keep the still and their boxes."""
    from dancecoach.estimation.dancers import find_dancers

    still = find_dancers(video)
    dancers = Dancers(
        time_s=still.time_s,
        dancers=tuple(
            Dancer(
                number=i + 1,
                dancer_x=round(found.follow_x, 4),
                box=(found.box.left, found.box.top, found.box.right, found.box.bottom),
            )
            for i, found in enumerate(still.dancers)
        ),
    )
    ok, encoded = cv2.imencode(".jpg", still.image_bgr, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise OSError("could not encode the still of the dancers")
    # The still first, the facts last: facts without a still never exist on disk.
    temporary = folder / (STILL_NAME + ".partial")
    temporary.write_bytes(encoded.tobytes())
    temporary.replace(folder / STILL_NAME)
    facts = {
        "time_s": dancers.time_s,
        "dancers": [
            {"number": d.number, "dancer_x": d.dancer_x, "box": list(d.box)}
            for d in dancers.dancers
        ],
    }
    partial = folder / (FACTS_NAME + ".partial")
    partial.write_text(json.dumps(facts))
    partial.replace(folder / FACTS_NAME)
    return dancers
