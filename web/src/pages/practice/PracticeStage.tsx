// The two panes side by side: the reference video, and the learner's webcam with the skeleton
// overlay, the countdown and the move grades on it.
import type { RefObject } from "react";
import type { ShownMove } from "../../lib/moveGrade";
import { MoveGrade } from "./MoveGrade";

interface Props {
  referenceVideo: RefObject<HTMLVideoElement | null>;
  videoUrl: string | undefined;
  webcamVideo: RefObject<HTMLVideoElement | null>;
  overlay: RefObject<HTMLCanvasElement | null>;
  mirror: boolean;
  /** The reference reached its end. */
  onEnded(): void;
  /** The countdown's number, or null. */
  count: number | null;
  shownMove: ShownMove | null;
}

export function PracticeStage({ referenceVideo, videoUrl, webcamVideo, overlay, mirror, onEnded, count, shownMove }: Props) {
  return (
    <div className="stage">
      <div className="pane">
        <h2 className="pane-title">Reference</h2>
        <video
          ref={referenceVideo}
          src={videoUrl}
          className={mirror ? "mirrored" : undefined}
          playsInline
          muted={false}
          preload="auto"
          onEnded={onEnded}
          data-testid="reference-video"
        />
      </div>
      <div className="pane">
        <h2 className="pane-title">You</h2>
        <div className="webcam-box">
          <video ref={webcamVideo} autoPlay playsInline muted className={mirror ? "mirrored" : undefined} data-testid="webcam" />
          <canvas ref={overlay} className="overlay" data-testid="overlay" />
          {count !== null && <div className="countdown" aria-live="assertive">{count}</div>}
          <MoveGrade shownMove={shownMove} />
        </div>
      </div>
    </div>
  );
}
