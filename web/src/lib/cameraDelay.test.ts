import { describe, expect, it } from "vitest";
import {
  type CameraDelayEstimate,
  type KeyValueStore,
  acceptedDelay,
  appliedDelayText,
  cameraDelayFact,
  delayOffer,
  saveDelay,
  savedDelay,
} from "./cameraDelay";

const estimate = (delay_s: number | null, noticeable: boolean): CameraDelayEstimate => ({
  type: "camera_delay",
  delay_s,
  frames: 60,
  noticeable,
});

describe("camera delay offer", () => {
  it("asks in plain words when the delay would read as lateness", () => {
    expect(delayOffer(estimate(0.23, true), 1)).toBe("Your camera runs about 0.2 s behind. Compensate?");
    expect(delayOffer(estimate(-0.16, true), 1)).toBe("Your camera runs about 0.2 s ahead. Compensate?");
  });

  it("speaks in the learner's seconds at slower speeds", () => {
    // 0.1 s of dance time at 0.5x is 0.2 s of hers.
    expect(delayOffer(estimate(0.1, true), 0.5)).toBe("Your camera runs about 0.2 s behind. Compensate?");
    expect(appliedDelayText(0.1, 0.5)).toBe("Camera delay of 0.20 s taken out of your timing");
  });

  it("offers nothing when the server could not tell or the delay is too small to matter", () => {
    expect(delayOffer(estimate(null, false), 1)).toBeNull();
    expect(delayOffer(estimate(0.04, false), 1)).toBeNull();
  });
});

describe("the delay applied", () => {
  it("adds what is left over to what is already taken out, within the server's bound", () => {
    expect(acceptedDelay(0, 0.27, 0.5)).toBe(0.27);
    expect(acceptedDelay(0.27, 0.1, 0.5)).toBe(0.37);
    expect(acceptedDelay(0.4, 0.3, 0.5)).toBe(0.5);
    expect(acceptedDelay(0.1, -0.7, 0.5)).toBe(-0.5);
    expect(acceptedDelay(0.4, 0.3, null)).toBe(0.7);
  });

  it("is kept for the next sessions in this browser", () => {
    const values = new Map<string, string>();
    const store: KeyValueStore = { getItem: (k) => values.get(k) ?? null, setItem: (k, v) => void values.set(k, v) };
    expect(savedDelay(store)).toBe(0);
    saveDelay(store, 0.27);
    expect(savedDelay(store)).toBe(0.27);
    values.set("dancecoach.cameraDelayS", "nonsense");
    expect(savedDelay(store)).toBe(0);
    expect(savedDelay(null)).toBe(0);
  });

  it("says whether it applies now or from the next run", () => {
    expect(appliedDelayText(0.27, 1)).toBe("Camera delay of 0.27 s taken out of your timing");
    expect(appliedDelayText(0.27, 1, true)).toBe("Camera delay of 0.27 s will be taken out from your next run");
  });
});

describe("the review's camera delay line", () => {
  it("says the delay was taken out when it was applied", () => {
    expect(cameraDelayFact(0.25, true, 10)).toBe("0.25 s behind, taken out: the timing above is yours alone");
  });

  it("separates the learner's own timing from the camera's when it was not", () => {
    expect(cameraDelayFact(0.25, false, 280)).toBe("about 0.25 s behind, still in the timing above; without it you were about 30 ms late");
    expect(cameraDelayFact(0.2, false, 150)).toMatch(/about 50 ms early$/);
  });

  it("says nothing without an estimate", () => {
    expect(cameraDelayFact(null, false, 200)).toBeNull();
    expect(cameraDelayFact(undefined, false, 200)).toBeNull();
  });
});
