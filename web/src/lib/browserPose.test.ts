import { describe, expect, it } from "vitest";
import { DANCED_MEMORY_MS, dancingFps, dancingMemory, decidePoseMode, probeFps, rememberedDancingFps } from "./browserPose";

const ready = (fps: number) => ({ kind: "ready" as const, fps, delegate: "CPU" as const });

describe("decidePoseMode", () => {
  it("auto picks the browser when the probe reaches the minimum rate", () => {
    expect(decidePoseMode("auto", "auto", ready(24), 10).mode).toBe("browser");
    expect(decidePoseMode("auto", "auto", ready(10), 10).mode).toBe("browser");
  });

  it("auto falls back to the server when the model is slow or fails, and says why", () => {
    const slow = decidePoseMode("auto", "auto", ready(6), 10);
    expect(slow.mode).toBe("server");
    expect(slow.reason).toContain("6 FPS");
    const failed = decidePoseMode("auto", "auto", { kind: "failed", reason: "no WebAssembly" }, 10);
    expect(failed).toEqual({ mode: "server", reason: expect.stringContaining("no WebAssembly") });
  });

  it("does not keep the learner waiting on the probe in auto: the server until it ends", () => {
    const probing = decidePoseMode("auto", "auto", { kind: "loading" }, 10);
    expect(probing.mode).toBe("server");
    expect(probing.reason).toContain("Trying the pose model");
  });

  it("waits for the model when the browser was chosen or is the only offer", () => {
    expect(decidePoseMode("auto", "browser", { kind: "loading" }, 10).mode).toBe("pending");
    expect(decidePoseMode("browser", "auto", { kind: "idle" }, 10).mode).toBe("pending");
  });

  it("follows the learner's choice, however fast the model", () => {
    expect(decidePoseMode("auto", "server", ready(60), 10).mode).toBe("server");
    expect(decidePoseMode("auto", "browser", ready(4), 10).mode).toBe("browser");
  });

  it("the server's offer wins over the learner's choice", () => {
    expect(decidePoseMode("server", "browser", ready(60), 10).mode).toBe("server");
    expect(decidePoseMode("browser", "server", ready(60), 10).mode).toBe("browser");
    expect(decidePoseMode("browser", "auto", { kind: "failed", reason: "x" }, 10).mode).toBe("unavailable");
  });
});

describe("the model's rate while dancing", () => {
  it("auto sends the next session to the server when the model last ran under the rate while dancing", () => {
    const slow = decidePoseMode("auto", "auto", ready(15), 10, 6.4);
    expect(slow.mode).toBe("server");
    expect(slow.reason).toContain("while you last danced");
    expect(slow.reason).toContain("6 FPS");
    expect(decidePoseMode("auto", "auto", ready(15), 10, null).mode).toBe("browser");
    expect(decidePoseMode("auto", "auto", ready(15), 10, 12).mode).toBe("browser");
  });

  it("never overrides the learner's choice or the server's offer", () => {
    expect(decidePoseMode("auto", "browser", ready(15), 10, 3).mode).toBe("browser");
    expect(decidePoseMode("browser", "auto", ready(15), 10, 3).mode).toBe("browser");
  });

  it("is the probe's measure over the run's model calls, once there are enough of them", () => {
    expect(dancingFps([60, 70, 80, 90, 100, 110, 120, 130, 140])).toBe(10);
    expect(dancingFps([150, 160, 170, 180, 190, 200, 210])).toBeNull();
  });

  it("is remembered only when slow, and only for a day", () => {
    const now = 1_000_000_000;
    expect(dancingMemory(12, 10, now)).toBeNull();
    const kept = dancingMemory(6, 10, now);
    expect(rememberedDancingFps(kept, now + 60_000)).toBe(6);
    expect(rememberedDancingFps(kept, now + DANCED_MEMORY_MS)).toBeNull();
    expect(rememberedDancingFps(kept, now - 1)).toBeNull();
    expect(rememberedDancingFps(null, now)).toBeNull();
    expect(rememberedDancingFps("not json", now)).toBeNull();
    expect(rememberedDancingFps('{"fps": "6", "at": 1}', now)).toBeNull();
  });
});

describe("probeFps", () => {
  it("is 1000 over the median call after the warm-up calls", () => {
    expect(probeFps([900, 300, 50, 40, 60])).toBe(20);
  });
  it("is 0 without timed calls", () => {
    expect(probeFps([500])).toBe(0);
  });
});
