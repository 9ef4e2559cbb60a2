// One tick of the practice page's frame clock, decided without the browser: loop back to the
// section's start, end the section (or a Break-It-Down pass), send a frame at the reference's
// dance time, or do nothing (not dancing, video not running).
import { type Section, frameTimestamp, nextLoopTime } from "./danceClock";

export type TickAction =
  | { kind: "idle" }
  | { kind: "seek"; to: number }
  | { kind: "end-pass" }
  | { kind: "finish" }
  | { kind: "send"; timestamp: number };

export interface TickInput {
  dancing: boolean;
  video: { currentTime: number; paused: boolean; ended: boolean };
  section: Section | null;
  loop: boolean;
  /** Break-It-Down: the end of the section ends a pass (scored, then looped or moved on). */
  breakdown: boolean;
}

export function tickAction({ dancing, video, section, loop, breakdown }: TickInput): TickAction {
  if (!dancing) return { kind: "idle" };
  const jump = loop ? nextLoopTime(video.currentTime, section) : null;
  if (jump !== null) return { kind: "seek", to: jump };
  if (section && video.currentTime >= section.endS) return { kind: breakdown ? "end-pass" : "finish" };
  const timestamp = frameTimestamp(video);
  return timestamp === null ? { kind: "idle" } : { kind: "send", timestamp };
}

export type PracticeStatus = "loading" | "ready" | "countdown" | "dancing" | "paused" | "finishing" | "error";

/** What a key press does on the practice page: Space starts, resumes and pauses, except while
 *  typing or when a focused control uses Space itself (buttons, checkboxes, selects). */
export function keyAction(status: PracticeStatus, code: string, targetTag: string | undefined): "start" | "pause" | null {
  if (code !== "Space") return null;
  const tag = (targetTag ?? "").toUpperCase();
  if (tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA" || tag === "BUTTON") return null;
  if (status === "dancing") return "pause";
  if (status === "ready" || status === "paused") return "start";
  return null;
}
