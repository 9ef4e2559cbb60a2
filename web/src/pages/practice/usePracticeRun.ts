// The run of a practice: Start (a countdown, then the reference plays), Pause, and the end of
// the section (scored, then the review) or of a Break-It-Down pass (scored, then loop again,
// move on or finish); the frame clock's ticks and the Space key drive it.
import { type RefObject, useEffect, useState } from "react";
import { type Beats, type Reference, api } from "../../api/client";
import { useFramePump } from "../../hooks/useFramePump";
import type { PracticeSocketView } from "../../hooks/usePracticeSocket";
import { eightLabel } from "../../lib/beatCount";
import { afterAttempt, currentStage, isMastered, stageSpan, startBreakdown } from "../../lib/breakItDown";
import { countdownSteps } from "../../lib/danceClock";
import { type PracticeStatus, keyAction, tickAction } from "../../lib/practiceTick";
import { type Breakdown, practiceHref } from "../../lib/route";
import type { BreakdownView } from "./useBreakdown";
import type { PracticeSession } from "./usePracticeSession";

export interface RunOptions {
  referenceId: string;
  reference: Reference | null;
  beats: Beats["beats"];
  breakdown: Breakdown | null;
  breakdownView: BreakdownView;
  section: { startS: number; endS: number } | null;
  loop: boolean;
  rate: number;
  status: PracticeStatus;
  setStatus(status: PracticeStatus): void;
  /** The status as the last render saw it, or as a handler has just set it. */
  statusRef: { current: PracticeStatus };
  setError(error: string | null): void;
  referenceVideo: RefObject<HTMLVideoElement | null>;
  session: PracticeSession;
  practiceSocket: PracticeSocketView;
  syncDelay(): void;
}

export interface PracticeRun {
  /** The countdown's number on screen, or null. */
  count: number | null;
  start(): Promise<void>;
  pause(): void;
  finishSection(): Promise<void>;
  scorePass(): Promise<void>;
}

export function usePracticeRun(options: RunOptions): PracticeRun {
  const { referenceId, reference, beats, breakdown, breakdownView, section, loop, rate, status, setStatus, statusRef } = options;
  const { setError, referenceVideo, session, practiceSocket, syncDelay } = options;
  const { goodScore, setNote, progression } = breakdownView;
  const [count, setCount] = useState<number | null>(null);
  const socket = practiceSocket.socket;
  const sectionStart = section?.startS ?? 0;

  // One tick of the frame clock: loop or end the section, or capture and send a frame (when
  // the socket can take one).
  useFramePump(() => {
    const video = referenceVideo.current;
    if (!video) return;
    const action = tickAction({ dancing: statusRef.current === "dancing", video, section, loop, breakdown: breakdown !== null });
    if (action.kind === "seek") {
      syncDelay();
      video.currentTime = action.to;
      socket.current?.sendControl({ type: "seek", timestamp: action.to });
    } else if (action.kind === "end-pass") void scorePass();
    else if (action.kind === "finish") void finishSection();
    else if (action.kind === "send") session.sendFrame(action.timestamp);
  });

  async function start() {
    const video = referenceVideo.current;
    if (!video) return;
    setError(null);
    try {
      await session.ensureSession();
    } catch (e) {
      setError(`Could not start a session: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    // `status` is this render's: what the learner pressed Start (or Resume) from.
    if (status === "ready") video.currentTime = sectionStart;
    setStatus("countdown");
    for (const n of countdownSteps()) {
      setCount(n);
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    }
    setCount(null);
    if (status === "paused") socket.current?.sendControl({ type: "resume" });
    syncDelay();
    session.startRecording();
    video.playbackRate = rate;
    await video.play().catch(() => undefined);
    setStatus("dancing");
  }

  function pause() {
    referenceVideo.current?.pause();
    socket.current?.sendControl({ type: "pause" });
    setStatus("paused");
  }

  /** Break-It-Down: score the pass just danced, then loop again, move on or finish. */
  async function scorePass() {
    if (statusRef.current === "finishing" || !session.id.current || !breakdown || !section || goodScore === null) return;
    const video = referenceVideo.current;
    video?.pause();
    socket.current?.sendControl({ type: "pause" }); // the server grades the move in progress
    setStatus("finishing");
    statusRef.current = "finishing";
    try {
      const report = await api.completeSection(session.id.current, {
        start_s: section.startS,
        end_s: section.endS,
        title: `Break it down: ${eightLabel(breakdown.eight)}`,
      });
      const score = Math.round((report.overall_accuracy ?? 0) * 100);
      const before = progression.current ?? startBreakdown(breakdown.eight, breakdown.stage);
      const after = afterAttempt(before, score, goodScore);
      progression.current = after;
      await api.recordEight(referenceId, breakdown.eight, { stage: after.stage, score, rate });
      const next = currentStage(after);
      if (isMastered(after) || !next) {
        practiceSocket.close();
        await session.finish();
        window.location.hash = `#/review/${session.id.current}`;
        return;
      }
      if (after.stage !== before.stage) {
        const span = stageSpan(beats, breakdown.eight, next.span, reference?.duration_s ?? section.endS);
        if (span) {
          practiceSocket.close();
          window.location.hash = practiceHref(referenceId, span.startS, span.endS, {
            eight: breakdown.eight,
            stage: after.stage,
            rate: next.rate,
          });
          return;
        }
      }
      setNote(`That pass scored ${score}; Good is ${goodScore}. Once more at ${rate}x: press Start.`);
      if (video) video.currentTime = section.startS;
      socket.current?.sendControl({ type: "seek", timestamp: section.startS });
      setStatus("paused");
    } catch (e) {
      setError(`Could not score the pass: ${e instanceof Error ? e.message : String(e)}`);
      setStatus("paused");
    }
  }

  async function finishSection() {
    if (statusRef.current === "finishing" || !session.id.current) return;
    const video = referenceVideo.current;
    video?.pause();
    socket.current?.sendControl({ type: "pause" }); // the server grades the move in progress
    setStatus("finishing");
    statusRef.current = "finishing";
    const end = section ? section.endS : (video?.currentTime ?? 0);
    try {
      await api.completeSection(session.id.current, { start_s: sectionStart, end_s: Math.max(end, sectionStart + 0.5), title: null });
      practiceSocket.close();
      await session.finish();
      window.location.hash = `#/review/${session.id.current}`;
    } catch (e) {
      setError(`Could not score the section: ${e instanceof Error ? e.message : String(e)}`);
      setStatus("paused");
    }
  }

  // Space starts, resumes and pauses (lib/practiceTick.keyAction says when). Subscribed anew
  // each render, so the key always calls this render's start and pause.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const action = keyAction(statusRef.current, event.code, (event.target as HTMLElement | null)?.tagName);
      if (action === null) return;
      event.preventDefault();
      if (action === "pause") pause();
      else void start();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  return { count, start, pause, finishSection, scorePass };
}
