"""Template coaching: specific, friendly feedback built from the numbers alone.

Used with no LLM key, on any LLM failure, and in tests, so it has to be good enough to ship
alone: every item names when (the counts, or the time), the side and the body part (the
learner's own left and right), where it was, and which way to move it, in the body-relative
words of positions.py; one correction per sentence.
Phrasing varies with the item's position, never at random, so a report reads the same twice.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from dancecoach.coaching.items import (
    MAX_FEEDBACK_WORDS,
    MAX_ITEMS,
    MIN_ITEMS,
    FeedbackItem,
    word_count,
)
from dancecoach.coaching.positions import hand_level_positions, observation, position
from dancecoach.coaching.turns import (
    Turn,
    moment_title,
    turn_correction,
    turn_needed,
    turn_observation,
)
from dancecoach.coaching.wording import (
    capitalised,
    feature_kind,
    lag_words,
    segment_at,
    segment_when,
    start_and_end_scores,
    time_range,
)
from dancecoach.pose.body_parts import WHOLE_BODY, Region, part_words, region
from dancecoach.scoring.judgement import Grade, grade_of
from dancecoach.scoring.music.timing import accent_words, worst_accent
from dancecoach.scoring.results import (
    SEVERITY_RANK,
    Moment,
    ProblemSegment,
    ScoreReport,
    SegmentError,
    Severity,
)
from dancecoach.scoring.timing import timing_severity, timing_word

# Labels of automatically found moves (scoring/moments.py) already name their time.
_FOUND_MOVE_PREFIX = "Move at "
# Parts one segment's item corrects at most: more reads as a list, not coaching.
_MAX_CORRECTIONS = 3
# How a further correction of the same moment starts, in turn: said aloud, "Also here: ...
# Also here: ..." sounded like a form; a teacher says "also" once, then "and".
_EXTRA_OPENERS = ("Also, {correction}", "And {correction}")

_OPENERS = (
    "At {when}, {what}.",
    "Around {when}, {what}.",
    "Watch {when}: {what}.",
    "During {when}, {what}.",
)
_TIP_OPENERS = ("Tip: {tip}.", "Try to {tip}.", "It helps to {tip}.", "On the next run, {tip}.")
_WHY = {
    "arm": (
        "Arm lines are the first thing people read in K-pop choreography.",
        "Sharp arm angles are what make this move look clean.",
        "The arm shape is what makes this move recognisable.",
    ),
    "leg": (
        "Your legs set the level and the power of the move.",
        "The footwork is the base everything else builds on.",
        "Leg shapes decide whether the move looks grounded.",
    ),
    "torso": (
        "Your posture frames the whole shape of the move.",
        "The upper-body angle carries the attitude of the move.",
        "A steady upper body makes every other part look sharper.",
    ),
}
_TIPS = {
    "arm": (
        "reach all the way through your fingertips",
        "lead the movement from your elbow",
        "lock the shape in right on the count",
    ),
    "leg": (
        "push the floor away as you move",
        "keep your weight over the working leg",
        "land the step right on the count",
    ),
    "torso": (
        "keep your core engaged",
        "move from the hips, not the neck",
        "imagine a string pulling the crown of your head up",
    ),
}
_ENCOURAGEMENT = (
    (85.0, "That's performance-ready: now add your own energy and expression!"),
    (70.0, "You're close: one or two focused runs and this will look clean!"),
    (50.0, "You've got a good foundation, so keep practising and it will click!"),
    (0.0, "Every run teaches your body the moves, so keep going: you've got this!"),
)


def _region(error: SegmentError) -> Region:
    """ "arm", "leg" or "torso": picks the why-it-matters and tip wording."""
    if error.feature == "hand_spread":
        return "arm"
    if error.feature == "foot_width":
        return "leg"
    return region(error.group)


def _lowered(sentence: str) -> str:
    """A sentence to follow a colon: "Lower your left arm." -> "lower your left arm."."""
    return sentence[:1].lower() + sentence[1:]


# How much a segment with no error of its own matters, by the grade of its score (the grade
# bands of scoring/judgement.py): a Miss is a major problem, an OK a medium one, better minor.
_SEVERITY_OF_GRADE: dict[Grade, Severity] = {"Miss": "major", "OK": "medium"}


def _worst_severity(errors: Sequence[SegmentError], score: float) -> Severity:
    if errors:
        return max(errors, key=lambda e: SEVERITY_RANK[e.severity]).severity
    return _SEVERITY_OF_GRADE.get(grade_of(score), "minor")


def _severity(errors: Sequence[SegmentError], score: float, turn: Turn | None) -> Severity:
    severity = _worst_severity(errors, score)
    if turn is None:
        return severity
    # Facing another way spoils every shape of the move at once.
    turned: Severity = "major" if turn.degrees >= 90.0 else "medium"
    return max(severity, turned, key=lambda s: SEVERITY_RANK[s])


def _segment_item(segment: ProblemSegment, index: int, mention_lag: bool) -> FeedbackItem:
    when = segment_when(segment)
    opener = _OPENERS[index % len(_OPENERS)]
    # An error without finite numbers has nothing specific to say.
    finite = [
        e for e in segment.errors if math.isfinite(e.user_deg + e.reference_deg + e.difference)
    ]
    # Hand spread and foot width follow from where the arms and legs are: a dancer corrects
    # the limb ("lower your left arm"), so limbs and joints come first.
    errors = tuple(sorted(finite, key=lambda e: feature_kind(e.feature) == "distance"))
    turn = turn_needed(segment.facing_deg)
    hands = hand_level_positions(segment)
    # The main error, then the hands' levels, then the other errors: one correction each.
    corrections = [*map(position, errors[:1]), *hands, *map(position, errors[1:])]
    sentences: list[str] = []
    optional: list[str] = []  # dropped first if the item runs over the word limit
    told: set[str] = set()
    if turn is not None:
        # Nothing lines up while the body faces another way: the turn is the first correction.
        sentences.append(opener.format(when=when, what=turn_observation(turn)))
        sentences.append(turn_correction(turn))
        told.add(part_words(WHOLE_BODY))
        # The limbs' angles were measured on a turned body, seen from the side: they follow
        # from the turn. Hand heights along the torso do not change with turning, so they stay.
        corrections = hands
        title = moment_title(segment)
    elif corrections:
        lead = corrections.pop(0)
        told.add(lead.part)
        sentences.append(opener.format(when=when, what=observation(lead)))
        sentences.append(lead.correction)
        title = f"{capitalised(lead.part)} at {segment_at(segment)}"
    else:
        focus = part_words(segment.body_parts[0]) if segment.body_parts else part_words(WHOLE_BODY)
        sentences.append(
            opener.format(
                when=when,
                what=f"your score dropped to {round(segment.score)}/100, mostly your {focus}",
            )
        )
        sentences.append(
            f"Watch the reference here at half speed and copy the shape of your {focus} "
            "count by count."
        )
        title = segment.title
    # Then, if they fit, the next corrections about other parts (a shoulder angle and an
    # upper-arm direction are the same arm: one correction says it).
    for extra in corrections:
        if extra.part not in told and len(told) < _MAX_CORRECTIONS:
            told.add(extra.part)
            # told holds the lead part (or the turn) and this one: the first extra is "Also".
            opener = _EXTRA_OPENERS[min(max(len(told) - 2, 0), len(_EXTRA_OPENERS) - 1)]
            optional.append(opener.format(correction=_lowered(extra.correction)))
    if turn is not None or errors or hands:
        region: Region = "torso" if turn is not None else _region(errors[0]) if errors else "arm"
        optional.append(_WHY[region][index % len(_WHY[region])])
        tip = _TIPS[region][(index + 1) % len(_TIPS[region])]
        optional.append(_TIP_OPENERS[index % len(_TIP_OPENERS)].format(tip=tip))
    hand_parts = [hand.part.replace(" ", "_") for hand in hands]  # "left hand" -> "left_hand"
    # With a turn, the item is about the whole body and the hands, not the errors it left out.
    told_parts = [WHOLE_BODY] if turn else [e.body_part for e in errors]
    parts = tuple(dict.fromkeys([*told_parts, *hand_parts])) or (
        segment.body_parts or (WHOLE_BODY,)
    )
    if mention_lag and timing_word(segment.lag_ms) != "on time":
        optional.append(
            f"You were also {lag_words(segment.lag_ms)} here, so start the move on the count."
        )
    text = _fit(sentences, optional)
    return FeedbackItem(
        timestamp_s=segment.start_s,
        title=title,
        feedback=text,
        severity=_severity(errors, segment.score, turn),
        body_parts=parts,
        source="template",
    )


def _fit(sentences: list[str], optional: list[str]) -> str:
    """Required sentences plus as many optional ones (in order of importance) as fit under the
    word limit."""
    chosen = list(optional)
    while chosen:
        text = " ".join([*sentences, *chosen])
        if word_count(text) <= MAX_FEEDBACK_WORDS:
            return text
        chosen.pop()
    return " ".join(sentences)


def _timing_item(report: ScoreReport, segments: Sequence[ProblemSegment]) -> FeedbackItem:
    lag = report.lag_ms
    same_way = [s for s in segments if s.lag_ms * lag > 0 and timing_word(s.lag_ms) != "on time"]
    worst = max(same_way, key=lambda s: abs(s.lag_ms), default=None)
    where = ""
    accent = worst_accent(report.accents)
    if accent is not None:
        # Dancers fix timing on a count: name the hit that was furthest off it.
        where = f"; {accent_words(accent)}"
    elif worst is not None:
        where = f", most of all at {segment_when(worst)} ({lag_words(worst.lag_ms)})"
    if lag > 0:
        advice = (
            "Being on the beat is half of a K-pop move: hit each shape on the count, not after "
            'it. Count "5, 6, 7, 8" out loud before you start and move on the number.'
        )
    else:
        advice = (
            "You know the moves well enough to rush them: wait for the count and let the music "
            "lead, so each shape lands exactly on the beat."
        )
    timestamp = (
        accent.time_s
        if accent is not None
        else worst.start_s
        if worst is not None
        else _first_time(report)
    )
    return FeedbackItem(
        timestamp_s=timestamp,
        title=f"Timing: {lag_words(lag)}",
        feedback=f"On average you were {lag_words(lag)}{where}. {advice}",
        severity=timing_severity(lag),
        body_parts=(WHOLE_BODY,),
        source="template",
    )


def _first_time(report: ScoreReport) -> float:
    return report.timeline[0].time_s if report.timeline else 0.0


def _encouragement(score: float) -> str:
    return next((line for floor, line in _ENCOURAGEMENT if score >= floor), _ENCOURAGEMENT[-1][1])


def _praise_item(report: ScoreReport, section_title: str | None) -> FeedbackItem:
    best = report.best_moment
    where = f"In {section_title}, your" if section_title else "Your"
    if best is not None:
        opening = f"{where} strongest stretch was {_moment_words(best)} at {round(best.score)}/100"
        timestamp, title = best.start_s, f"Best moment: {best.label}"
    else:
        opening = f"{where} overall score was {round(report.overall_score)}/100"
        timestamp, title = _first_time(report), "Keep it up"
    trend = report.trend
    start_end = start_and_end_scores(report.timeline)
    if trend.direction == "improving":
        opening += ", and you got better as you went"
        if start_end is not None and start_end[1] > start_end[0]:
            opening += f" (from about {start_end[0]} at the start to {start_end[1]} at the end)"
    elif trend.direction == "degrading":
        opening += ". Your score slipped towards the end"
        if start_end is not None and start_end[1] < start_end[0]:
            opening += f" (from about {start_end[0]} to {start_end[1]})"
        opening += ", so take a short break between runs"
    text = f"{opening}. {_encouragement(report.overall_score)}"
    return FeedbackItem(timestamp, title, text, "minor", (WHOLE_BODY,), "template")


def _moment_words(moment: Moment) -> str:
    """ "the move at 0:04-0:07" for found moves, "Chorus (0:04-0:07)" for named sections."""
    when = time_range(moment.start_s, moment.end_s)
    if moment.label.startswith(_FOUND_MOVE_PREFIX):
        return f"the move at {when}"
    return f"{moment.label} ({when})"


def _hardest_item(moment: Moment) -> FeedbackItem:
    return FeedbackItem(
        timestamp_s=moment.start_s,
        title=f"Hardest moment: {moment.label}",
        feedback=(
            f"{capitalised(_moment_words(moment))} was your hardest stretch at "
            f"{round(moment.score)}/100. "
            "Practise it on its own at half speed, then at full speed, before running the whole "
            "section again: slow repetitions are how the shapes stick."
        ),
        severity="minor" if moment.score >= 70 else "medium",
        body_parts=(WHOLE_BODY,),
        source="template",
    )


def _weakest_part_item(report: ScoreReport, timestamp_s: float) -> FeedbackItem | None:
    parts = report.per_body_part
    if len(parts) < 2:
        return None
    weakest = min(parts, key=lambda p: parts[p])
    strongest = max(parts, key=lambda p: parts[p])
    words = part_words(weakest)
    return FeedbackItem(
        timestamp_s=timestamp_s,
        title=f"Polish your {words}",
        feedback=(
            f"Your {words} scored {round(parts[weakest])}/100, your lowest body part (your "
            f"{part_words(strongest)} scored {round(parts[strongest])}). On your next run, watch "
            f"only the reference's {words} and match its height and bend on every count."
        ),
        severity="minor" if parts[weakest] >= 70 else "medium",
        body_parts=(weakest,),
        source="template",
    )


def _next_step_item(report: ScoreReport) -> FeedbackItem:
    return FeedbackItem(
        timestamp_s=_first_time(report),
        title="Next step: dance it from memory",
        feedback=(
            f"With {round(report.overall_score)}/100 and a consistency of "
            f"{round(report.consistency)}/100, the shapes are in your body. Run the section once "
            "without watching the reference, then compare: it shows which counts you really know."
        ),
        severity="minor",
        body_parts=(WHOLE_BODY,),
        source="template",
    )


def _slow_practice_item(report: ScoreReport) -> FeedbackItem:
    return FeedbackItem(
        timestamp_s=_first_time(report),
        title="Practise in slow motion",
        feedback=(
            "Play the reference at half speed and dance along, pausing on each count to check "
            "your shape in the mirror. Once every shape feels easy, go back to full speed: "
            "slow practice is the quickest way to clean lines."
        ),
        severity="minor",
        body_parts=(WHOLE_BODY,),
        source="template",
    )


def _no_person_items() -> list[FeedbackItem]:
    """Nothing was compared: coaching on being seen, so the next run can be scored."""
    texts = (
        ("Step into the frame", "We couldn't see you clearly enough to score this run. Stand "
         "2-3 metres from the camera so your whole body, head to feet, fits in the picture."),
        ("Light yourself from the front", "Face a window or a lamp rather than having it behind "
         "you: the camera needs to see your arms and legs against the background."),
        ("Try the section again", "Once you're fully in view, run the section again and you'll "
         "get scores and coaching for every move. You've got this!"),
    )  # fmt: skip
    return [
        FeedbackItem(0.0, title, text, "minor", (WHOLE_BODY,), "template") for title, text in texts
    ]


def template_feedback(
    report: ScoreReport, *, section_title: str | None = None
) -> list[FeedbackItem]:
    """3-5 coaching items: the worst problem segments, timing, refinements, one encouraging item."""
    if report.frames_compared == 0:
        return _no_person_items()
    timing_matters = timing_word(report.lag_ms) != "on time"
    slots = MAX_ITEMS - 1 - int(timing_matters)  # one slot is kept for the encouraging item
    worst = sorted(report.problem_segments, key=lambda s: s.score)[:slots]
    segments = sorted(worst, key=lambda s: s.start_s)
    items = [_segment_item(s, i, mention_lag=not timing_matters) for i, s in enumerate(segments)]
    if timing_matters:
        items.append(_timing_item(report, segments))

    fillers: list[FeedbackItem] = []
    hardest = report.hardest_moment
    if hardest is not None and not any(
        s.start_s < hardest.end_s and hardest.start_s < s.end_s for s in segments
    ):
        fillers.append(_hardest_item(hardest))
    refinement = _weakest_part_item(report, hardest.start_s if hardest else _first_time(report))
    if refinement is not None:
        fillers.append(refinement)
    fillers.extend((_next_step_item(report), _slow_practice_item(report)))
    while len(items) < MIN_ITEMS - 1 and fillers:
        items.append(fillers.pop(0))
    items.append(_praise_item(report, section_title))
    return items
