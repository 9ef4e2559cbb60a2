// The camera's delay: the server's estimate offered to the learner, the delay accepted (kept in
// this browser for later sessions), and the stream told of it. The server applies the delay to
// every frame's dance time (see README) from the start of a run (a connection, Start, a loop),
// never halfway through one, so one run is never half shifted.
import { useCallback, useEffect, useRef, useState } from "react";
import type { PracticeSocketView } from "../../hooks/usePracticeSocket";
import { type CameraDelayEstimate, acceptedDelay, delayOffer, saveDelay, savedDelay } from "../../lib/cameraDelay";

export interface CameraDelay {
  /** The offer's text while the learner has not answered it, else null. */
  offer: string | null;
  /** The delay accepted, in seconds (0: none). */
  appliedDelay: number;
  /** Whether the accepted delay waits for the next run (the stream still applies another). */
  waitsForNextRun: boolean;
  /** Tell the stream the accepted delay, if it applies another; call as a run starts. */
  syncDelay(): void;
  accept(estimateS: number): void;
  decline(): void;
  stopCompensating(): void;
}

export function useCameraDelay(
  estimate: CameraDelayEstimate | null,
  rate: number,
  maxDelayS: number | null,
  practiceSocket: PracticeSocketView,
  announce: (text: string) => void,
): CameraDelay {
  const [answered, setAnswered] = useState(false);
  const [appliedDelay, setAppliedDelay] = useState(() => savedDelay(browserStorage()));
  const delayRef = useRef(appliedDelay);
  delayRef.current = appliedDelay;
  const streamDelay = useRef(0); // what the connected stream applies now
  const socket = practiceSocket.socket;

  const syncDelay = useCallback(() => {
    if (delayRef.current === streamDelay.current || socket.current?.status !== "open") return;
    socket.current.sendControl({ type: "camera_delay", delay_s: delayRef.current });
    streamDelay.current = delayRef.current;
  }, [socket]);
  useEffect(() => {
    if (practiceSocket.status !== "open") return;
    streamDelay.current = 0; // a new stream starts unshifted
    syncDelay();
  }, [practiceSocket.status, syncDelay]);

  function accept(estimateS: number) {
    const next = acceptedDelay(appliedDelay, estimateS, maxDelayS);
    saveDelay(browserStorage(), next);
    setAppliedDelay(next);
    setAnswered(true);
  }
  function stopCompensating() {
    saveDelay(browserStorage(), 0);
    setAppliedDelay(0);
  }
  const offer = estimate && !answered ? delayOffer(estimate, rate) : null;
  useEffect(() => {
    if (offer) announce(offer);
    // announce is a state setter (stable): only a new offer is announced.
  }, [offer]);

  return {
    offer,
    appliedDelay,
    waitsForNextRun: appliedDelay !== streamDelay.current,
    syncDelay,
    accept,
    decline: () => setAnswered(true),
    stopCompensating,
  };
}

function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: the delay then lasts as long as the page
  }
}
