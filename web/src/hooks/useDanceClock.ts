// Dance time is the reference video's clock: its playback rate follows the chosen speed, and
// with music the count (1-8 and which eight) and the optional metronome follow it too.
import { type RefObject, useEffect } from "react";
import type { Beat, CountNow } from "../lib/beatCount";
import { useBeatCount, useMetronome } from "./useBeatCount";

export function useDanceClock(
  video: RefObject<HTMLVideoElement | null>,
  rate: number,
  beats: readonly Beat[],
  metronome: boolean,
  /** Anything that may have swapped the video element's state (the page's status). */
  refresh: unknown,
): CountNow | null {
  useEffect(() => {
    if (video.current) video.current.playbackRate = rate;
  }, [video, rate, refresh]);
  useMetronome(video, beats, metronome);
  return useBeatCount(video, beats);
}
