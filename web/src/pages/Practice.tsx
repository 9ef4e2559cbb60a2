import { useCallback, useEffect, useRef, useState } from "react";
import { type Beats, type Reference, api } from "../api/client";
import { useBrowserPose } from "../hooks/useBrowserPose";
import { useDanceClock } from "../hooks/useDanceClock";
import { useFramePump } from "../hooks/useFramePump";
import { usePracticeSocket } from "../hooks/usePracticeSocket";
import { useWebcam } from "../hooks/useWebcam";
import { eightLabel } from "../lib/beatCount";
import { STAGES, afterAttempt, currentStage, isMastered, stageSpan, startBreakdown } from "../lib/breakItDown";
import { countdownSteps, formatTime } from "../lib/danceClock";
import type { Landmark } from "../lib/drawing";
import { useProtocol } from "../api/useProtocol";
import { type CameraDelayEstimate, acceptedDelay, appliedDelayText, delayOffer, saveDelay, savedDelay } from "../lib/cameraDelay";
import type { PoseChoice } from "../lib/browserPose";
import { binaryFrame } from "../lib/framePump";
import { binaryLandmarks } from "../lib/landmarkFrame";
import { WebcamRecorder, localRecordings } from "../lib/localRecording";
import { EMPTY_LIVE_VIEW, type FrameResult, type LiveView, afterError, afterFrameResult, cueLine } from "../lib/liveView";
import { type MoveMessage, type ShownMove, MOVE_GRADE_HOLD_MS, fadesInMs, gradeClass, moveAnnouncement, showMove } from "../lib/moveGrade";
import { finalCloseCodes } from "../lib/practiceSocket";
import { type PracticeStatus, keyAction, tickAction } from "../lib/practiceTick";
import { type Breakdown, practiceHref } from "../lib/route";
import { drawOverlay } from "../lib/skeleton";
import "./practice.css";

interface Props {
  referenceId: string;
  startS: number | null;
  endS: number | null;
  /** Break-It-Down: loop one eight at the stage's speed until it reaches Good. */
  breakdown?: Breakdown | null;
}

