// Thin React hooks over lib/beatCount: the count sounding in the reference video, and an
// optional metronome click (Web Audio) on every beat, in step at every playback rate.
import { type RefObject, useEffect, useState } from "react";
import { type Beat, type CountNow, beatIndexAt, clicksDue, countAt } from "../lib/beatCount";

/** The count (1-8) and eight at the video's current time, updated every animation frame. */
export function useBeatCount(video: RefObject<HTMLVideoElement | null>, beats: readonly Beat[]): CountNow | null {
  const [now, setNow] = useState<CountNow | null>(null);
  useEffect(() => {
    if (beats.length === 0) {
      setNow(null);
      return;
    }
    let frame = 0;
    let shown = "";
    const tick = () => {
      const element = video.current;
      const current = element ? countAt(beats, element.currentTime) : null;
      const key = current ? `${current.eight}:${current.count}` : "";
      if (key !== shown) {
        shown = key;
        setNow(current);
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(frame);
  }, [video, beats]);
  return now;
}

const SCHEDULE_EVERY_MS = 25;
const LOOKAHEAD_S = 0.12;
const CLICK_S = 0.03;

/** Click on every beat while the video plays (a higher click on count 1) when enabled. */
export function useMetronome(video: RefObject<HTMLVideoElement | null>, beats: readonly Beat[], enabled: boolean): void {
  useEffect(() => {
    if (!enabled || beats.length === 0 || typeof AudioContext === "undefined") return;
    const audio = new AudioContext();
    let scheduled = -1;
    let lastTime = 0;
    const timer = window.setInterval(() => {
      const element = video.current;
      if (!element) return;
      const current = element.currentTime;
      // Paused, or jumped back (a section loop): start again from the beat now sounding.
      if (element.paused || current < lastTime - 0.05) scheduled = beatIndexAt(beats, current);
      lastTime = current;
      if (element.paused) return;
      if (audio.state === "suspended") void audio.resume();
      for (const click of clicksDue(beats, current, element.playbackRate, LOOKAHEAD_S, scheduled)) {
        const at = audio.currentTime + click.delayS;
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.frequency.value = click.accent ? 1600 : 1000;
        gain.gain.setValueAtTime(0.4, at);
        gain.gain.exponentialRampToValueAtTime(0.001, at + CLICK_S);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(at);
        oscillator.stop(at + CLICK_S);
        scheduled = click.beat;
      }
    }, SCHEDULE_EVERY_MS);
    return () => {
      window.clearInterval(timer);
      void audio.close();
    };
  }, [video, beats, enabled]);
}
