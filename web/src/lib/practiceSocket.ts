// The practice WebSocket as a small state machine, free of React: connect, pace frames so at
// most a few are in flight, reconnect with backoff after a drop, stop for good on close codes
// that say the session cannot continue.

export type SocketStatus = "idle" | "connecting" | "open" | "reconnecting" | "closed";

export interface WebSocketLike {
  readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string | ArrayBuffer): void;
  close(code?: number): void;
}

export interface SocketEnvironment {
  create(url: string): WebSocketLike;
  schedule(callback: () => void, delayMs: number): unknown;
  cancel(handle: unknown): void;
  /** Milliseconds, for how long a frame has waited for its reply (default Date.now). */
  now?(): number;
}

export interface SocketHandlers {
  onStatus(status: SocketStatus, detail?: string): void;
  onMessage(message: Record<string, unknown>): void;
}

/** Close codes after which reconnecting cannot help, with what to tell the learner: the
 *  server's list (GET /api/protocol `close_codes`, those marked `final`). */
export function finalCloseCodes(codes: readonly { code: number; meaning: string; final: boolean }[]): ReadonlyMap<number, string> {
  return new Map(codes.filter((c) => c.final).map((c) => [c.code, c.meaning]));
}

const OPEN = 1;
export const MAX_IN_FLIGHT = 2;
// A frame unanswered this long no longer counts as in flight: the server answers only the
// newest of frames that arrive while one is analysed (the others are dropped), and skips the
// few right after a camera delay is applied, so some frames never get a reply.
export const IN_FLIGHT_EXPIRY_MS = 1000;
const MAX_BACKOFF_MS = 8000;

/** Reconnection delay: 0.5 s, 1 s, 2 s, ... capped at 8 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(500 * 2 ** attempt, MAX_BACKOFF_MS);
}

export class PracticeSocket {
  status: SocketStatus = "idle";
  /** Send times of the frames not answered yet, oldest first. */
  private pending: number[] = [];
  private socket: WebSocketLike | null = null;
  private attempts = 0;
  private retry: unknown = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly environment: SocketEnvironment,
    private readonly handlers: SocketHandlers,
    private readonly finalCodes: ReadonlyMap<number, string>,
  ) {}

  connect(): void {
    this.stopped = false;
    this.open(this.attempts === 0 ? "connecting" : "reconnecting");
  }

  /** Frames sent and not answered yet (within IN_FLIGHT_EXPIRY_MS). */
  get inFlight(): number {
    const now = this.now();
    this.pending = this.pending.filter((sentAt) => now - sentAt < IN_FLIGHT_EXPIRY_MS);
    return this.pending.length;
  }

  /** Whether a new frame may be sent now (open and not too many unanswered). */
  canSend(): boolean {
    return this.status === "open" && this.inFlight < MAX_IN_FLIGHT;
  }

  /** Send a frame (binaryFrame: dance time, then the JPEG); false when it may not go now. */
  sendFrame(frame: ArrayBuffer): boolean {
    if (!this.canSend() || !this.socket) return false;
    this.socket.send(frame);
    this.pending.push(this.now());
    return true;
  }

  sendControl(message: Record<string, unknown>): void {
    if (this.status === "open" && this.socket) this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.stopped = true;
    if (this.retry !== null) this.environment.cancel(this.retry);
    this.retry = null;
    this.socket?.close(1000);
    this.socket = null;
    this.setStatus("closed");
  }

  private open(status: SocketStatus): void {
    this.setStatus(status);
    const socket = this.environment.create(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.attempts = 0;
      this.pending = [];
      this.setStatus("open");
    };
    socket.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(event.data) as Record<string, unknown>;
      } catch {
        return;
      }
      if (message.type === "frame_result" || message.type === "error") this.pending.shift();
      this.handlers.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      const terminal = this.finalCodes.get(event.code);
      if (terminal) {
        this.stopped = true;
        this.setStatus("closed", terminal);
        return;
      }
      const delay = backoffDelay(this.attempts);
      this.attempts += 1;
      this.setStatus("reconnecting", `Connection lost; retrying in ${Math.round(delay / 100) / 10} s`);
      this.retry = this.environment.schedule(() => {
        this.retry = null;
        if (!this.stopped) this.open("reconnecting");
      }, delay);
    };
    socket.onerror = () => {
      /* onclose follows and decides */
    };
  }

  private setStatus(status: SocketStatus, detail?: string): void {
    this.status = status;
    if (status !== "open") this.pending = [];
    this.handlers.onStatus(status, detail);
  }

  private now(): number {
    return this.environment.now?.() ?? Date.now();
  }

  get isOpen(): boolean {
    return this.socket?.readyState === OPEN && this.status === "open";
  }
}

export function browserEnvironment(): SocketEnvironment {
  return {
    create: (url) => new WebSocket(url) as unknown as WebSocketLike,
    schedule: (callback, delayMs) => window.setTimeout(callback, delayMs),
    cancel: (handle) => window.clearTimeout(handle as number),
    now: () => performance.now(),
  };
}

export function socketUrl(sessionId: string, location: { protocol: string; host: string }): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws/${encodeURIComponent(sessionId)}`;
}
