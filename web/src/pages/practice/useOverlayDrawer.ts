// Draws one frame's result (the learner's pose coloured by part scores, and the reference's
// ghost) on the canvas over the webcam, with the page's current mirror and ghost settings.
import { type RefObject, useCallback, useRef } from "react";
import type { Protocol } from "../../api/client";
import type { Landmark } from "../../lib/drawing";
import type { FrameResult } from "../../lib/liveView";
import { drawOverlay } from "../../lib/skeleton";

export interface OverlaySettings {
  mirror: boolean;
  showGhost: boolean;
  gradeBands: Protocol["grade_bands"] | null;
}

export function useOverlayDrawer(
  overlay: RefObject<HTMLCanvasElement | null>,
  webcamVideo: RefObject<HTMLVideoElement | null>,
  settings: OverlaySettings,
): (result: FrameResult) => void {
  // Read through a ref so that the socket's one handler always draws with the latest settings.
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  return useCallback((result: FrameResult) => {
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
    // The refs are stable objects: one drawer for the page's whole visit.
  }, []);
}
