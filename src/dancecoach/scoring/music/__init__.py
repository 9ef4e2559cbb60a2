"""Music: beats, counts and eight-counts of a reference's soundtrack, and times in counts."""

from dancecoach.scoring.music.beats import BeatGrid, analyse_beats

__all__ = ["BeatGrid", "analyse_beats"]
