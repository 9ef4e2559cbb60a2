"""A reference's music: its beats and eight-counts, and the teacher's shift of count 1."""

from __future__ import annotations

from fastapi import APIRouter

from dancecoach.api.auth import TeacherOnly
from dancecoach.api.deps import ReferencesDep, RuntimeDep
from dancecoach.api.errors import error_responses
from dancecoach.api.music_schemas import (
    BeatPublic,
    BeatsPublic,
    BeatsUpdate,
)
from dancecoach.errors import ConflictError
from dancecoach.library.music import ReferenceMusic, suggest_sections

router = APIRouter(prefix="/api/references", tags=["references"])


def _public(music: ReferenceMusic, reference_id: str) -> BeatsPublic:
    grid = music.grid(reference_id)
    beats = [
        BeatPublic(time_s=round(float(time_s), 3), count=int(count), eight=int(eight))
        for time_s, count, eight in zip(grid.times_s, grid.counts(), grid.eights(), strict=True)
    ]
    return BeatsPublic(
        tempo_bpm=grid.tempo_bpm,
        downbeat_shift=music.downbeat_shift(reference_id),
        beats=beats,
    )


@router.get("/{reference_id}/beats", response_model=BeatsPublic, responses=error_responses(404))
def reference_beats(
    reference_id: str, references: ReferencesDep, runtime: RuntimeDep
) -> BeatsPublic:
    """Tempo, beats and their counts (empty without a soundtrack or before the analysis)."""
    references.get(reference_id)
    return _public(runtime.music, reference_id)


@router.patch(
    "/{reference_id}/beats",
    response_model=BeatsPublic,
    responses=error_responses(403, 404, 409, 422),
    dependencies=[TeacherOnly],
)
def shift_count_one(
    reference_id: str, body: BeatsUpdate, references: ReferencesDep, runtime: RuntimeDep
) -> BeatsPublic:
    """Move count 1 by whole beats from where the analysis heard it (suggested sections follow)."""
    references.get(reference_id)
    if not runtime.music.grid(reference_id).has_beats:
        raise ConflictError(
            "This reference has no beats to count (no soundtrack, or not analysed yet)."
        )
    runtime.music.set_downbeat_shift(reference_id, body.downbeat_shift)
    # Suggested sections follow count 1; the teacher's own sections stay.
    suggest_sections(
        runtime.references, runtime.music, reference_id, runtime.settings.eights_per_section
    )
    return _public(runtime.music, reference_id)
