import { describe, expect, it } from "vitest";
import {
  IN_FLIGHT_EXPIRY_MS,
  MAX_IN_FLIGHT,
  PracticeSocket,
  type SocketEnvironment,
  type SocketStatus,
  type WebSocketLike,
  backoffDelay,
  finalCloseCodes,
  socketUrl,
} from "./practiceSocket";
import { binaryFrame } from "./framePump";

// As GET /api/protocol lists them (a part).
const PROTOCOL_CLOSE_CODES = [
  { code: 4409, meaning: "The practice session is finalized; create a new one.", final: true },
  { code: 1001, meaning: "The server is shutting down; reconnect later.", final: false },
];

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: (string | ArrayBuffer)[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string | ArrayBuffer): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: "" });
  }
  reply(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
}

function harness() {
  const clock = { now: 0 };
  const sockets: FakeSocket[] = [];
  const timers: { callback: () => void; delay: number }[] = [];
  const statuses: SocketStatus[] = [];
  const messages: Record<string, unknown>[] = [];
  const environment: SocketEnvironment = {
    create: () => {
      const socket = new FakeSocket();
      sockets.push(socket);
      return socket;
    },
    schedule: (callback, delay) => timers.push({ callback, delay }),
    cancel: () => undefined,
    now: () => clock.now,
  };
  const details: (string | undefined)[] = [];
  const socket = new PracticeSocket(
    "ws://x/ws/s1",
    environment,
    {
      onStatus: (status, detail) => {
        statuses.push(status);
        details.push(detail);
      },
      onMessage: (message) => messages.push(message),
    },
    finalCloseCodes(PROTOCOL_CLOSE_CODES),
  );
  return { socket, sockets, timers, statuses, details, messages, clock };
}

describe("PracticeSocket", () => {
  it("sends frames only when open and never more than the in-flight window", () => {
    const { socket, sockets } = harness();
    socket.connect();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer;
    expect(socket.sendFrame(binaryFrame(1, jpeg))).toBe(false);
    sockets[0].open();
    for (let i = 0; i < MAX_IN_FLIGHT; i++) expect(socket.sendFrame(binaryFrame(i, jpeg))).toBe(true);
    expect(socket.sendFrame(binaryFrame(9, jpeg))).toBe(false);
    sockets[0].reply({ type: "frame_result", accuracy: 0.5 });
    expect(socket.sendFrame(binaryFrame(10, jpeg))).toBe(true);
    // Frames go as binary messages (no base64 JSON): the dance time, then the JPEG.
    const first = sockets[0].sent[0];
    expect(first).toBeInstanceOf(ArrayBuffer);
    expect(new DataView(first as ArrayBuffer).getFloat64(0, true)).toBe(0);
  });

  it("does not stall on frames the server never answers (dropped for a newer one)", () => {
    const { socket, sockets, clock } = harness();
    socket.connect();
    sockets[0].open();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]).buffer;
    expect(socket.sendFrame(binaryFrame(1, jpeg))).toBe(true);
    expect(socket.sendFrame(binaryFrame(2, jpeg))).toBe(true);
    expect(socket.canSend()).toBe(false);
    clock.now += IN_FLIGHT_EXPIRY_MS - 1;
    expect(socket.canSend()).toBe(false);
    clock.now += 1;
    expect(socket.inFlight).toBe(0);
    expect(socket.sendFrame(binaryFrame(3, jpeg))).toBe(true);
  });

  it("reconnects to the same session with growing delays after a drop", () => {
    const { socket, sockets, timers, statuses } = harness();
    socket.connect();
    sockets[0].open();
    sockets[0].drop();
    expect(statuses.at(-1)).toBe("reconnecting");
    expect(timers[0].delay).toBe(500);
    timers[0].callback();
    expect(sockets).toHaveLength(2);
    sockets[1].drop();
    expect(timers[1].delay).toBe(1000);
    timers[1].callback();
    sockets[2].open();
    expect(socket.status).toBe("open");
  });

  it("stops for good on a close code the server marks final, saying why in its words", () => {
    const { socket, sockets, timers, statuses, details } = harness();
    socket.connect();
    sockets[0].open();
    sockets[0].drop(4409);
    expect(statuses.at(-1)).toBe("closed");
    expect(details.at(-1)).toBe("The practice session is finalized; create a new one.");
    expect(timers).toHaveLength(0);
  });

  it("reconnects after a close code that is not final (the server going away)", () => {
    const { socket, sockets, statuses } = harness();
    socket.connect();
    sockets[0].open();
    sockets[0].drop(1001);
    expect(statuses.at(-1)).toBe("reconnecting");
  });

  it("does not reconnect after the learner closes it", () => {
    const { socket, sockets, timers } = harness();
    socket.connect();
    sockets[0].open();
    socket.close();
    sockets[0].drop();
    expect(timers).toHaveLength(0);
    expect(socket.status).toBe("closed");
  });
});

describe("helpers", () => {
  it("caps the backoff", () => {
    expect(backoffDelay(0)).toBe(500);
    expect(backoffDelay(10)).toBe(8000);
  });
  it("builds the WebSocket URL from the page location", () => {
    expect(socketUrl("ab", { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws/ab");
    expect(socketUrl("ab", { protocol: "https:", host: "x" })).toBe("wss://x/ws/ab");
  });
});
