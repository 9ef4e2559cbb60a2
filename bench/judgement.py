"""Judgement bench: does a score mean the same on anyone's footage?

Over every labelled pair of the footage manifest (../shared/testdata/manifest.json, or
$DANCECOACH_TESTDATA) and every pair of clips of different choreographies (all unrelated):
- per labelled pair: score, grade, offset against the truth, mirrored against the truth, the
  alignment source; the same with the attempt mirrored, in both directions (must be detected);
- AUC of same-choreography against unrelated pairs, min same minus max unrelated, the median of
  same-choreography pairs by different dancers, the largest unrelated score;
- the same figures under leave-one-group-out: the score scale's two constants calibrated
  without a choreography, then that choreography's pairs scored with them;
- the synthetic suite on real pose sequences: a limb turned 10-80 degrees for 2 s, the attempt
  shifted, at another tempo, jittered, mirrored, a learner holding one pose.

`python -m bench.judgement` (also run by `make bench`); --workers N (default 2) scores the
unrelated pairs in N processes. Poses are cached in data/bench-judgement.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from dancecoach.config import Settings
from dancecoach.estimation.soundtrack import read_soundtrack
from dancecoach.library.pose_cache import load_or_extract
from dancecoach.pose.sequence import PoseSequence
from dancecoach.scoring.audio import SongMatch, audio_features, match_soundtracks
from dancecoach.scoring.judgement import SCALE, ScoreScale
from dancecoach.scoring.matching import MIN_SEARCH_S, MatchedPerformance, match_performance
from dancecoach.scoring.performance import summarize

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_ROOT / "data" / "bench-judgement"
SAME_RELATIONS = ("same_choreography", "same_performance", "same_exercise_with_error")
OFFSET_TOLERANCE_S = 0.3  # the target for offsets against the truth
# The score's zero: the gain this share (%) of unrelated pairs stay below, a one-sided 5 % test
# that the dance is the same one.
CHANCE_PERCENTILE = 95.0


def footage_root() -> Path:
    configured = os.environ.get("DANCECOACH_TESTDATA")
    return Path(configured) if configured else PROJECT_ROOT.parent / "shared" / "testdata"


def load_manifest() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((footage_root() / "manifest.json").read_text())
    return data


@cache
def _settings() -> Settings:
    # The test footage's poses are no one's private data: kept a year, not the privacy default.
    return Settings(
        data_dir=DATA_DIR, openai_api_key=None, openai_base_url=None, frame_retention_hours=8760
    )


@cache
def poses(clip: str) -> PoseSequence:
    return load_or_extract(footage_root() / clip, _settings())


@cache
def _audio(clip: str) -> Any:
    track = read_soundtrack(footage_root() / clip)
    return None if track is None else audio_features(track.samples, track.sample_rate_hz)


def song_match(reference: str, attempt: str) -> SongMatch | None:
    first, second = _audio(reference), _audio(attempt)
    if first is None or second is None:
        return None
    return match_soundtracks(first, second)


@dataclass(frozen=True)
class PairResult:
    reference: str
    attempt: str
    relation: str  # a manifest relation, or "unrelated"
    group: str  # the reference's choreography
    other_group: str
    gain: float
    score: float
    offset_s: float
    mirrored: bool
    source: str
    same_song: bool
    shorter_s: float  # the shorter recording's length


def judge(
    reference: PoseSequence,
    attempt: PoseSequence,
    song: SongMatch | None,
    mirror: bool | None = None,
) -> MatchedPerformance:
    return match_performance(reference, attempt, mirror=mirror, alignment="search", song=song)


def score_pair(reference: str, attempt: str, relation: str, groups: tuple[str, str]) -> PairResult:
    matched = judge(poses(reference), poses(attempt), song_match(reference, attempt))
    return PairResult(
        reference,
        attempt,
        relation,
        groups[0],
        groups[1],
        matched.pair_gain,
        matched.overall_score,
        matched.offset_s,
        matched.mirrored,
        matched.alignment.source,
        matched.alignment.same_song,
        min(poses(reference).duration_s, poses(attempt).duration_s),
    )


def _score_pair_job(job: tuple[str, str, str, tuple[str, str]]) -> PairResult:
    return score_pair(*job)


# Scale calibration ---------------------------------------------------------------------------


def _solve_scale(chance: float, boundary: float) -> float:
    """The gain scale at which `boundary` reads as 50 (bisection; the score rises with it)."""
    low, high = 1e-3, 10.0
    for _ in range(100):
        middle = (low + high) / 2
        if ScoreScale(chance, middle).score(boundary) > 50.0:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def calibrate(results: Sequence[PairResult]) -> ScoreScale:
    """chance_gain: the gain 95 % of unrelated pairs stay below; gain_scale: midway between the
    largest unrelated and the smallest same-choreography gain reads as 50 (judgement.SCALE).

    Only pairs whose recordings are long enough to be searched (MIN_SEARCH_S) calibrate: a clip
    of one move proves nothing either way, and its extremes would set the scale.
    """
    judged = [r for r in results if r.shorter_s >= MIN_SEARCH_S and not math.isnan(r.gain)]
    unrelated = [r.gain for r in judged if r.relation == "unrelated"]
    same = [r.gain for r in judged if r.relation == "same_choreography"]
    chance = float(np.percentile(unrelated, CHANCE_PERCENTILE))
    boundary = (max(unrelated) + min(same)) / 2
    return ScoreScale(chance, _solve_scale(chance, boundary))


# Figures ---------------------------------------------------------------------------------------


def auc(positive: Sequence[float], negative: Sequence[float]) -> float:
    wins = sum((p > n) + 0.5 * (p == n) for p in positive for n in negative)
    return wins / max(len(positive) * len(negative), 1)


def figures(scored: Iterable[tuple[PairResult, float]]) -> dict[str, float]:
    rows = list(scored)
    same = [s for r, s in rows if r.relation in SAME_RELATIONS]
    competent = [s for r, s in rows if r.relation == "same_choreography"]
    copies = [s for r, s in rows if r.relation == "same_performance"]
    unrelated = [s for r, s in rows if r.relation == "unrelated"]
    return {
        "AUC": auc(same, unrelated),
        "min same - max unrelated": min(same) - max(unrelated),
        "same choreography median": statistics.median(competent),
        "same performance min": min(copies) if copies else math.nan,
        "unrelated max": max(unrelated),
        "unrelated median": statistics.median(unrelated),
    }


def print_figures(title: str, values: dict[str, float]) -> None:
    print(title)
    for name, value in values.items():
        print(f"  {name:28s} {value:7.3f}" if name == "AUC" else f"  {name:28s} {value:7.1f}")


def leave_one_group_out(results: Sequence[PairResult]) -> list[tuple[PairResult, float]]:
    """Every pair scored with a scale calibrated on the pairs of the other choreographies."""
    groups = sorted({r.group for r in results if r.relation in SAME_RELATIONS})
    held_out: list[tuple[PairResult, float]] = []
    for group in groups:
        training = [r for r in results if group not in (r.group, r.other_group)]
        scale = calibrate(training)
        for r in results:
            same = r.relation in SAME_RELATIONS and r.group == group
            if same or (r.relation == "unrelated" and group in (r.group, r.other_group)):
                held_out.append((r, scale.score(r.gain)))
    # Unrelated pairs between two held-out groups appear twice; keep each pair once.
    unique: dict[tuple[str, str], tuple[PairResult, float]] = {}
    for r, s in held_out:
        unique.setdefault((r.reference, r.attempt), (r, s))
    return list(unique.values())


# Synthetic suite -------------------------------------------------------------------------------


def synthetic_rows(reference_clip: str) -> list[tuple[str, str]]:
    """(what, result) rows for one real pose sequence and its perturbed copies."""
    from tests.perturbations import (
        at_tempo,
        holding_one_pose,
        jittered,
        rotate_limb,
        start_later,
    )

    sequence = poses(reference_clip)
    rows: list[tuple[str, str]] = []

    def run(what: str, attempt: PoseSequence) -> MatchedPerformance:
        matched = judge(sequence, attempt, None)
        rows.append(
            (
                what,
                f"score {matched.overall_score:5.1f}  offset {matched.offset_s:+5.2f} s  "
                f"tempo {matched.alignment.tempo_ratio:.3f}  mirrored {matched.mirrored}",
            )
        )
        return matched

    middle = float(sequence.timestamps_s[len(sequence) // 2])
    for degrees in (10, 20, 40, 80):
        matched = run(
            f"left arm +{degrees} deg for 2 s",
            rotate_limb(sequence, "left_arm", degrees, middle - 1.0, middle + 1.0),
        )
        report = summarize(sequence, matched)
        named = [
            f"{s.start_s:.1f}-{s.end_s:.1f} {s.body_parts[0] if s.body_parts else '-'}"
            for s in report.problem_segments
            if s.start_s < middle + 1.0 and s.end_s > middle - 1.0
        ]
        inside = (matched.reference_times_s >= middle - 1) & (
            matched.reference_times_s < middle + 1
        )
        rows.append(("  the 2 s stretch", f"score {matched.score(inside):5.1f}  {named}"))
    for shift in (0.2, 0.5, 1.0):
        run(f"starts {shift} s later (offset {shift})", start_later(sequence, shift))
    for factor in (0.9, 1.1):
        run(f"tempo x{factor}", at_tempo(sequence, factor))
    run("JPEG-level jitter", jittered(sequence))
    run("mirrored", sequence.mirrored())
    run("holds one pose", holding_one_pose(sequence))
    return rows


# Main ------------------------------------------------------------------------------------------


def _print_pair(r: PairResult, truth: dict[str, Any] | None) -> None:
    offset = ""
    if truth is not None and truth.get("offset_s") is not None:
        error = r.offset_s - float(truth["offset_s"])
        verdict = "ok" if abs(error) <= OFFSET_TOLERANCE_S else "MISS"
        offset = f"(truth {truth['offset_s']:+.2f}, {verdict})"
    mirrored = ""
    if truth is not None:
        mirrored = "ok" if r.mirrored == bool(truth.get("mirrored", False)) else "MISS"
    print(
        f"  {r.relation:24s} {Path(r.reference).stem:24s} {Path(r.attempt).stem:28s} "
        f"{r.score:5.1f}  gain {r.gain:+.3f}  offset {r.offset_s:+6.2f} {offset:18s} "
        f"mirrored {r.mirrored!s:5s} {mirrored:4s} {r.source}{' same song' if r.same_song else ''}"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    manifest = load_manifest()
    clips = {c: i["choreography"] for c, i in manifest["clips"].items() if i.get("choreography")}
    print(f"{len(clips)} clips with a choreography, {len(manifest['pairs'])} labelled pairs")
    for clip in clips:
        poses(clip)  # extract (or load) once, before the worker processes start

    labelled = [
        score_pair(p["reference"], p["attempt"], p["relation"], (clips[p["reference"]],) * 2)
        for p in manifest["pairs"]
    ]
    jobs = [
        (a, b, "unrelated", (clips[a], clips[b]))
        for a, b in itertools.combinations(sorted(clips), 2)
        if clips[a] != clips[b]
    ]
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        unrelated = list(pool.map(_score_pair_job, jobs, chunksize=4))
    results = labelled + unrelated
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    (DATA_DIR / "results.json").write_text(json.dumps([r.__dict__ for r in results], indent=1))

    print("\nLabelled pairs (score with the scale in judgement.SCALE):")
    for r, pair in zip(labelled, manifest["pairs"], strict=True):
        _print_pair(r, pair)
    print("\nMirrored copies of the attempt, both directions (must read as mirrored):")
    detected = 0
    mirrored_rows = 0
    for pair in manifest["pairs"]:
        if pair["relation"] not in ("same_choreography", "same_performance"):
            continue
        reference, attempt = poses(pair["reference"]), poses(pair["attempt"]).mirrored()
        song = song_match(pair["reference"], pair["attempt"])
        forward = judge(reference, attempt, song)
        backward = judge(
            attempt,
            reference,
            None if song is None else song.swapped(),
        )
        detected += int(forward.mirrored) + int(backward.mirrored)
        mirrored_rows += 2
        print(
            f"  {Path(pair['reference']).stem:24s} {Path(pair['attempt']).stem:28s} "
            f"{forward.overall_score:5.1f} mirrored {forward.mirrored!s:5s} | swapped "
            f"{backward.overall_score:5.1f} mirrored {backward.mirrored!s:5s}"
        )
    print(f"  detected {detected} of {mirrored_rows}")

    top = sorted((r for r in unrelated), key=lambda r: r.score, reverse=True)[:8]
    print(f"\nUnrelated pairs: {len(unrelated)}; the highest:")
    for r in top:
        _print_pair(r, None)

    offsets = [
        abs(r.offset_s - float(p["offset_s"])) <= OFFSET_TOLERANCE_S
        for r, p in zip(labelled, manifest["pairs"], strict=True)
        if p.get("offset_s") is not None
    ]
    print(f"\nOffsets within {OFFSET_TOLERANCE_S} s of the truth: {sum(offsets)} of {len(offsets)}")
    print_figures("\nAll pairs, the shipped scale:", figures((r, r.score) for r in results))
    fitted = calibrate(results)
    print(
        f"\nCalibrated on all pairs: chance_gain {fitted.chance_gain:.3f}, gain_scale "
        f"{fitted.gain_scale:.3f} (shipped: {SCALE.chance_gain}, {SCALE.gain_scale})"
    )
    print_figures("Leave one group out:", figures(leave_one_group_out(results)))

    print(
        "\nSynthetic suite (each reference of a same-choreography pair against copies of itself):"
    )
    references = sorted(
        {p["reference"] for p in manifest["pairs"] if p["relation"] == "same_choreography"}
    )
    for clip in references:
        print(f"  {clip}")
        for what, result in synthetic_rows(clip):
            print(f"    {what:34s} {result}")
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
