import { useCallback, useEffect, useRef, useState } from "react";
import { type FrameResult, type Reference, api } from "../api/client";
import { PLAYBACK_RATES, type PlaybackRate, countdownSteps, formatTime, frameTimestamp, nextLoopTime } from "../lib/danceClock";
import type { Landmark } from "../lib/drawing";
import { type Cue, currentCue, smoothScore, warningText } from "../lib/liveScore";
import { PracticeSocket, type SocketStatus, browserEnvironment, socketUrl } from "../lib/practiceSocket";
import { drawOverlay } from "../lib/skeleton";

type Status = "loading" | "ready" | "countdown" | "dancing" | "paused" | "finishing" | "error";

const FRAME_INTERVAL_MS = 100; // 10 FPS
const FRAME_WIDTH = 640;
const JPEG_QUALITY = 0.7;

interface Props {
  referenceId: string;
  startS: number | null;
  endS: number | null;
}

export function PracticePage({ referenceId, startS, endS }: Props) {
  const [reference, setReference] = useState<Reference | null>(null);
  const [status, setStatus] = useState<Status>("loading");
  const [error, setError] = useState<string | null>(null);
  const [mirror, setMirror] = useState(true);
  const [rate, setRate] = useState<PlaybackRate>(1);
  const [showGhost, setShowGhost] = useState(true);
  const [loop, setLoop] = useState(startS !== null);
  const [count, setCount] = useState<number | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [cue, setCue] = useState<Cue | null>(null);
  const [warning, setWarning] = useState<string | null>(null);
  const [socketStatus, setSocketStatus] = useState<SocketStatus>("idle");
  const [socketDetail, setSocketDetail] = useState<string | null>(null);
  const [framesScored, setFramesScored] = useState(0);
  const [dropped, setDropped] = useState(0);

  const referenceVideo = useRef<HTMLVideoElement>(null);
  const webcam = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const capture = useRef<HTMLCanvasElement | null>(null);
  const socket = useRef<PracticeSocket | null>(null);
  const sessionId = useRef<string | null>(null);
  const statusRef = useRef<Status>("loading");
  const settingsRef = useRef({ mirror, showGhost });
  settingsRef.current = { mirror, showGhost };
  statusRef.current = status;

  const section = startS !== null && endS !== null ? { startS, endS } : null;
  const sectionStart = section?.startS ?? 0;

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

  // Webcam for the whole page visit.
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      ?.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then((s) => {
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        if (webcam.current) webcam.current.srcObject = s;
      })
      .catch(() => setError("The webcam is not available: allow camera access in the browser and reload."));
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, []);

  useEffect(() => {
    if (referenceVideo.current) referenceVideo.current.playbackRate = rate;
  }, [rate, status]);

  const onMessage = useCallback((message: Record<string, unknown>) => {
    if (message.type === "frame_result") {
      const result = message as unknown as FrameResult;
      setScore((previous) => smoothScore(previous, result.accuracy));
      setCue((previous) => currentCue(previous, result.immediate_errors, performance.now()));
      setWarning(warningText(result.warning));
      setDropped(result.dropped_frames);
      setFramesScored((n) => n + 1);
      const canvas = overlay.current;
      const video = webcam.current;
      const context = canvas?.getContext("2d");
      if (canvas && context && video) {
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
            videoWidth: video.videoWidth,
            videoHeight: video.videoHeight,
          },
        );
        canvas.dataset.drawn = String(Number(canvas.dataset.drawn ?? "0") + 1);
      }
    } else if (message.type === "error") {
      setWarning(String(message.message ?? "The server refused a frame."));
    }
  }, []);

  // Frame pacing: 10 FPS while dancing, only when the socket can take another frame.
  useEffect(() => {
    const timer = window.setInterval(() => {
      const video = referenceVideo.current;
      const cam = webcam.current;
      const live = socket.current;
      if (!video || statusRef.current !== "dancing") return;
      const jump = loop ? nextLoopTime(video.currentTime, section) : null;
      if (jump !== null) {
        video.currentTime = jump;
        live?.sendControl({ type: "seek", timestamp: jump });
        return;
      }
      if (!loop && section && video.currentTime >= section.endS) {
        void finishSection();
        return;
      }
      const timestamp = frameTimestamp(video);
      if (timestamp === null || !cam || !live?.canSend() || cam.videoWidth === 0 || !sessionId.current) return;
      capture.current ??= document.createElement("canvas");
      const canvas = capture.current;
      canvas.width = FRAME_WIDTH;
      canvas.height = Math.round((FRAME_WIDTH * cam.videoHeight) / cam.videoWidth);
      canvas.getContext("2d")?.drawImage(cam, 0, 0, canvas.width, canvas.height);
      live.sendFrame(canvas.toDataURL("image/jpeg", JPEG_QUALITY), timestamp, sessionId.current);
    }, FRAME_INTERVAL_MS);
    return () => window.clearInterval(timer);
  });

  useEffect(() => () => socket.current?.close(), []);

  async function ensureSession(): Promise<string> {
    if (sessionId.current) return sessionId.current;
    const created = await api.createSession({
      reference_video_id: referenceId,
      section: section ? { start_s: section.startS, end_s: section.endS } : null,
      mirror,
      playback_rate: rate,
    });
    sessionId.current = created.session_id;
    const live = new PracticeSocket(socketUrl(created.session_id, window.location), browserEnvironment(), {
      onStatus: (s, detail) => {
        setSocketStatus(s);
        setSocketDetail(detail ?? null);
      },
      onMessage,
    });
    socket.current = live;
    live.connect();
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
    video.playbackRate = rate;
    await video.play().catch(() => undefined);
    setStatus("dancing");
  }

  function pause() {
    referenceVideo.current?.pause();
    socket.current?.sendControl({ type: "pause" });
    setStatus("paused");
  }

  async function finishSection() {
    if (statusRef.current === "finishing" || !sessionId.current) return;
    const video = referenceVideo.current;
    video?.pause();
    setStatus("finishing");
    statusRef.current = "finishing";
    const end = section ? section.endS : (video?.currentTime ?? 0);
    try {
      await api.completeSection(sessionId.current, { start_s: sectionStart, end_s: Math.max(end, sectionStart + 0.5), title: null });
      socket.current?.close();
      window.location.hash = `#/review/${sessionId.current}`;
    } catch (e) {
      setError(`Could not score the section: ${e instanceof Error ? e.message : String(e)}`);
      setStatus("paused");
    }
  }

  // Space starts and pauses.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.code !== "Space" || (event.target as HTMLElement)?.tagName === "INPUT") return;
      event.preventDefault();
      if (statusRef.current === "dancing") pause();
      else if (statusRef.current === "ready" || statusRef.current === "paused") void start();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  });

  const locked = sessionId.current !== null;
  const scorePercent = score === null ? null : Math.round(score * 100);

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
      {error && (
        <p className="alert" role="alert">
          {error}
        </p>
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
            onEnded={() => void finishSection()}
            data-testid="reference-video"
          />
        </div>
        <div className="pane">
          <h2 className="pane-title">You</h2>
          <div className="webcam-box">
            <video ref={webcam} autoPlay playsInline muted className={mirror ? "mirrored" : undefined} data-testid="webcam" />
            <canvas ref={overlay} className="overlay" data-testid="overlay" />
            {count !== null && <div className="countdown" aria-live="assertive">{count}</div>}
          </div>
        </div>
      </div>
      <div className="live-bar" aria-live="polite">
        <div className="live-score" data-testid="live-score">
          <span className="label">Live score</span>
          <span className="value">{scorePercent === null ? "–" : scorePercent}</span>
        </div>
        <div className={`cue ${cue ? cue.severity : ""}`} data-testid="cue">
          {cue
            ? cue.message
            : status !== "dancing"
              ? "Cues appear here while you dance"
              : scorePercent !== null && scorePercent >= 70
                ? "Looking good, keep going"
                : "Follow the reference: watch its arms and legs"}
        </div>
        <div className="status-line">
          {socketStatus === "reconnecting" && <span className="warn">{socketDetail ?? "Connection lost, reconnecting…"}</span>}
          {socketStatus === "closed" && socketDetail && <span className="warn">{socketDetail}</span>}
          {warning && <span className="warn" data-testid="warning">{warning}</span>}
          <span className="muted">
            {framesScored} frames scored{dropped > 0 ? ` · ${dropped} skipped to stay in time` : ""}
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
            disabled={!(status === "ready" || status === "paused")}
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
        {section && (
          <label>
            <input type="checkbox" checked={loop} onChange={(e) => setLoop(e.target.checked)} /> Loop section
          </label>
        )}
        <label>
          Speed{" "}
          <select value={rate} disabled={locked} onChange={(e) => setRate(Number(e.target.value) as PlaybackRate)}>
            {PLAYBACK_RATES.map((r) => (
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
