// The live score shown while dancing: smoothed so it is readable, unchanged by frames without
// a person (they carry no accuracy), and cues held long enough to read.

export const SCORE_SMOOTHING = 0.25;
export const CUE_HOLD_MS = 2500;

export function smoothScore(previous: number | null, accuracy: number | null | undefined): number | null {
  if (accuracy === null || accuracy === undefined || Number.isNaN(accuracy)) return previous;
  if (previous === null) return accuracy;
  return previous + SCORE_SMOOTHING * (accuracy - previous);
}

export interface Cue {
  message: string;
  severity: string;
  shownAt: number;
}

/** The cue to show now: a new one replaces the old; an old one fades after CUE_HOLD_MS. */
export function currentCue(previous: Cue | null, incoming: { message: string; severity: string }[], now: number): Cue | null {
  if (incoming.length > 0) return { message: incoming[0].message, severity: incoming[0].severity, shownAt: now };
  if (previous && now - previous.shownAt < CUE_HOLD_MS) return previous;
  return null;
}

/** The words for a live frame's warning code: the server's (GET /api/protocol `warnings`),
 *  or the code made readable while those have not loaded. */
export function warningText(warning: string | null | undefined, texts: Readonly<Record<string, string>> | null = null): string | null {
  if (!warning) return null;
  return texts?.[warning] ?? warning.replace(/_/g, " ");
}
