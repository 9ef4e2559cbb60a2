import { describe, expect, it } from "vitest";
import { FRAME_INTERVAL_MS, FramePump, type PumpClock, binaryFrame } from "./framePump";

/** A manual clock: time moves only when the test says, and work done in a tick costs time. */
class FakeClock implements PumpClock {
  time = 0;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private ids = 0;
  now(): number {
    return this.time;
  }
  schedule(callback: () => void, delayMs: number): unknown {
    this.ids += 1;
    this.timers.push({ at: this.time + Math.max(0, delayMs), callback, id: this.ids });
    return this.ids;
  }
  cancel(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  runUntil(end: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const first = this.timers[0];
      if (!first || first.at > end) break;
      this.timers.shift();
      this.time = Math.max(this.time, first.at);
      first.callback();
    }
    this.time = end;
  }
}

describe("FramePump", () => {
  it("ticks ten times a second however long each tick and its reply take", () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    const pump = new FramePump(() => {
      ticks.push(clock.time);
      clock.time += 35; // encoding the frame and re-rendering on its reply
    }, clock);
    pump.start();
    clock.runUntil(10_000);
    expect(ticks.length).toBeGreaterThanOrEqual(99);
    expect(ticks.length).toBeLessThanOrEqual(100);
    const gaps = ticks.slice(1).map((t, i) => t - ticks[i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(FRAME_INTERVAL_MS);
  });

  it("skips ticks the main thread was too busy for instead of bursting", () => {
    const clock = new FakeClock();
    const ticks: number[] = [];
    let stall = true;
    const pump = new FramePump(() => {
      ticks.push(clock.time);
      if (stall) clock.time += 450; // one long stall
      stall = false;
    }, clock);
    pump.start();
    clock.runUntil(1_000);
    // The first tick (at 100 ms) stalls until 550 ms: the tick due at 200 runs late, once, and
    // then the original rhythm resumes; the ticks missed in between are not sent in a burst.
    expect(ticks).toEqual([100, 550, 600, 700, 800, 900, 1000]);
  });

  it("stops ticking when stopped", () => {
    const clock = new FakeClock();
    let count = 0;
    const pump = new FramePump(() => (count += 1), clock);
    pump.start();
    clock.runUntil(500);
    pump.stop();
    const stoppedAt = count;
    clock.runUntil(2_000);
    expect(count).toBe(stoppedAt);
  });
});

describe("binaryFrame", () => {
  it("puts the dance time first as a little-endian float64, then the JPEG bytes", () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer;
    const frame = new DataView(binaryFrame(12.456, jpeg));
    expect(frame.byteLength).toBe(12);
    expect(frame.getFloat64(0, true)).toBe(12.456);
    expect([frame.getUint8(8), frame.getUint8(11)]).toEqual([0xff, 0xd9]);
  });
});
