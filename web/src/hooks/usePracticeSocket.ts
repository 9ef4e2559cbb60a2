// The practice WebSocket (lib/practiceSocket) for a React page: its status for display, and
// the socket itself for sending. Closed when the page goes away.
import { useCallback, useEffect, useRef, useState } from "react";
import { PracticeSocket, type SocketStatus, browserEnvironment, socketUrl } from "../lib/practiceSocket";

export interface PracticeSocketView {
  status: SocketStatus;
  detail: string | null;
  /** The connected socket (null before connect). A ref: reading it never re-renders. */
  socket: { readonly current: PracticeSocket | null };
  /** finalCodes: close codes after which reconnecting cannot help (lib/practiceSocket.finalCloseCodes);
   * pose "browser": a stream that sends landmarks only (the server refuses its image frames). */
  connect(sessionId: string, finalCodes: ReadonlyMap<number, string>, pose?: "browser" | "server"): void;
  close(): void;
}

export function usePracticeSocket(onMessage: (message: Record<string, unknown>) => void): PracticeSocketView {
  const [status, setStatus] = useState<SocketStatus>("idle");
  const [detail, setDetail] = useState<string | null>(null);
  const socket = useRef<PracticeSocket | null>(null);
  // The latest handler, so that a socket made once always calls the page's current one.
  const handler = useRef(onMessage);
  handler.current = onMessage;

  const connect = useCallback(
    (sessionId: string, finalCodes: ReadonlyMap<number, string>, pose: "browser" | "server" = "server") => {
    socket.current?.close();
    const url = socketUrl(sessionId, window.location) + (pose === "browser" ? "?pose=browser" : "");
    const live = new PracticeSocket(url, browserEnvironment(), {
      onStatus: (s, d) => {
        setStatus(s);
        setDetail(d ?? null);
      },
      onMessage: (message) => handler.current(message),
    }, finalCodes);
    socket.current = live;
    live.connect();
  },
  []);
  const close = useCallback(() => socket.current?.close(), []);
  useEffect(() => () => socket.current?.close(), []);

  return { status, detail, socket, connect, close };
}
