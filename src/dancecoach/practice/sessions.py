"""Practice sessions over REST: create, complete a section, finalize, reports, clips, progress.

A section report scores the frames stored since the previous one (one pass of the dance, or
each pass when the learner looped without completing), with the reference read at each frame's
dance time. Finalizing completes what is left and combines every section into the session
report. Scoring and coaching are blocking: call these from a worker thread.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from dancecoach.config import Settings
from dancecoach.errors import ConflictError, NotFoundError
from dancecoach.library.references import ReferenceService
from dancecoach.practice.attempts import attempt_sequence, generate_feedback, split_passes
from dancecoach.practice.clips import ClipRenderer
from dancecoach.practice.progress import reference_progress
from dancecoach.practice.report_types import (
    Analytics,
    CameraDelayNote,
    FeedbackEntry,
    PracticeSpan,
    ReferenceProgress,
    SectionReport,
    SectionSummary,
    SessionReport,
    SessionState,
    from_json,
    to_json,
)
from dancecoach.practice.reports import (
    accuracy_of,
    analytics_of,
    combine_reports,
    segment_feedback,
    segment_report,
)
from dancecoach.scoring.moments import Section, format_time
from dancecoach.scoring.music.beats import BeatGrid
from dancecoach.scoring.performance import score_performance
from dancecoach.scoring.results import ScoreReport
from dancecoach.storage.files import is_valid_id, new_id
from dancecoach.storage.frame_store import FrameStore
from dancecoach.storage.models import ClipSpec, PracticeSession, ScoredFrame, SectionResult, utc_now
from dancecoach.storage.objects import ObjectStore
from dancecoach.storage.session_store import SessionStore

log = logging.getLogger(__name__)


def clip_url(session_id: str, number: int) -> str:
    return f"/api/sessions/{session_id}/clips/{number}"


def with_camera_delay(
    analytics: Analytics, camera_delay: CameraDelayNote | None, first_pass: int
) -> Analytics:
    """The analytics with the camera's delay beside their timing (applied only when it was
    for every frame, i.e. from their first pass on)."""
    if camera_delay is None:
        return analytics
    return dataclasses.replace(
        analytics,
        camera_delay_s=camera_delay.delay_s,
        camera_delay_applied=camera_delay.applied and first_pass >= camera_delay.from_pass,
    )


def performs_mirror_image(view_mirrored: bool) -> bool:
    """Whether the learner's moves are the mirror image of the dancer's (the pipeline's `mirror`).

    A session's mirror flag says the reference is shown flipped, like a mirror: the learner then
    moves the same body side as the dancer, so poses compare directly. With an unflipped
    reference facing them, learners copy the mirror image (their left for the dancer's right).
    Frames must be the camera's own image, not a selfie-flipped copy.
    """
    return not view_mirrored


class SessionService:
    def __init__(
        self,
        settings: Settings,
        references: ReferenceService,
        sessions: SessionStore,
        frames: FrameStore,
        objects: ObjectStore,
        beats: Callable[[str], BeatGrid] | None = None,
    ) -> None:
        """beats: the beat grid of a reference (problem moments are then told in counts)."""
        self._settings = settings
        self._beats = beats
        self._references = references
        self._sessions = sessions
        self._frames = frames
        self._objects = objects
        self.clip_renderer = ClipRenderer(sessions, frames, objects)
        # Set to queue the rendering of a finalized session's clips (a job queue); without
        # it, each clip is rendered on its first request.
        self.queue_clips: Callable[[str], None] | None = None
        # Section scoring and finalizing of one session never overlap (numbers, coverage).
        self._scoring_locks: defaultdict[str, threading.Lock] = defaultdict(threading.Lock)
        self._scoring_locks_guard = threading.Lock()

    # Lifecycle -------------------------------------------------------------------------

    def create(
        self,
        reference_id: str,
        *,
        section_id: str | None = None,
        span: tuple[float, float] | None = None,
        mirror: bool = True,
        playback_rate: float = 1.0,
        user_id: str | None = None,
    ) -> PracticeSession:
        reference = self._references.get(reference_id)
        if reference.status != "ready":
            raise ConflictError(
                f"Reference {reference.name!r} is {reference.status}; practice needs it ready."
            )
        title: str | None = None
        start_s = end_s = None
        if section_id is not None:
            section = self._references.section(reference_id, section_id)
            title, start_s, end_s = section.title, section.start_s, section.end_s
        elif span is not None:
            start_s, end_s = span
            duration = reference.duration_s or float("inf")
            if not (0.0 <= start_s < end_s <= duration + 0.5):
                from dancecoach.library.references import InvalidSectionError

                raise InvalidSectionError(
                    f"The section {start_s:g}-{end_s:g} s does not fit the video "
                    f"(0-{duration:.2f} s)."
                )
            title = f"{format_time(start_s)}-{format_time(end_s)}"
        practice = PracticeSession(
            id=new_id(),
            reference_id=reference_id,
            status="active",
            mirror=mirror,
            playback_rate=playback_rate,
            section_title=title,
            section_start_s=start_s,
            section_end_s=end_s,
            dropped_frames=0,
            user_id=user_id,
        )
        return self._sessions.add(practice)

    def get(self, session_id: str) -> PracticeSession:
        practice = self._sessions.get(session_id) if is_valid_id(session_id) else None
        if practice is None:
            raise NotFoundError(f"No practice session with id {session_id!r}.")
        return practice

    def get_for(self, session_id: str, user_id: str | None) -> PracticeSession:
        """The session if it is this user's (user None: a server without accounts, all are);
        another user's session is NotFoundError, as if it did not exist."""
        practice = self.get(session_id)
        if user_id is not None and practice.user_id != user_id:
            raise NotFoundError(f"No practice session with id {session_id!r}.")
        return practice

    def ids_of(self, user_id: str | None) -> list[str]:
        """The sessions of a user (None: the one user of a server without accounts: all)."""
        return self._sessions.all_ids() if user_id is None else self._sessions.ids_of(user_id)

    def delete(self, session_id: str) -> None:
        """The session with its learner frames, clips, section reports and report.

        End its live stream first (LiveRegistry.end), or frames may be written afterwards.
        """
        self.get(session_id)
        self._sessions.delete(session_id)
        self._objects.delete_prefix(f"sessions/{session_id}/")

    def get_active(self, session_id: str) -> PracticeSession:
        practice = self.get(session_id)
        if practice.status != "active":
            raise ConflictError("This practice session is finalized; create a new session.")
        return practice

    def summary(self, session_id: str) -> SessionState:
        """The session's state for GET /api/sessions/{id}."""
        practice = self.get(session_id)
        last = self._frames.last_frame(session_id)
        results = self._sessions.section_results(session_id)
        return SessionState(
            session_id=practice.id,
            reference_video_id=practice.reference_id,
            status=practice.status,
            mirror=practice.mirror,
            playback_rate=practice.playback_rate,
            section=None
            if practice.section_start_s is None or practice.section_end_s is None
            else PracticeSpan(
                practice.section_title, practice.section_start_s, practice.section_end_s
            ),
            frames_scored=self._frames.count(session_id),
            dropped_frames=practice.dropped_frames,
            last_timestamp=None if last is None else last.timestamp_s,
            pass_index=0 if last is None else last.pass_index,
            sections_completed=len(results),
            created_at=practice.created_at,
            finalized_at=practice.finalized_at,
            report_url=f"/api/sessions/{practice.id}/report"
            if practice.status == "finalized"
            else None,
        )

    def resume_point(self, session_id: str) -> tuple[int, float | None, int, int]:
        """(next seq, last dance time, pass index, frames stored) for a reconnecting stream."""
        last = self._frames.last_frame(session_id)
        if last is None:
            return 0, None, 0, 0
        return last.seq + 1, last.timestamp_s, last.pass_index, self._frames.count(session_id)

    def _scoring_lock(self, session_id: str) -> threading.Lock:
        with self._scoring_locks_guard:
            return self._scoring_locks[session_id]

    # Sections --------------------------------------------------------------------------

    def complete_section(
        self,
        session_id: str,
        *,
        start_s: float | None = None,
        end_s: float | None = None,
        title: str | None = None,
        camera_delay: CameraDelayNote | None = None,
    ) -> SectionReport:
        """Score the frames stored since the last completed section; returns its report.

        camera_delay: the live stream's camera delay, carried into the report."""
        with self._scoring_lock(session_id):
            self.get_active(session_id)
            results = self._complete_uncovered(session_id, start_s, end_s, title, camera_delay)
        if not results:
            raise ConflictError(
                "No frames were scored since the last completed section: stream some frames "
                "over the WebSocket first."
            )
        return from_json(SectionReport, results[-1].report)

    def section_reports(self, session_id: str) -> list[SectionReport]:
        self.get(session_id)
        return [_section_report(r) for r in self._sessions.section_results(session_id)]

    def _complete_uncovered(
        self,
        session_id: str,
        start_s: float | None,
        end_s: float | None,
        title: str | None,
        camera_delay: CameraDelayNote | None = None,
    ) -> list[SectionResult]:
        practice = self.get(session_id)
        covered = self._sessions.last_covered_seq(session_id)
        frames = self._frames.frames(session_id, first_seq=covered + 1)
        if not frames:
            return []
        # Every frame up to the last one is now covered, even those outside [start, end].
        stored: list[SectionResult] = []
        for frames_of_pass in split_passes(frames):
            chosen = [
                f
                for f in frames_of_pass
                if (start_s is None or f.timestamp_s >= start_s)
                and (end_s is None or f.timestamp_s <= end_s)
            ]
            if not chosen:
                continue
            stored.append(
                self._score_section(
                    practice,
                    chosen,
                    frames_of_pass[0].seq,
                    frames_of_pass[-1].seq,
                    title,
                    camera_delay,
                )
            )
        return stored

    def _section_title(self, practice: PracticeSession, first_s: float, last_s: float) -> str:
        if practice.section_title and practice.section_start_s is not None:
            return practice.section_title
        for section in self._references.sections(practice.reference_id):
            if section.start_s - 0.5 <= first_s and last_s <= section.end_s + 0.5:
                return section.title
        return f"{format_time(first_s)}-{format_time(last_s)}"

    def _score_section(
        self,
        practice: PracticeSession,
        frames: Sequence[ScoredFrame],
        first_seq: int,
        last_seq: int,
        title: str | None,
        camera_delay: CameraDelayNote | None = None,
    ) -> SectionResult:
        reference = self._references.poses(practice.reference_id)
        attempt = attempt_sequence(frames)
        first_s, last_s = float(attempt.timestamps_s[0]), float(attempt.timestamps_s[-1])
        section_title = title or self._section_title(practice, first_s, last_s)
        named = [
            Section(s.title, s.start_s, s.end_s)
            for s in self._references.sections(practice.reference_id)
        ]
        report = score_performance(
            reference,
            attempt,
            mirror=performs_mirror_image(practice.mirror),
            alignment="timestamp",
            sections=named,
            beats=self._grid(practice.reference_id),
        )
        feedback = generate_feedback(self._settings, report, section_title)
        number, clip_number = self._sessions.next_numbers(practice.id)
        clips: list[ClipSpec] = []
        segments = []
        for segment in report.problem_segments:
            clips.append(
                ClipSpec(
                    session_id=practice.id,
                    number=clip_number,
                    first_seq=first_seq,
                    last_seq=last_seq,
                    start_s=segment.attempt_start_s,
                    end_s=segment.attempt_end_s,
                )
            )
            segments.append(
                segment_report(
                    segment,
                    feedback=segment_feedback(segment, feedback),
                    video_clip=clip_url(practice.id, clip_number),
                    clip_number=clip_number,
                    section_number=number,
                )
            )
            clip_number += 1
        live = [f.accuracy for f in frames if f.accuracy is not None]
        section = SectionReport(
            session_id=practice.id,
            section_number=number,
            title=section_title,
            start_time=round(first_s, 3),
            end_time=round(last_s, 3),
            pass_index=frames[0].pass_index,
            overall_accuracy=accuracy_of(report),
            problem_segments=tuple(segments),
            analytics=with_camera_delay(
                analytics_of(
                    report,
                    total_frames=len(frames),
                    average_accuracy=round(float(np.mean(live)), 4) if live else None,
                    dropped_frames=None,
                ),
                camera_delay,
                frames[0].pass_index,
            ),
            feedback=feedback,
            created_at=utc_now(),
        )
        result = SectionResult(
            session_id=practice.id,
            number=number,
            first_seq=first_seq,
            last_seq=last_seq,
            start_s=first_s,
            end_s=last_s,
            title=section_title,
            overall_accuracy=section.overall_accuracy,
            report=to_json(section),
        )
        return self._sessions.add_section_result(result, clips)

    # Finalize and report ---------------------------------------------------------------

    def finalize(
        self, session_id: str, camera_delay: CameraDelayNote | None = None
    ) -> SessionReport:
        """Complete what is left, combine all sections, store the report. Idempotent.

        camera_delay: the live stream's (the last section's when None or not estimated)."""
        with self._scoring_lock(session_id):
            practice = self.get(session_id)
            if practice.status == "finalized" and practice.report is not None:
                return from_json(SessionReport, practice.report)
            self._complete_uncovered(session_id, None, None, None, camera_delay)
            results = self._sessions.section_results(session_id)
            report = self._session_report(practice, results, camera_delay)
            self._sessions.finalize(session_id, to_json(report))
        if self.queue_clips is not None and report.problem_segments:
            try:
                self.queue_clips(session_id)
            except Exception:
                # The report is stored; the clips are then rendered on their first request.
                log.exception("could not queue the clips of session %s", session_id)
        return report

    def report(self, session_id: str) -> SessionReport:
        practice = self.get(session_id)
        if practice.status != "finalized" or practice.report is None:
            raise ConflictError("The session is not finalized yet: POST .../finalize first.")
        return from_json(SessionReport, practice.report)

    def _session_report(
        self,
        practice: PracticeSession,
        results: Sequence[SectionResult],
        camera_delay: CameraDelayNote | None = None,
    ) -> SessionReport:
        all_frames = self._frames.frames(practice.id)
        live = [f.accuracy for f in all_frames if f.accuracy is not None]
        average = round(float(np.mean(live)), 4) if live else None
        rescored = [self._rescore(practice, r, all_frames) for r in results]
        score_reports = [r for r in rescored if r is not None]
        reports = [_section_report(r) for r in results]
        sections = tuple(
            SectionSummary(
                section_number=r.number,
                title=r.title,
                start_time=report.start_time,
                end_time=report.end_time,
                overall_accuracy=r.overall_accuracy,
            )
            for r, report in zip(results, reports, strict=True)
        )
        combined = combine_reports(score_reports) if score_reports else None
        if camera_delay is None or camera_delay.delay_s is None:
            # The stream has gone (or had no estimate): the latest section that had one.
            known = [r.analytics for r in reports if r.analytics.camera_delay_s is not None]
            camera_delay = (
                CameraDelayNote(
                    known[-1].camera_delay_s,
                    # applied to the whole session only if to every section
                    applied=all(a.camera_delay_applied for a in known),
                )
                if known
                else camera_delay
            )
        feedback: tuple[FeedbackEntry, ...] = ()
        if combined is not None:
            feedback = (
                reports[0].feedback
                if len(results) == 1
                else generate_feedback(self._settings, combined, None)
            )
        return SessionReport(
            session_id=practice.id,
            reference_video_id=practice.reference_id,
            overall_accuracy=None if combined is None else accuracy_of(combined),
            problem_segments=tuple(s for r in reports for s in r.problem_segments),
            analytics=None
            if combined is None
            else with_camera_delay(
                analytics_of(
                    combined,
                    total_frames=len(all_frames),
                    average_accuracy=average,
                    dropped_frames=practice.dropped_frames,
                ),
                camera_delay,
                min((r.pass_index for r in reports), default=0),
            ),
            feedback=feedback,
            sections=sections,
            total_frames=len(all_frames),
            created_at=utc_now(),
        )

    def _rescore(
        self, practice: PracticeSession, result: SectionResult, frames: Sequence[ScoredFrame]
    ) -> ScoreReport | None:
        """The section's score report again (cheap; only its JSON is stored)."""
        chosen = [
            f
            for f in frames
            if result.first_seq <= f.seq <= result.last_seq
            and result.start_s <= f.timestamp_s <= result.end_s
        ]
        if not chosen:
            return None
        reference = self._references.poses(practice.reference_id)
        named = [
            Section(s.title, s.start_s, s.end_s)
            for s in self._references.sections(practice.reference_id)
        ]
        return score_performance(
            reference,
            attempt_sequence(chosen),
            mirror=performs_mirror_image(practice.mirror),
            alignment="timestamp",
            sections=named,
            beats=self._grid(practice.reference_id),
        )

    def _grid(self, reference_id: str) -> BeatGrid | None:
        """The reference's beats: problem moments are told in its counts, timing on its hits."""
        return None if self._beats is None else self._beats(reference_id)

    # Clips -----------------------------------------------------------------------------

    def clip(self, session_id: str, number: int) -> Path:
        """The WebM replay of clip n: the stored one, else rendered now (and stored)."""
        self.get(session_id)
        spec = self._sessions.get_clip(session_id, number)
        if spec is None:
            raise NotFoundError(f"Session has no clip {number}.")
        return self.clip_renderer.stored(spec) or self.clip_renderer.render(spec)

    # Progress --------------------------------------------------------------------------

    def progress(self, reference_id: str, user_id: str | None = None) -> ReferenceProgress:
        """Every completed section of this reference over time, with its scores: the user's
        own (user None: a server without accounts, everyone's)."""
        self._references.get(reference_id)
        return reference_progress(
            reference_id,
            self._sessions.section_results_for_reference(reference_id, user_id),
            len(self._sessions.for_reference(reference_id, user_id)),
        )


def _section_report(result: SectionResult) -> SectionReport:
    return from_json(SectionReport, result.report)
