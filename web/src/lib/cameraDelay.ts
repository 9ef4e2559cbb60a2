// The camera's delay, as the server estimates it over the first eight (a `camera_delay`
// message): offered to the learner in words, applied by the server when she accepts.
import type { components } from "../api/schema";

export type CameraDelayEstimate = components["schemas"]["CameraDelayEstimate"];

/** The offer's question, or null when there is nothing worth offering (no estimate, or one
 *  within the on-time threshold: the server says which). Seconds of the learner's own time:
 *  dance time runs at the playback rate. */
export function delayOffer(estimate: CameraDelayEstimate, playbackRate: number): string | null {
  if (estimate.delay_s === null || !estimate.noticeable) return null;
  const seconds = Math.abs(estimate.delay_s) / playbackRate;
  const about = seconds < 0.1 ? seconds.toFixed(2) : seconds.toFixed(1);
  const way = estimate.delay_s > 0 ? "behind" : "ahead";
  return `Your camera runs about ${about} s ${way}. Compensate?`;
}

/** Words for the delay taken out (the status line): now, or from the next run. */
export function appliedDelayText(delayS: number, playbackRate: number, fromNextRun = false): string {
  const seconds = (Math.abs(delayS) / playbackRate).toFixed(2);
  return fromNextRun ? `Camera delay of ${seconds} s will be taken out from your next run` : `Camera delay of ${seconds} s taken out of your timing`;
}

// The delay is the camera's, not the session's: kept in this browser for every session.
export const SAVED_DELAY_KEY = "dancecoach.cameraDelayS";

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function savedDelay(store: KeyValueStore | null): number {
  const value = Number(store?.getItem(SAVED_DELAY_KEY) ?? "0");
  return Number.isFinite(value) ? value : 0;
}

export function saveDelay(store: KeyValueStore | null, delayS: number): void {
  store?.setItem(SAVED_DELAY_KEY, String(delayS));
}

/** The delay to apply after accepting an estimate. Frames already shifted by `appliedS` show
 *  what is left over, so the two add up; bounded by the server's largest delay (when known). */
export function acceptedDelay(appliedS: number, estimateS: number, maxS: number | null): number {
  const total = Math.round((appliedS + estimateS) * 100) / 100;
  return maxS === null ? total : Math.max(-maxS, Math.min(maxS, total));
}

/** The review's line on the camera's delay, beside the timing (null when there was none to
 *  tell). lagMs: the report's average timing (positive: late), which includes the camera's
 *  delay unless it was applied. */
export function cameraDelayFact(delayS: number | null | undefined, applied: boolean, lagMs: number): string | null {
  if (delayS === null || delayS === undefined) return null;
  const delay = `${Math.abs(delayS).toFixed(2)} s ${delayS >= 0 ? "behind" : "ahead"}`;
  if (applied) return `${delay}, taken out: the timing above is yours alone`;
  const own = Math.round(lagMs - delayS * 1000);
  const yours = own === 0 ? "right on it" : `about ${Math.abs(own)} ms ${own > 0 ? "late" : "early"}`;
  return `about ${delay}, still in the timing above; without it you were ${yours}`;
}
