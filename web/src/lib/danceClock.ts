// Dance time: the reference video's own clock, in reference seconds, so that pausing,
// slowing down and looping keep the learner's frames in sync with what the server scores.

export interface Section {
  startS: number;
  endS: number;
}


/** Where playback should go next, given the current time and an optional looped section. */
export function nextLoopTime(currentS: number, section: Section | null): number | null {
  if (!section) return null;
  if (currentS >= section.endS || currentS < section.startS - 0.25) return section.startS;
  return null;
}

/** The time to send with a frame: the reference's time, or null while it is not running. */
export function frameTimestamp(video: { currentTime: number; paused: boolean; ended: boolean }): number | null {
  if (video.paused || video.ended) return null;
  return Math.round(video.currentTime * 1000) / 1000;
}

/** m:ss for labels. */
export function formatTime(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** Countdown numbers shown before dancing starts, one per second. */
export function countdownSteps(seconds = 3): number[] {
  return Array.from({ length: seconds }, (_, i) => seconds - i);
}
