// The row of practice controls: Start / Resume / Pause, Complete section, and the settings
// (mirror, ghost, loop, metronome, where the pose runs, speed); a session's own settings lock
// once it exists.
import type { BrowserPoseView } from "../../hooks/useBrowserPose";
import type { PoseChoice } from "../../lib/browserPose";
import type { PracticeStatus } from "../../lib/practiceTick";

interface Props {
  status: PracticeStatus;
  /** Something other than the status keeps Start disabled (no pose mode yet, no grade bands). */
  startBlocked: boolean;
  /** A session exists: mirror, pose and speed are fixed. */
  locked: boolean;
  onStart(): void;
  onPause(): void;
  onComplete(): void;
  mirror: boolean;
  setMirror(mirror: boolean): void;
  showGhost: boolean;
  setShowGhost(show: boolean): void;
  /** Offer "Loop section" (a section outside Break-It-Down, which loops by itself). */
  offerLoop: boolean;
  loop: boolean;
  setLoop(loop: boolean): void;
  /** Offer the metronome (the reference has music). */
  offerMetronome: boolean;
  metronome: boolean;
  setMetronome(on: boolean): void;
  pose: BrowserPoseView;
  rate: number;
  setRate(rate: number): void;
  /** The speeds the server offers (protocol). */
  playbackRates: readonly number[];
}

export function PracticeControls(props: Props) {
  const { status, locked, pose, rate } = props;
  return (
    <div className="controls" role="group" aria-label="Practice controls">
      {status === "dancing" ? (
        <button type="button" className="primary" onClick={props.onPause}>
          Pause (space)
        </button>
      ) : (
        <button
          type="button"
          className="primary"
          onClick={props.onStart}
          disabled={!(status === "ready" || status === "paused") || props.startBlocked}
          data-testid="start"
        >
          {status === "paused" ? "Resume (space)" : "Start (space)"}
        </button>
      )}
      <button
        type="button"
        onClick={props.onComplete}
        disabled={!locked || status === "finishing" || status === "countdown"}
        data-testid="complete-section"
      >
        {status === "finishing" ? "Scoring…" : "Complete section"}
      </button>
      <label>
        <input type="checkbox" checked={props.mirror} disabled={locked} onChange={(e) => props.setMirror(e.target.checked)} /> Mirror
      </label>
      <label>
        <input type="checkbox" checked={props.showGhost} onChange={(e) => props.setShowGhost(e.target.checked)} /> Ghost
      </label>
      {props.offerLoop && (
        <label>
          <input type="checkbox" checked={props.loop} onChange={(e) => props.setLoop(e.target.checked)} /> Loop section
        </label>
      )}
      {props.offerMetronome && (
        <label title="A click on every beat (a higher one on count 1); helps at 0.5x and 0.75x">
          <input
            type="checkbox"
            checked={props.metronome}
            onChange={(e) => props.setMetronome(e.target.checked)}
            data-testid="metronome"
          />{" "}
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
        <select value={rate} disabled={locked} onChange={(e) => props.setRate(Number(e.target.value))}>
          {[...new Set([...props.playbackRates, rate])].sort((a, b) => a - b).map((r) => (
            <option key={r} value={r}>
              {r}x
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}