export function PracticePage({ referenceId, startS, endS, breakdown = null }: Props) {
  const [reference, setReference] = useState<Reference | null>(null);
  const [status, setStatus] = useState<PracticeStatus>("loading");
  const [error, setError] = useState<string | null>(null);
  const [mirror, setMirror] = useState(true);
  // Break-It-Down's stage sets the speed; the speeds offered are the server's (protocol).
  const [rate, setRate] = useState<number>(breakdown?.rate ?? 1);
  const [showGhost, setShowGhost] = useState(true);
  const [loop, setLoop] = useState(startS !== null && breakdown === null);
  const [count, setCount] = useState<number | null>(null);
  const [live, setLive] = useState<LiveView>(EMPTY_LIVE_VIEW);
  const [beats, setBeats] = useState<Beats["beats"]>([]);
  const [metronome, setMetronome] = useState(false);
  // Each move's grade as the server sends it, faded after MOVE_GRADE_HOLD_MS.
  const [shownMove, setShownMove] = useState<ShownMove | null>(null);
  // The camera's delay: the server's estimate, the learner's answer, the delay applied.
  const [delayEstimate, setDelayEstimate] = useState<CameraDelayEstimate | null>(null);
  const [delayAnswered, setDelayAnswered] = useState(false);
  // The delay this browser's camera runs behind, once accepted (kept for later sessions); the
  // server applies it from the start of the next run (a new pass), never halfway through one.
  const [appliedDelay, setAppliedDelay] = useState(() => savedDelay(browserStorage()));
  const delayRef = useRef(appliedDelay);
  delayRef.current = appliedDelay;
  const streamDelay = useRef(0); // what the connected stream applies now
  const protocol = useProtocol();
  const warningTexts = useRef<Readonly<Record<string, string>> | null>(null);
  warningTexts.current = protocol?.warnings ?? null;
  // What a screen reader says (cues, the delay offer); move grades are announced where shown.
  const [announcement, setAnnouncement] = useState("");
  // Break-It-Down: the Good grade's lowest score (from the server's grade bands) and the
  // state machine, fed each pass's score.
  const [goodScore, setGoodScore] = useState<number | null>(null);
  const [breakdownNote, setBreakdownNote] = useState<string | null>(null);
  const breakdownState = useRef(breakdown ? startBreakdown(breakdown.eight, breakdown.stage) : null);
  useEffect(() => {
    if (!breakdown) return;
    api
      .protocol()
      .then((p) => setGoodScore(p.grade_bands.find((band) => band.grade === "Good")?.min_score ?? null))
      .catch(() => setError("Could not load the grade bands from the server."));
  }, [breakdown]);

  const referenceVideo = useRef<HTMLVideoElement>(null);
  const webcamVideo = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const sessionId = useRef<string | null>(null);
  const statusRef = useRef<PracticeStatus>("loading");
  const gradeBands = protocol?.grade_bands ?? null;
  const settingsRef = useRef({ mirror, showGhost, gradeBands });
  settingsRef.current = { mirror, showGhost, gradeBands };
  statusRef.current = status;

  const section = startS !== null && endS !== null ? { startS, endS } : null;
  const sectionStart = section?.startS ?? 0;

  // Counts of the reference's music (none without a soundtrack: the display stays hidden).
  useEffect(() => {
    api
      .beats(referenceId)
      .then((b) => setBeats(b.beats))
      .catch(() => setBeats([]));
  }, [referenceId]);
  const countNow = useDanceClock(referenceVideo, rate, beats, metronome, status);
  // A cue names the count it started on ("On 5: ..."), as a teacher calling it out would.
  const cueCount = useRef<{ message: string; count: number | null }>({ message: "", count: null });
  if (live.cue && live.cue.message !== cueCount.current.message) {
    cueCount.current = { message: live.cue.message, count: countNow?.count ?? null };
  }

  useEffect(() => {
    api
      .reference(referenceId)
      .then((r) => {
        setReference(r);
        if (r.status !== "ready") {
          setError(r.status === "failed" ? `This reference failed to process: ${r.failure_reason}` : "This reference is still processing.");
          setStatus("error");
        } else setStatus("ready");
      })
      .catch((e: unknown) => {
        setError(`Could not load the reference: ${e instanceof Error ? e.message : String(e)}`);
        setStatus("error");
      });
  }, [referenceId]);

  const webcam = useWebcam(webcamVideo);
  // Where the pose runs (browser or server), fixed for the session when it is created.
  const pose = useBrowserPose(webcamVideo, protocol);
  const sessionPose = useRef<"browser" | "server" | null>(null);
  // Browser mode: the webcam recorded here, for replays that never leave the computer.
  const recorder = useRef<WebcamRecorder | null>(null);
  async function keepRecording(): Promise<void> {
    const id = sessionId.current;
    const recording = await recorder.current?.stop();
    recorder.current = null;
    if (id && recording) localRecordings.set(id, recording);
  }

  const drawFrame = useCallback((result: FrameResult) => {
    const canvas = overlay.current;
    const video = webcamVideo.current;
    const context = canvas?.getContext("2d");
    if (!canvas || !context || !video) return;
    canvas.width = canvas.clientWidth;
    canvas.height = canvas.clientHeight;
    drawOverlay(
      context,
      {
        pose: (result.pose_landmarks as Landmark[] | null) ?? null,
        ghost: (result.reference_landmarks as Landmark[] | null) ?? null,
        partScores: result.part_scores as Record<string, number>,
      },
      {
        mirrored: settingsRef.current.mirror,
        showGhost: settingsRef.current.showGhost,
        gradeBands: settingsRef.current.gradeBands,
        videoWidth: video.videoWidth,
        videoHeight: video.videoHeight,
      },
    );
    canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? "0") + 1);
  }, []);

  const onMessage = useCallback(
    (message: Record<string, unknown>) => {
      if (message.type === "frame_result") {
        const result = message as unknown as FrameResult;
        const now = performance.now();
        setLive((view) => afterFrameResult(view, result, now, warningTexts.current));
        drawFrame(result);
      } else if (message.type === "move") {
        const move = message as unknown as MoveMessage;
        const now = performance.now();
        setShownMove((previous) => showMove(previous, move, now));
      } else if (message.type === "camera_delay") {
        setDelayEstimate(message as unknown as CameraDelayEstimate);
      } else if (message.type === "error") {
        setLive((view) => afterError(view, message.message));
      }
    },
    [drawFrame],
  );
  const practiceSocket = usePracticeSocket(onMessage);
  const socket = practiceSocket.socket;

  useEffect(() => {
    if (!shownMove) return;
    const timer = window.setTimeout(() => setShownMove(null), fadesInMs(shownMove, performance.now()));
    return () => window.clearTimeout(timer);
  }, [shownMove]);

  // The server applies the delay to every frame's dance time (see README). Told when a run
  // starts (a connection, Start, a loop), so one run is never half shifted.
  const syncDelay = useCallback(() => {
    if (delayRef.current === streamDelay.current || socket.current?.status !== "open") return;
    socket.current.sendControl({ type: "camera_delay", delay_s: delayRef.current });
    streamDelay.current = delayRef.current;
  }, [socket]);
  useEffect(() => {
    if (practiceSocket.status !== "open") return;
    streamDelay.current = 0; // a new stream starts unshifted
    syncDelay();
  }, [practiceSocket.status, syncDelay]);
  function acceptDelay(estimateS: number) {
    const next = acceptedDelay(appliedDelay, estimateS, protocol?.max_camera_delay_s ?? null);
    saveDelay(browserStorage(), next);
    setAppliedDelay(next);
    setDelayAnswered(true);
  }
  function stopCompensating() {
    saveDelay(browserStorage(), 0);
    setAppliedDelay(0);
  }
  const offer = delayEstimate && !delayAnswered ? delayOffer(delayEstimate, rate) : null;
  useEffect(() => {
    if (offer) setAnnouncement(offer);
  }, [offer]);

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
    else if (action.kind === "send") {
      const stream = socket.current;
      if (!stream?.canSend()) return;
      if (sessionPose.current === "browser") {
        // Only the pose leaves the computer: 33 landmarks instead of the picture.
        const cam = webcamVideo.current;
        const model = pose.estimator.current;
        if (!cam || !model || cam.videoWidth === 0) return;
        const points = model.detect(cam);
        if (stream.sendFrame(binaryLandmarks(action.timestamp, points, cam.videoWidth, cam.videoHeight))) {
          recorder.current?.mark(action.timestamp);
        }
        return;
      }
      void webcam.capture().then((jpeg) => {
        if (jpeg && statusRef.current === "dancing") stream.sendFrame(binaryFrame(action.timestamp, jpeg));
      });
    }
  });

  async function ensureSession(): Promise<string> {
    if (sessionId.current) return sessionId.current;
    const mode = pose.decision.mode;
    if (mode !== "browser" && mode !== "server") throw new Error(pose.decision.reason);
    const created = await api.createSession({
      reference_video_id: referenceId,
      section: section ? { start_s: section.startS, end_s: section.endS } : null,
      mirror,
      playback_rate: rate,
      pose: mode,
    });
    sessionId.current = created.session_id;
    // The server's setting may override the request: its URL says what the stream is.
    sessionPose.current = created.websocket_url.includes("pose=browser") ? "browser" : "server";
    practiceSocket.connect(
      created.session_id,
      finalCloseCodes((protocol ?? (await api.protocol())).close_codes),
      sessionPose.current,
    );
    return created.session_id;
  }

  async function start() {
    const video = referenceVideo.current;
    if (!video) return;
    setError(null);
    try {
      await ensureSession();
    } catch (e) {
      setError(`Could not start a session: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (status === "ready") video.currentTime = sectionStart;
    setStatus("countdown");
    for (const n of countdownSteps()) {
      setCount(n);
      await new Promise((resolve) => window.setTimeout(resolve, 1000));
    }
    setCount(null);
    if (status === "paused") socket.current?.sendControl({ type: "resume" });
    syncDelay();
    const camera = webcamVideo.current?.srcObject;
    if (sessionPose.current === "browser" && !recorder.current && camera instanceof MediaStream && typeof MediaRecorder !== "undefined") {
      try {
        recorder.current = new WebcamRecorder(camera);
      } catch {
        recorder.current = null; // no recorder in this browser: no replays, dancing goes on
      }
    }
    recorder.current?.start();
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
    if (statusRef.current === "finishing" || !sessionId.current || !breakdown || !section || goodScore === null) return;
    const video = referenceVideo.current;
    video?.pause();
    socket.current?.sendControl({ type: "pause" }); // the server grades the move in progress
    setStatus("finishing");
    statusRef.current = "finishing";
    try {
      const report = await api.completeSection(sessionId.current, {
        start_s: section.startS,
        end_s: section.endS,
        title: `Break it down: ${eightLabel(breakdown.eight)}`,
      });
      const score = Math.round((report.overall_accuracy ?? 0) * 100);
      const before = breakdownState.current ?? startBreakdown(breakdown.eight, breakdown.stage);
      const after = afterAttempt(before, score, goodScore);
      breakdownState.current = after;
      await api.recordEight(referenceId, breakdown.eight, { stage: after.stage, score, rate });
      const next = currentStage(after);
      if (isMastered(after) || !next) {
        practiceSocket.close();
        await keepRecording();
        window.location.hash = `#/review/${sessionId.current}`;
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
      setBreakdownNote(`That pass scored ${score}; Good is ${goodScore}. Once more at ${rate}x: press Start.`);
      if (video) video.currentTime = section.startS;
      socket.current?.sendControl({ type: "seek", timestamp: section.startS });
      setStatus("paused");
    } catch (e) {
      setError(`Could not score the pass: ${e instanceof Error ? e.message : String(e)}`);
      setStatus("paused");
    }
  }

  async function finishSection() {
    if (statusRef.current === "finishing" || !sessionId.current) return;
    const video = referenceVideo.current;
    video?.pause();
    socket.current?.sendControl({ type: "pause" }); // the server grades the move in progress
    setStatus("finishing");
    statusRef.current = "finishing";
    const end = section ? section.endS : (video?.currentTime ?? 0);
    try {
      await api.completeSection(sessionId.current, { start_s: sectionStart, end_s: Math.max(end, sectionStart + 0.5), title: null });
      practiceSocket.close();
      await keepRecording();
      window.location.hash = `#/review/${sessionId.current}`;
    } catch (e) {
      setError(`Could not score the section: ${e instanceof Error ? e.message : String(e)}`);
      setStatus("paused");
    }
  }

  // Space starts, resumes and pauses (lib/practiceTick.keyAction says when).
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

  const locked = sessionId.current !== null;
  const scorePercent = live.score === null ? null : Math.round(live.score * 100);
  const cueText = cueLine(live.cue, cueCount.current.count, status === "dancing", scorePercent, gradeBands);
  // Cues and warnings are announced as they come (the score, changing every frame, is not).
  useEffect(() => {
    if (live.cue) setAnnouncement(cueText);
  }, [live.cue, cueText]);
  useEffect(() => {
    if (live.warning) setAnnouncement(live.warning);
  }, [live.warning]);
  const shownError = error ?? webcam.error;

  return (
    <section aria-labelledby="practice-title" className="practice">
      <div className="practice-head">
        <h1 id="practice-title">{reference?.name ?? "Practice"}</h1>
        {section && (
          <p className="muted">
            Section {formatTime(section.startS)}–{formatTime(section.endS)}
          </p>
        )}
      </div>
      {shownError && (
        <p className="alert" role="alert">
          {shownError}
        </p>
      )}
      {breakdown && (
        <div className="breakdown" data-testid="breakdown" aria-live="polite">
          <strong>Break it down · {eightLabel(breakdown.eight)}</strong> · step {breakdown.stage + 1} of {STAGES.length}:{" "}
          {STAGES[breakdown.stage]?.span === "chain" ? "with the eights around it" : "this eight alone"} at {breakdown.rate}x
          {goodScore !== null && <> · reach Good ({goodScore}) to move on</>}
          {breakdownNote && <p className="muted">{breakdownNote}</p>}
        </div>
      )}
      <div className="stage">
        <div className="pane">
          <h2 className="pane-title">Reference</h2>
          <video
            ref={referenceVideo}
            src={reference?.video_url}
            className={mirror ? "mirrored" : undefined}
            playsInline
            muted={false}
            preload="auto"
            onEnded={() => void (breakdown ? scorePass() : finishSection())}
            data-testid="reference-video"
          />
        </div>
        <div className="pane">
          <h2 className="pane-title">You</h2>
          <div className="webcam-box">
            <video ref={webcamVideo} autoPlay playsInline muted className={mirror ? "mirrored" : undefined} data-testid="webcam" />
            <canvas ref={overlay} className="overlay" data-testid="overlay" />
            {count !== null && <div className="countdown" aria-live="assertive">{count}</div>}
            <div className="move-grade-slot" aria-live="polite" aria-atomic="true">
              {shownMove && (
                <div
                  key={shownMove.serial}
                  className={`move-grade ${gradeClass(shownMove.move.grade)}`}
                  style={{ animationDuration: `${MOVE_GRADE_HOLD_MS}ms` }}
                  data-testid="move-grade"
                  data-grade={shownMove.move.grade}
                >
                  <span className="visually-hidden">{moveAnnouncement(shownMove.move)}</span>
                  <span aria-hidden="true">{shownMove.move.grade}</span>
                  <small aria-hidden="true">{shownMove.move.label}</small>
                </div>
              )}
            </div>
          </div>
        </div>
      </div>
      {offer && delayEstimate?.delay_s != null && (
        <div className="delay-offer card" role="group" aria-label="Camera delay" data-testid="camera-delay-offer">
          <p>{offer}</p>
          <button
            type="button"
            className="primary"
            onClick={() => acceptDelay(delayEstimate.delay_s ?? 0)}
          >
            Compensate
          </button>
          <button type="button" onClick={() => setDelayAnswered(true)}>
            No, keep it
          </button>
        </div>
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      <div className={`live-bar${beats.length > 0 ? " with-counts" : ""}`}>
        {beats.length > 0 && (
          <div className="count-display" data-testid="count-display" aria-live="off">
            <span className="count-number" data-count={countNow?.count ?? ""}>
              {countNow?.count ?? "–"}
            </span>
            <span className="count-eight">{countNow ? eightLabel(countNow.eight) : "counts"}</span>
          </div>
        )}
        <div className="live-score" data-testid="live-score">
          <span className="label">Live score</span>
          <span className="value">{scorePercent === null ? "–" : scorePercent}</span>
        </div>
        <div className={`cue ${live.cue ? live.cue.severity : ""}`} data-testid="cue">
          {cueText}
        </div>
        <div className="status-line">
          {practiceSocket.status === "reconnecting" && (
            <span className="warn">{practiceSocket.detail ?? "Connection lost, reconnecting…"}</span>
          )}
          {practiceSocket.status === "closed" && practiceSocket.detail && <span className="warn">{practiceSocket.detail}</span>}
          {live.warning && (
            <span className="warn" data-testid="warning">
              {live.warning}
            </span>
          )}
          <span className="muted" data-testid="pose-mode" data-mode={locked ? sessionPose.current : pose.decision.mode}>
            {locked && sessionPose.current === "browser"
              ? "Pose found in this browser: only your pose is sent."
              : locked
                ? "Pose found on the server."
                : pose.decision.reason}
          </span>
          {appliedDelay !== 0 && (
            <span className="muted" data-testid="camera-delay-status">
              {appliedDelayText(appliedDelay, rate, appliedDelay !== streamDelay.current)}{" "}
              <button type="button" className="link" onClick={stopCompensating}>
                Stop compensating
              </button>
            </span>
          )}
          <span className="muted">
            {live.framesScored} frames scored{live.dropped > 0 ? ` · ${live.dropped} skipped to stay in time` : ""}
          </span>
        </div>
      </div>
      <div className="controls" role="group" aria-label="Practice controls">
        {status === "dancing" ? (
          <button type="button" className="primary" onClick={pause}>
            Pause (space)
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            onClick={() => void start()}
            disabled={
              !(status === "ready" || status === "paused") ||
              (breakdown !== null && goodScore === null) ||
              (!locked && pose.decision.mode !== "browser" && pose.decision.mode !== "server")
            }
            data-testid="start"
          >
            {status === "paused" ? "Resume (space)" : "Start (space)"}
          </button>
        )}
        <button
          type="button"
          onClick={() => void finishSection()}
          disabled={!locked || status === "finishing" || status === "countdown"}
          data-testid="complete-section"
        >
          {status === "finishing" ? "Scoring…" : "Complete section"}
        </button>
        <label>
          <input type="checkbox" checked={mirror} disabled={locked} onChange={(e) => setMirror(e.target.checked)} /> Mirror
        </label>
        <label>
          <input type="checkbox" checked={showGhost} onChange={(e) => setShowGhost(e.target.checked)} /> Ghost
        </label>
        {section && !breakdown && (
          <label>
            <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} /> Loop section
          </label>
        )}
        {beats.length > 0 && (
          <label title="A click on every beat (a higher one on count 1); helps at 0.5x and 0.75x">
            <input type="checkbox" checked={metronome} onChange={(e) => setMetronome(e.target.checked)} data-testid="metronome" />{" "}
            Metronome
          </label>
        )}
        <label title="Where your pose is found: in this browser only your pose leaves the computer; on the server the webcam frames are sent">
          Pose{" "}
          <select
            value={pose.offer === "auto" ? pose.choice : (pose.offer ?? "auto")}
            disabled={locked || pose.offer !== "auto"}
            onChange={(e) => pose.setChoice(e.target.value as PoseChoice)}
            data-testid="pose-choice"
          >
            <option value="auto">Auto</option>
            <option value="browser">In this browser</option>
            <option value="server">On the server</option>
          </select>
        </label>
        <label>
          Speed{" "}
          <select value={rate} disabled={locked} onChange={(e) => setRate(Number(e.target.value))}>
            {[...new Set([...(protocol?.playback_rates ?? []), rate])].sort((a, b) => a - b).map((r) => (
              <option key={r} value={r}>
                {r}x
              </option>
            ))}
          </select>
        </label>
      </div>
    </section>
  );
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: the delay then lasts as long as the page
  }
}
