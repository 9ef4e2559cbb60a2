// Drawing the learner's skeleton (and the reference "ghost") onto a canvas over the webcam.
import { SKELETON_BONES } from "./bones.generated";
import { type Landmark, containRect, isVisible, limbColour, toCanvas } from "./drawing";
import type { GradeBand } from "./grades";

export interface OverlayFrame {
  pose: Landmark[] | null;
  ghost: Landmark[] | null;
  partScores: Record<string, number>;
}

export interface DrawOptions {
  mirrored: boolean;
  /** The server's grade bands (GET /api/protocol) that colour the limbs; null until loaded. */
  gradeBands: readonly GradeBand[] | null;
  showGhost: boolean;
  videoWidth: number;
  videoHeight: number;
}

export function drawOverlay(context: CanvasRenderingContext2D, frame: OverlayFrame, options: DrawOptions): number {
  const { width, height } = context.canvas;
  context.clearRect(0, 0, width, height);
  const rect = containRect(options.videoWidth, options.videoHeight, width, height);
  let bonesDrawn = 0;
  const lineWidth = Math.max(3, width / 160);
  if (options.showGhost && frame.ghost) {
    context.setLineDash([lineWidth * 2, lineWidth * 1.5]);
    bonesDrawn += drawBones(context, frame.ghost, rect, options.mirrored, () => "rgba(125, 211, 252, 0.9)", lineWidth);
    context.setLineDash([]);
  }
  if (frame.pose) {
    bonesDrawn += drawBones(context, frame.pose, rect, options.mirrored, (group) => limbColour(frame.partScores[group], options.gradeBands), lineWidth * 1.4);
    context.fillStyle = "#ffffff";
    for (const landmark of frame.pose) {
      if (!isVisible(landmark)) continue;
      const point = toCanvas(landmark, rect, options.mirrored);
      context.beginPath();
      context.arc(point.x, point.y, lineWidth, 0, Math.PI * 2);
      context.fill();
    }
  }
  return bonesDrawn;
}

function drawBones(
  context: CanvasRenderingContext2D,
  landmarks: (Landmark | null)[],
  rect: ReturnType<typeof containRect>,
  mirrored: boolean,
  colour: (group: string) => string,
  lineWidth: number,
): number {
  let drawn = 0;
  context.lineCap = "round";
  context.lineWidth = lineWidth;
  for (const [a, b, group] of SKELETON_BONES) {
    const from = landmarks[a] ?? undefined;
    const to = landmarks[b] ?? undefined;
    if (!isVisible(from) || !isVisible(to)) continue;
    const p = toCanvas(from, rect, mirrored);
    const q = toCanvas(to, rect, mirrored);
    context.strokeStyle = colour(group);
    context.beginPath();
    context.moveTo(p.x, p.y);
    context.lineTo(q.x, q.y);
    context.stroke();
    drawn += 1;
  }
  return drawn;
}
