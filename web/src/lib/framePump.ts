// Frames on a steady clock: ticks fall at start + k * interval, whatever each tick costs and
// however often the page re-renders, so the learner is scored at a steady 10 FPS. A tick that
// comes too late (a busy main thread) is skipped, never made up in a burst.

export interface PumpClock {
  now(): number;
  schedule(callback: () => void, delayMs: number): unknown;
  cancel(handle: unknown): void;
}

export const FRAME_INTERVAL_MS = 100; // 10 FPS: what the server's analysis is sized for

export class FramePump {
  private next = 0;
  private handle: unknown = null;
  running = false;

  constructor(
    private readonly tick: () => void,
    private readonly clock: PumpClock,
    private readonly intervalMs: number = FRAME_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.next = this.clock.now();
    this.arm();
  }

  stop(): void {
    this.running = false;
    if (this.handle !== null) this.clock.cancel(this.handle);
    this.handle = null;
  }

  private arm(): void {
    const now = this.clock.now();
    this.next += this.intervalMs;
    if (this.next < now) {
      // Missed ticks are dropped: the next one keeps the original rhythm.
      this.next += Math.ceil((now - this.next) / this.intervalMs) * this.intervalMs;
    }
    this.handle = this.clock.schedule(() => this.fire(), this.next - now);
  }

  private fire(): void {
    this.handle = null;
    if (!this.running) return;
    this.arm(); // before the tick, so a slow tick cannot delay the next one
    this.tick();
  }
}

export function browserClock(): PumpClock {
  return {
    now: () => performance.now(),
    schedule: (callback, delayMs) => window.setTimeout(callback, delayMs),
    cancel: (handle) => window.clearTimeout(handle as number),
  };
}

/** A binary frame: 8 bytes of little-endian float64 dance time (seconds), then the JPEG. */
export function binaryFrame(timestampS: number, jpeg: ArrayBuffer): ArrayBuffer {
  const frame = new Uint8Array(8 + jpeg.byteLength);
  new DataView(frame.buffer).setFloat64(0, timestampS, true);
  frame.set(new Uint8Array(jpeg), 8);
  return frame.buffer;
}
