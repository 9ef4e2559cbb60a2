// The practice page: the learner dances with the webcam against the reference video, with live
// scores, cues and move grades, optionally in Break-It-Down's progression. Each job lives in its
// own hook or component under practice/; this page holds the learner's settings and wires them.
import { useRef, useState } from "react";
import { useProtocol } from "../api/useProtocol";
import { useBrowserPose } from "../hooks/useBrowserPose";
import { useDanceClock } from "../hooks/useDanceClock";
import { useWebcam } from "../hooks/useWebcam";
import { formatTime } from "../lib/danceClock";
import type { PracticeStatus } from "../lib/practiceTick";
import type { Breakdown } from "../lib/route";
import { BreakdownBanner } from "./practice/BreakdownBanner";
import { DelayOffer } from "./practice/DelayOffer";
import { LiveBar } from "./practice/LiveBar";
import { PracticeControls } from "./practice/PracticeControls";
import { PracticeStage } from "./practice/PracticeStage";
import { StatusLine } from "./practice/StatusLine";
import { useBeats } from "./practice/useBeats";
import { useBreakdown } from "./practice/useBreakdown";
import { useCameraDelay } from "./practice/useCameraDelay";
import { useCueLine } from "./practice/useCueLine";
import { useLiveFeed } from "./practice/useLiveFeed";
import { useOverlayDrawer } from "./practice/useOverlayDrawer";
import { usePracticeRun } from "./practice/usePracticeRun";
import { usePracticeSession } from "./practice/usePracticeSession";
import { useReference } from "./practice/useReference";
import "./practice.css";

interface Props {
  referenceId: string;
  startS: number | null;
  endS: number | null;
  /** Break-It-Down: loop one eight at the stage's speed until it reaches Good. */
  breakdown?: Breakdown | null;
}

export function PracticePage({ referenceId, startS, endS, breakdown = null }: Props) {
  const [status, setStatus] = useState<PracticeStatus>("loading");
  // The status for the frame clock and key handler, which outlive a render.
  const statusRef = useRef<PracticeStatus>("loading");
  statusRef.current = status;
  const [error, setError] = useState<string | null>(null);
  const [mirror, setMirror] = useState(true);
  // Break-It-Down's stage sets the speed; the speeds offered are the server's (protocol).
  const [rate, setRate] = useState<number>(breakdown?.rate ?? 1);
  const [showGhost, setShowGhost] = useState(true);
  const [loop, setLoop] = useState(startS !== null && breakdown === null);
  const [metronome, setMetronome] = useState(false);
  // What a screen reader says (cues, warnings, the delay offer); move grades are announced where shown.
  const [announcement, setAnnouncement] = useState("");
  const protocol = useProtocol();
  const gradeBands = protocol?.grade_bands ?? null;
  // The hooks below keep the order of their effects: loads, then the stream, then the run.
  const breakdownView = useBreakdown(breakdown, setError);

  const referenceVideo = useRef<HTMLVideoElement>(null);
  const webcamVideo = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const section = startS !== null && endS !== null ? { startS, endS } : null;

  const beats = useBeats(referenceId);
  const countNow = useDanceClock(referenceVideo, rate, beats, metronome, status);
  const reference = useReference(referenceId, setStatus, setError);
  const webcam = useWebcam(webcamVideo);
  // Where the pose runs (browser or server), fixed for the session when it is created.
  const pose = useBrowserPose(webcamVideo, protocol);
  const drawFrame = useOverlayDrawer(overlay, webcamVideo, { mirror, showGhost, gradeBands });
  const { live, shownMove, delayEstimate, practiceSocket } = useLiveFeed(drawFrame, protocol?.warnings ?? null);
  const delay = useCameraDelay(delayEstimate, rate, protocol?.max_camera_delay_s ?? null, practiceSocket, setAnnouncement);
  const session = usePracticeSession({ referenceId, section, mirror, rate, protocol, pose, webcam, webcamVideo, practiceSocket, statusRef });
  const run = usePracticeRun({
    referenceId,
    reference,
    beats,
    breakdown,
    breakdownView,
    section,
    loop,
    rate,
    status,
    setStatus,
    statusRef,
    setError,
    referenceVideo,
    session,
    practiceSocket,
    syncDelay: delay.syncDelay,
  });
  const { scorePercent, cueText } = useCueLine(live, countNow, status === "dancing", gradeBands, setAnnouncement);

  const locked = session.locked;
  const shownError = error ?? webcam.error;
  const poseUndecided = pose.decision.mode !== "browser" && pose.decision.mode !== "server";

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
      {breakdown && <BreakdownBanner breakdown={breakdown} goodScore={breakdownView.goodScore} note={breakdownView.note} />}
      <PracticeStage
        referenceVideo={referenceVideo}
        videoUrl={reference?.video_url}
        webcamVideo={webcamVideo}
        overlay={overlay}
        mirror={mirror}
        onEnded={() => void (breakdown ? run.scorePass() : run.finishSection())}
        count={run.count}
        shownMove={shownMove}
      />
      {delay.offer && delayEstimate?.delay_s != null && (
        <DelayOffer offer={delay.offer} onAccept={() => delay.accept(delayEstimate.delay_s ?? 0)} onDecline={delay.decline} />
      )}
      <p className="visually-hidden" role="status" aria-live="polite" data-testid="announcer">
        {announcement}
      </p>
      <LiveBar
        withCounts={beats.length > 0}
        countNow={countNow}
        scorePercent={scorePercent}
        cue={live.cue}
        cueText={cueText}
        statusLine={
          <StatusLine
            socketStatus={practiceSocket.status}
            socketDetail={practiceSocket.detail}
            live={live}
            locked={locked}
            sessionPose={session.pose.current}
            poseDecision={pose.decision}
            appliedDelay={delay.appliedDelay}
            rate={rate}
            delayWaitsForNextRun={delay.waitsForNextRun}
            onStopCompensating={delay.stopCompensating}
          />
        }
      />
      <PracticeControls
        status={status}
        startBlocked={(breakdown !== null && breakdownView.goodScore === null) || (!locked && poseUndecided)}
        locked={locked}
        onStart={() => void run.start()}
        onPause={run.pause}
        onComplete={() => void run.finishSection()}
        mirror={mirror}
        setMirror={setMirror}
        showGhost={showGhost}
        setShowGhost={setShowGhost}
        offerLoop={section !== null && !breakdown}
        loop={loop}
        setLoop={setLoop}
        offerMetronome={beats.length > 0}
        metronome={metronome}
        setMetronome={setMetronome}
        pose={pose}
        rate={rate}
        setRate={setRate}
        playbackRates={protocol?.playback_rates ?? []}
      />
    </section>
  );
}
