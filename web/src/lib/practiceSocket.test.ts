import { describe, expect, it } from "vitest";
import {
  MAX_IN_FLIGHT,
  PracticeSocket,
  type SocketEnvironment,
  type SocketStatus,
  type WebSocketLike,
  backoffDelay,
  socketUrl,
} from "./practiceSocket";

class FakeSocket implements WebSocketLike {
  readyState = 0;
  sent: string[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string): void {
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
  };
  const socket = new PracticeSocket("ws://x/ws/s1", environment, {
    onStatus: (status) => statuses.push(status),
    onMessage: (message) => messages.push(message),
  });
  return { socket, sockets, timers, statuses, messages };
}

describe("PracticeSocket", () => {
  it("sends frames only when open and never more than the in-flight window", () => {
    const { socket, sockets } = harness();
    socket.connect();
    expect(socket.sendFrame("data:image/jpeg;base64,AA", 1, "s1")).toBe(false);
    sockets[0].open();
    for (let i = 0; i < MAX_IN_FLIGHT; i++) expect(socket.sendFrame("data:x", i, "s1")).toBe(true);
    expect(socket.sendFrame("data:x", 9, "s1")).toBe(false);
    sockets[0].reply({ type: "frame_result", accuracy: 0.5 });
    expect(socket.sendFrame("data:x", 10, "s1")).toBe(true);
    const first = JSON.parse(sockets[0].sent[0]);
    expect(first).toMatchObject({ type: "frame", timestamp: 0, session_id: "s1" });
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

  it("stops for good when the server says the session is finished", () => {
    const { socket, sockets, timers, statuses } = harness();
    socket.connect();
    sockets[0].open();
    sockets[0].drop(4409);
    expect(statuses.at(-1)).toBe("closed");
    expect(timers).toHaveLength(0);
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
