// Drawing maths for the skeleton overlay: landmark coordinates to canvas pixels, limb colours.
import { type GradeBand, gradeOf } from "./grades";
import type { Grade } from "./strip";

export interface Point {
  x: number;
  y: number;
}

export interface Landmark {
  x: number;
  y: number;
  z: number;
  visibility: number;
}

/** Where a video of the given size is drawn inside a box with object-fit: contain. */
export function containRect(
  videoWidth: number,
  videoHeight: number,
  boxWidth: number,
  boxHeight: number,
): { left: number; top: number; width: number; height: number } {
  if (videoWidth <= 0 || videoHeight <= 0) return { left: 0, top: 0, width: boxWidth, height: boxHeight };
  const scale = Math.min(boxWidth / videoWidth, boxHeight / videoHeight);
  const width = videoWidth * scale;
  const height = videoHeight * scale;
  return { left: (boxWidth - width) / 2, top: (boxHeight - height) / 2, width, height };
}

/**
 * A landmark in normalized image coordinates of the sent frame -> canvas pixels.
 * mirrored: the picture is shown flipped (selfie view), so x runs the other way.
 */
export function toCanvas(
  landmark: Pick<Landmark, "x" | "y">,
  rect: { left: number; top: number; width: number; height: number },
  mirrored: boolean,
): Point {
  const x = mirrored ? 1 - landmark.x : landmark.x;
  return { x: rect.left + x * rect.width, y: rect.top + landmark.y * rect.height };
}

// A limb's colour by its grade: green when right (Great or better), amber when off (Good or
// OK), red when far off (Miss).
const LIMB_COLOURS: Record<Grade, string> = {
  Perfect: "#22c55e",
  Great: "#22c55e",
  Good: "#f59e0b",
  OK: "#f59e0b",
  Miss: "#ef4444",
};
const UNJUDGED_COLOUR = "rgba(255,255,255,0.85)";

/**
 * Colour for a body-part score 0..1 (the 0-100 score / 100), by its grade in the server's
 * grade bands (GET /api/protocol); white while unjudged or before the bands have loaded.
 */
export function limbColour(score: number | undefined, bands: readonly GradeBand[] | null): string {
  if (score === undefined || Number.isNaN(score) || !bands?.length) return UNJUDGED_COLOUR;
  return LIMB_COLOURS[gradeOf(score * 100, bands)];
}

/** Whether a landmark is trustworthy enough to draw. */
export function isVisible(landmark: Landmark | undefined, threshold = 0.5): landmark is Landmark {
  return !!landmark && landmark.visibility >= threshold && landmark.x > -0.05 && landmark.x < 1.05 &&
    landmark.y > -0.05 && landmark.y < 1.05;
}
