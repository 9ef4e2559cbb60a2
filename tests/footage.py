"""Locating the real test footage in ../shared/testdata (or $DANCECOACH_TESTDATA).

Tests that need footage skip with a clear message when it is absent, and fail instead when
DANCECOACH_REQUIRE_TESTDATA=1 (CI sets it).

Clips are added over time and the scores are checked on footage no test has seen, so tests
pick clips by what they need (`labelled_pairs`, `unrelated_pairs`, `clip_where`) and take
offsets, trim ends and durations from the manifest, never from a file name or a figure
measured on one clip.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Relations of the manifest's labelled pairs.
SAME_PERFORMANCE = "same_performance"  # one take, re-encoded or re-edited
SAME_CHOREOGRAPHY = "same_choreography"  # one dance, different dancers or takes
SAME_EXERCISE_WITH_ERROR = "same_exercise_with_error"
DANCED_ALIKE = (SAME_CHOREOGRAPHY, SAME_PERFORMANCE)


def footage_root() -> Path:
    configured = os.environ.get("DANCECOACH_TESTDATA")
    if configured:
        return Path(configured)
    return PROJECT_ROOT.parent / "shared" / "testdata"


def _missing(message: str) -> None:
    if os.environ.get("DANCECOACH_REQUIRE_TESTDATA") == "1":
        pytest.fail(message + " (DANCECOACH_REQUIRE_TESTDATA=1)")
    pytest.skip(message)


def footage(relative: str) -> Path:
    """Path of a footage file, or skip (fail under DANCECOACH_REQUIRE_TESTDATA=1) if absent."""
    path = footage_root() / relative
    if not path.is_file():
        _missing(f"test footage {relative} not found under {footage_root()}")
    return path


def manifest() -> dict[str, Any]:
    path = footage("manifest.json")
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@dataclass(frozen=True)
class Clip:
    """One clip of the manifest's `clips`; times in seconds of the clip's own clock."""

    name: str  # path relative to the footage root, e.g. "pairs/x.mp4"
    duration_s: float
    fps: float
    stored_size: tuple[int, int]  # width, height of the stored frames (before any rotation tag)
    people: int | str  # a count, or the manifest's words when it is not one ("many", ...)
    full_body: bool
    audio: bool  # the manifest marks clips without sound; unmarked clips have a soundtrack
    choreography: str | None  # None: no dance (people walking)
    rotation_tag_deg: int  # the container's rotation tag; 0 when the clip has none
    end_card_from_s: float | None  # an end card (no dancer) from this time on

    @property
    def path(self) -> Path:
        """The file (skips the test when the footage is absent)."""
        return footage(self.name)

    @property
    def upright_size(self) -> tuple[int, int]:
        """Width, height of the frames as shown, with the rotation tag applied."""
        width, height = self.stored_size
        return (height, width) if self.rotation_tag_deg % 180 else (width, height)

    @property
    def dance_end_s(self) -> float:
        """Where the dancing ends: the end card's start, or the clip's end."""
        return self.end_card_from_s if self.end_card_from_s is not None else self.duration_s

    @classmethod
    def from_manifest(cls, name: str, info: dict[str, Any]) -> Clip:
        width, height = info["stored_size"] if "stored_size" in info else info["size"]
        return cls(
            name=name,
            duration_s=float(info["duration_s"]),
            fps=float(info["fps"]),
            stored_size=(int(width), int(height)),
            people=info["people"],
            full_body=bool(info["full_body"]),
            audio=bool(info.get("audio", True)),
            choreography=info.get("choreography"),
            rotation_tag_deg=int(info.get("rotation_tag_deg", 0)),
            end_card_from_s=info.get("end_card_from_s"),
        )


@dataclass(frozen=True)
class LabelledPair:
    """A pair of clips with a known relation: reference time = attempt time + offset_s."""

    reference: Clip
    attempt: Clip
    relation: str
    offset_s: float | None  # None: the two are not time-aligned (two takes of an exercise)
    mirrored: bool
    reference_trim_end_s: float | None  # the reference stops showing the dance here
    attempt_trim_end_s: float | None
    upper_body_only: bool
    audio: bool  # both clips have a soundtrack

    @property
    def reference_end_s(self) -> float:
        """Where the dancing of the reference ends (its trim end, or the clip's end)."""
        if self.reference_trim_end_s is not None:
            return self.reference_trim_end_s
        return self.reference.duration_s

    @property
    def attempt_end_s(self) -> float:
        if self.attempt_trim_end_s is not None:
            return self.attempt_trim_end_s
        return self.attempt.duration_s

    @property
    def label(self) -> str:
        """A short name for assertion messages and test ids."""
        return f"{self.reference.name} vs {self.attempt.name}"


def clips() -> dict[str, Clip]:
    """Every clip of the manifest, by name."""
    return {
        name: Clip.from_manifest(name, info) for name, info in sorted(manifest()["clips"].items())
    }


def labelled_pairs(
    relation: str | Iterable[str] = DANCED_ALIKE,
    *,
    audio: bool | None = None,
    known_offset: bool | None = None,
    mirrored: bool | None = None,
    full_body: bool | None = None,
) -> list[LabelledPair]:
    """The manifest's labelled pairs that fit, in manifest order (None: either way).

    Manifest order is the order pairs were added, so `[0]` stays the same pair when more come.
    """
    relations = {relation} if isinstance(relation, str) else set(relation)
    known = clips()
    chosen = []
    for entry in manifest()["pairs"]:
        reference, attempt = known[entry["reference"]], known[entry["attempt"]]
        pair = LabelledPair(
            reference=reference,
            attempt=attempt,
            relation=entry["relation"],
            offset_s=entry["offset_s"],
            mirrored=bool(entry["mirrored"]),
            reference_trim_end_s=entry.get("reference_trim_end_s"),
            attempt_trim_end_s=entry.get("attempt_trim_end_s"),
            upper_body_only=bool(entry.get("upper_body_only", False)),
            audio=bool(entry.get("audio", True)) and reference.audio and attempt.audio,
        )
        if (
            pair.relation in relations
            and (audio is None or pair.audio == audio)
            and (known_offset is None or (pair.offset_s is not None) == known_offset)
            and (mirrored is None or pair.mirrored == mirrored)
            and (
                full_body is None
                or (reference.full_body and attempt.full_body and not pair.upper_body_only)
                == full_body
            )
        ):
            chosen.append(pair)
    return chosen


def labelled_pair(
    relation: str | Iterable[str] = DANCED_ALIKE,
    *,
    audio: bool | None = None,
    known_offset: bool | None = None,
    mirrored: bool | None = None,
    full_body: bool | None = None,
) -> LabelledPair:
    """The first labelled pair that fits (see `labelled_pairs`); fails if none does."""
    fitting = labelled_pairs(
        relation, audio=audio, known_offset=known_offset, mirrored=mirrored, full_body=full_body
    )
    if not fitting:
        pytest.fail(
            f"the manifest has no {relation} pair with audio={audio}, "
            f"known_offset={known_offset}, mirrored={mirrored}, full_body={full_body}"
        )
    return fitting[0]


def unrelated_pairs(*, audio: bool | None = None) -> list[tuple[Clip, Clip]]:
    """The manifest's `unrelated_examples`: two clips of different dances (audio: both have)."""
    known = clips()
    pairs = [(known[first], known[second]) for first, second in manifest()["unrelated_examples"]]
    return [p for p in pairs if audio is None or (p[0].audio and p[1].audio) == audio]


def shortest_clip(*, people: int | str | None = 1, dance: bool | None = True) -> Clip:
    """The shortest clip that fits, the quickest to run a pipeline on (first by name on a tie)."""
    fitting = clips_where(people=people, dance=dance)
    if not fitting:
        pytest.fail(f"the manifest has no clip with people={people}, dance={dance}")
    return min(fitting, key=lambda clip: clip.duration_s)


def clips_where(
    *,
    people: int | str | None = None,
    full_body: bool | None = None,
    audio: bool | None = None,
    min_duration_s: float | None = None,
    max_duration_s: float | None = None,
    rotated: bool | None = None,
    dance: bool | None = None,
) -> list[Clip]:
    """Clips that fit, by name (None: either way).

    people: the manifest's entry exactly: a count, or a word such as "many" (a clip described
    in a sentence, "1, a second at start and end", has somebody else in it and fits no count).
    rotated: stored with a rotation tag. dance: has a choreography.
    """
    return [
        clip
        for clip in clips().values()
        if (people is None or clip.people == people)
        and (full_body is None or clip.full_body == full_body)
        and (audio is None or clip.audio == audio)
        and (min_duration_s is None or clip.duration_s >= min_duration_s)
        and (max_duration_s is None or clip.duration_s <= max_duration_s)
        and (rotated is None or (clip.rotation_tag_deg != 0) == rotated)
        and (dance is None or (clip.choreography is not None) == dance)
    ]


def clip_where(
    *,
    people: int | str | None = None,
    full_body: bool | None = None,
    audio: bool | None = None,
    min_duration_s: float | None = None,
    max_duration_s: float | None = None,
    rotated: bool | None = None,
    dance: bool | None = None,
) -> Clip:
    """The first clip by name that fits (see `clips_where`); fails if none does."""
    fitting = clips_where(
        people=people,
        full_body=full_body,
        audio=audio,
        min_duration_s=min_duration_s,
        max_duration_s=max_duration_s,
        rotated=rotated,
        dance=dance,
    )
    if not fitting:
        criteria = {
            "people": people,
            "full_body": full_body,
            "audio": audio,
            "min_duration_s": min_duration_s,
            "max_duration_s": max_duration_s,
            "rotated": rotated,
            "dance": dance,
        }
        wanted = ", ".join(f"{k}={v}" for k, v in criteria.items() if v is not None)
        pytest.fail(f"the manifest has no clip with {wanted}")
    return fitting[0]
