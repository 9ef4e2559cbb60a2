// The steady frame clock (lib/framePump) for the page's whole visit: created once, it calls the
// latest tick, so re-renders on every reply never touch its rhythm.
import { useEffect, useRef } from "react";
import { FRAME_INTERVAL_MS, FramePump, browserClock } from "../lib/framePump";

export function useFramePump(tick: () => void, intervalMs: number = FRAME_INTERVAL_MS): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    const pump = new FramePump(() => latest.current(), browserClock(), intervalMs);
    pump.start();
    return () => pump.stop();
  }, [intervalMs]);
}
