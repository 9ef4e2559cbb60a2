"""Wire schemas of a reference's music: tempo, beats with their counts, count 1 shifts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dancecoach.scoring.judgement import Grade


class BeatPublic(BaseModel):
    time_s: float = Field(description="Beat time in reference seconds.")
    count: int = Field(ge=1, le=8, description="Count within the eight, 1..8.")
    eight: int = Field(ge=0, description="Eight-count number, 1-based; 0 for a pickup.")


class BeatsPublic(BaseModel):
    """Null tempo and no beats: the video has no usable soundtrack; times are in seconds."""

    tempo_bpm: float | None = Field(description="Beats per minute.")
    downbeat_shift: int = Field(
        0, description="Beats the teacher moved count 1 from where the analysis heard it."
    )
    beats: list[BeatPublic]


class AccentPublic(BaseModel):
    """The learner's timing on one of the reference's hits (a count where her motion peaks)."""

    model_config = ConfigDict(from_attributes=True)  # read from the typed reports

    time_s: float = Field(description="The count's beat time in reference seconds.")
    eight: int = Field(ge=0, description="Eight-count number, 1-based; 0 for a pickup.")
    count: int = Field(ge=1, le=8)
    lag_ms: float = Field(description="Positive: late.")
    timing: Literal["late", "early", "on time"]


class BeatsUpdate(BaseModel):
    downbeat_shift: int = Field(
        ge=-7,
        le=7,
        description="Put count 1 this many beats after where the analysis heard it "
        "(negative: before); 0 restores the analysis.",
    )


# Break-It-Down stages: 1..3 passed at 0.5x, 0.75x, 1x; 4 chained with the eights around it.
MAX_STAGE = 4


class RateBestPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    rate: float = Field(description="Playback rate (0.5: half speed).")
    best_score: float = Field(ge=0, le=100, description="Best 0-100 score at this rate.")
    grade: Grade


class EightMasteryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    eight: int = Field(ge=0)
    stage: int = Field(
        ge=0,
        le=MAX_STAGE,
        description="Last stage passed: 0 none, 1 at 0.5x, 2 at 0.75x, 3 at 1x, 4 chained.",
    )
    best_score: float | None = Field(description="Best 0-100 score on this eight so far.")
    best_by_rate: list[RateBestPublic] = Field(
        description="Best score and grade at each playback rate danced, slowest first."
    )
    mastered: bool = Field(description="Reached Good at full speed (1x).")


class EightAttempt(BaseModel):
    stage: int = Field(ge=0, le=MAX_STAGE, description="The stage this attempt passed (0: none).")
    score: float = Field(ge=0, le=100, description="The attempt's 0-100 score on the eight.")
    rate: float | None = Field(
        default=None,
        ge=0.25,
        le=2.0,
        description="The playback rate the attempt was danced at (kept as its best per rate).",
    )


class RoutineMasteryPublic(BaseModel):
    """How much of a routine the signed-in learner has mastered."""

    model_config = ConfigDict(from_attributes=True)

    reference_video_id: str
    eights: int = Field(ge=0, description="Eight-counts in the reference (0: no beats).")
    mastered: int = Field(ge=0, description="Eights that reached Good at full speed (1x).")
