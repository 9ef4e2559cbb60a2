"""The scoring maths, pure numpy: features, comparison, agreement above chance, alignment,
judgement (the one 0-100 scale), problem segments, moves, the ghost and soundtrack matching."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dancecoach.lazy import lazy_exports

if TYPE_CHECKING:
    from dancecoach.scoring.agreement import compare_poses
    from dancecoach.scoring.audio import match_soundtracks
    from dancecoach.scoring.ghost import project_reference_onto_user
    from dancecoach.scoring.judgement import GRADE_BANDS, grade_of
    from dancecoach.scoring.performance import score_performance
    from dancecoach.scoring.results import ScoreReport
    from dancecoach.scoring.timing import ON_TIME_MS, timing_word

__all__ = [
    "GRADE_BANDS",
    "ON_TIME_MS",
    "ScoreReport",
    "compare_poses",
    "grade_of",
    "match_soundtracks",
    "project_reference_onto_user",
    "score_performance",
    "timing_word",
]

_MODULES = {
    "score_performance": "performance",
    "compare_poses": "agreement",
    "GRADE_BANDS": "judgement",
    "grade_of": "judgement",
    "ScoreReport": "results",
    "ON_TIME_MS": "timing",
    "timing_word": "timing",
    "match_soundtracks": "audio",
    "project_reference_onto_user": "ghost",
}


__getattr__ = lazy_exports(__name__, _MODULES)
