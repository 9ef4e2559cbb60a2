// The practice stream and what its messages show: the live view (score, cue, warning, frame
// counts), each move's grade until it fades, and the server's camera-delay estimate. Each
// frame's result is handed to drawFrame as it arrives.
import { useCallback, useEffect, useRef, useState } from "react";
import { type PracticeSocketView, usePracticeSocket } from "../../hooks/usePracticeSocket";
import type { CameraDelayEstimate } from "../../lib/cameraDelay";
import { EMPTY_LIVE_VIEW, type FrameResult, type LiveView, afterError, afterFrameResult } from "../../lib/liveView";
import { type MoveMessage, type ShownMove, fadesInMs, showMove } from "../../lib/moveGrade";

export interface LiveFeed {
  live: LiveView;
  /** Each move's grade as the server sends it, faded after MOVE_GRADE_HOLD_MS. */
  shownMove: ShownMove | null;
  delayEstimate: CameraDelayEstimate | null;
  practiceSocket: PracticeSocketView;
}

export function useLiveFeed(
  drawFrame: (result: FrameResult) => void,
  /** The server's warning texts by code (protocol), null until loaded. */
  warnings: Readonly<Record<string, string>> | null,
): LiveFeed {
  const [live, setLive] = useState<LiveView>(EMPTY_LIVE_VIEW);
  const [shownMove, setShownMove] = useState<ShownMove | null>(null);
  const [delayEstimate, setDelayEstimate] = useState<CameraDelayEstimate | null>(null);
  // A ref, so that the handler (made once per drawFrame) reads the texts as they load.
  const warningTexts = useRef<Readonly<Record<string, string>> | null>(null);
  warningTexts.current = warnings;

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

  useEffect(() => {
    if (!shownMove) return;
    const timer = window.setTimeout(() => setShownMove(null), fadesInMs(shownMove, performance.now()));
    return () => window.clearTimeout(timer);
  }, [shownMove]);

  return { live, shownMove, delayEstimate, practiceSocket };
}
