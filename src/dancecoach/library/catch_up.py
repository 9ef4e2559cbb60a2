"""What the library catches up on after an upgrade, one reference at a time: beats missing or
from an older analysis (then suggested sections), and playable copies made without sound.

A server without a job queue does it in a thread at start-up (music.catch_up and
ReferenceService.replace_silent_copies); with one, it finds the references here and queues one
job each, which a worker runs with catch_up_reference. Both run the same per-reference steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from dancecoach.library.music import ReferenceMusic, catch_up_beats, references_without_beats
from dancecoach.library.references import ReferenceService


@dataclass(frozen=True)
class CaughtUp:
    """What catching up one reference did (both False: it needed nothing)."""

    beats_analysed: bool
    sound_restored: bool


def references_to_catch_up(references: ReferenceService, music: ReferenceMusic) -> list[str]:
    """The ready references with something to catch up on, each once, in library order.

    Cheap: database queries and a look for each ready reference's silent copy; no analysis.
    """
    needing = [
        *references_without_beats(references, music),
        *references.references_with_silent_copies(),
    ]
    return list(dict.fromkeys(needing))


def catch_up_reference(
    references: ReferenceService,
    music: ReferenceMusic,
    reference_id: str,
    eights_per_section: int,
) -> CaughtUp:
    """Everything one reference has to catch up on; idempotent (a reference already current,
    not ready or deleted is left alone), so a job run twice or retried does no harm."""
    restored = references.replace_silent_copy(reference_id)
    analysed = catch_up_beats(references, music, reference_id, eights_per_section)
    return CaughtUp(beats_analysed=analysed, sound_restored=restored)
