// Counts in sync with the reference: which count (1-8) and which eight is sounding at a
// reference time, and when the metronome's next clicks fall. Times are reference seconds (the
// video's own clock, whatever the playback rate); delays are wall-clock seconds.

export interface Beat {
  time_s: number;
  count: number;
  eight: number;
}

export interface CountNow {
  count: number;
  eight: number;
  /** 0..1 through the current beat, for a pulse. */
  phase: number;
}

/** Index of the last beat at or before timeS (binary search), -1 before the first. */
export function beatIndexAt(beats: readonly Beat[], timeS: number): number {
  let low = 0;
  let high = beats.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (beats[middle].time_s <= timeS + 1e-6) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found;
}

/** The count sounding at timeS; null before the first beat or a beat after the last. */
export function countAt(beats: readonly Beat[], timeS: number): CountNow | null {
  const index = beatIndexAt(beats, timeS);
  if (index < 0) return null;
  const beat = beats[index];
  const next = beats[index + 1];
  const period = next ? next.time_s - beat.time_s : index > 0 ? beat.time_s - beats[index - 1].time_s : 0.5;
  if (!next && timeS > beat.time_s + period) return null;
  return { count: beat.count, eight: beat.eight, phase: Math.min(1, Math.max(0, (timeS - beat.time_s) / period)) };
}

/** "3rd eight" style label; the pickup before the first count 1 is "pickup". */
export function eightLabel(eight: number): string {
  if (eight <= 0) return "pickup";
  const tens = eight % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : ({ 1: "st", 2: "nd", 3: "rd" } as Record<number, string>)[eight % 10] ?? "th";
  return `${eight}${suffix} eight`;
}

export interface Click {
  /** Index of the beat in the beat list. */
  beat: number;
  /** Wall-clock seconds from now until it sounds. */
  delayS: number;
  /** Count 1 gets a higher click. */
  accent: boolean;
}

/**
 * The metronome clicks to schedule now: beats after `afterBeat` that sound within the next
 * `lookaheadS` wall-clock seconds, given the video at `currentS` playing at `rate` (0.5x: a
 * beat one reference second ahead is two wall seconds away).
 */
export function clicksDue(
  beats: readonly Beat[],
  currentS: number,
  rate: number,
  lookaheadS: number,
  afterBeat: number,
): Click[] {
  const clicks: Click[] = [];
  if (rate <= 0) return clicks;
  for (let i = Math.max(afterBeat + 1, 0); i < beats.length; i++) {
    const delayS = (beats[i].time_s - currentS) / rate;
    if (delayS > lookaheadS) break;
    if (delayS >= -0.02) clicks.push({ beat: i, delayS: Math.max(0, delayS), accent: beats[i].count === 1 });
  }
  return clicks;
}
