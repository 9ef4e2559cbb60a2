// The small print under the live score: the connection, the latest warning, where the pose is
// found, the camera delay applied (with a way to stop it), and how many frames were scored.
import type { PoseMode } from "../../lib/browserPose";
import { appliedDelayText } from "../../lib/cameraDelay";
import type { LiveView } from "../../lib/liveView";
import type { SocketStatus } from "../../lib/practiceSocket";

interface Props {
  socketStatus: SocketStatus;
  socketDetail: string | null;
  live: LiveView;
  /** A session exists, so sessionPose says where its pose runs. */
  locked: boolean;
  sessionPose: "browser" | "server" | null;
  poseDecision: PoseMode;
  appliedDelay: number;
  rate: number;
  delayWaitsForNextRun: boolean;
  onStopCompensating(): void;
}

export function StatusLine(props: Props) {
  const { socketStatus, socketDetail, live, locked, sessionPose, poseDecision, appliedDelay, rate } = props;
  return (
    <div className="status-line">
      {socketStatus === "reconnecting" && <span className="warn">{socketDetail ?? "Connection lost, reconnecting…"}</span>}
      {socketStatus === "closed" && socketDetail && <span className="warn">{socketDetail}</span>}
      {live.warning && (
        <span className="warn" data-testid="warning">
          {live.warning}
        </span>
      )}
      <span className="muted" data-testid="pose-mode" data-mode={locked ? sessionPose : poseDecision.mode}>
        {locked && sessionPose === "browser"
          ? "Pose found in this browser: only your pose is sent."
          : locked
            ? "Pose found on the server."
            : poseDecision.reason}
      </span>
      {appliedDelay !== 0 && (
        <span className="muted" data-testid="camera-delay-status">
          {appliedDelayText(appliedDelay, rate, props.delayWaitsForNextRun)}{" "}
          <button type="button" className="link" onClick={props.onStopCompensating}>
            Stop compensating
          </button>
        </span>
      )}
      <span className="muted">
        {live.framesScored} frames scored{live.dropped > 0 ? ` · ${live.dropped} skipped to stay in time` : ""}
      </span>
    </div>
  );
}
