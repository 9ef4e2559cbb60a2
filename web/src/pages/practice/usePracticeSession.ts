// The server's practice session behind the page: created on the first Start (where the pose
// runs is then fixed for it), its stream connected, each frame sent on it (the picture, or in
// browser mode only the pose), and in browser mode the webcam recorded here, for replays that
// never leave the computer.
import { type MutableRefObject, type RefObject, useRef } from "react";
import { type Protocol, api } from "../../api/client";
import type { BrowserPoseView } from "../../hooks/useBrowserPose";
import type { PracticeSocketView } from "../../hooks/usePracticeSocket";
import type { Webcam } from "../../hooks/useWebcam";
import { binaryFrame } from "../../lib/framePump";
import { binaryLandmarks } from "../../lib/landmarkFrame";
import { WebcamRecorder, localRecordings } from "../../lib/localRecording";
import { finalCloseCodes } from "../../lib/practiceSocket";
import type { PracticeStatus } from "../../lib/practiceTick";

export interface SessionOptions {
  referenceId: string;
  section: { startS: number; endS: number } | null;
  mirror: boolean;
  rate: number;
  protocol: Protocol | null;
  pose: BrowserPoseView;
  webcam: Webcam;
  webcamVideo: RefObject<HTMLVideoElement | null>;
  practiceSocket: PracticeSocketView;
  statusRef: RefObject<PracticeStatus>;
}

export interface PracticeSession {
  /** The session's id once created (a ref: the frame clock reads it between renders). */
  id: MutableRefObject<string | null>;
  /** Where the session's pose runs, fixed when it is created. */
  pose: MutableRefObject<"browser" | "server" | null>;
  /** A session exists: its settings (mirror, speed, pose) can no longer change. */
  locked: boolean;
  ensureSession(): Promise<string>;
  /** Browser mode: start (or resume) recording the webcam. */
  startRecording(): void;
  /** The session is over: keep the recording for its replays, and tell the pose choice how
   *  fast the model ran while the learner danced (browser mode). */
  finish(): Promise<void>;
  /** Send the frame at this dance time (seconds), if the stream can take one. */
  sendFrame(timestamp: number): void;
}

export function usePracticeSession(options: SessionOptions): PracticeSession {
  const { referenceId, section, mirror, rate, protocol, pose, webcam, webcamVideo, practiceSocket, statusRef } = options;
  const sessionId = useRef<string | null>(null);
  const sessionPose = useRef<"browser" | "server" | null>(null);
  const recorder = useRef<WebcamRecorder | null>(null);
  // Browser mode: how long each model call took while dancing (ms).
  const detectMs = useRef<number[]>([]);

  async function ensureSession(): Promise<string> {
    if (sessionId.current) return sessionId.current;
    const mode = pose.decision.mode;
    if (mode !== "browser" && mode !== "server") throw new Error(pose.decision.reason);
    const created = await api.createSession({
      reference_video_id: referenceId,
      section: section ? { start_s: section.startS, end_s: section.endS } : null,
      mirror,
      playback_rate: rate,
      pose: mode,
    });
    sessionId.current = created.session_id;
    // The server's setting may override the request: its URL says what the stream is.
    sessionPose.current = created.websocket_url.includes("pose=browser") ? "browser" : "server";
    practiceSocket.connect(
      created.session_id,
      finalCloseCodes((protocol ?? (await api.protocol())).close_codes),
      sessionPose.current,
    );
    return created.session_id;
  }

  function startRecording() {
    const camera = webcamVideo.current?.srcObject;
    if (sessionPose.current === "browser" && !recorder.current && camera instanceof MediaStream && typeof MediaRecorder !== "undefined") {
      try {
        recorder.current = new WebcamRecorder(camera);
      } catch {
        recorder.current = null; // no recorder in this browser: no replays, dancing goes on
      }
    }
    recorder.current?.start();
  }

  async function finish(): Promise<void> {
    if (detectMs.current.length > 0) pose.noteDancing(detectMs.current);
    detectMs.current = [];
    const id = sessionId.current;
    const recording = await recorder.current?.stop();
    recorder.current = null;
    if (id && recording) localRecordings.set(id, recording);
  }

  function sendFrame(timestamp: number) {
    const stream = practiceSocket.socket.current;
    if (!stream?.canSend()) return;
    if (sessionPose.current === "browser") {
      // Only the pose leaves the computer: 33 landmarks instead of the picture.
      const cam = webcamVideo.current;
      const model = pose.estimator.current;
      if (!cam || !model || cam.videoWidth === 0) return;
      const started = performance.now();
      const points = model.detect(cam);
      detectMs.current.push(performance.now() - started);
      if (stream.sendFrame(binaryLandmarks(timestamp, points, cam.videoWidth, cam.videoHeight))) {
        recorder.current?.mark(timestamp);
      }
      return;
    }
    void webcam.capture().then((jpeg) => {
      if (jpeg && statusRef.current === "dancing") stream.sendFrame(binaryFrame(timestamp, jpeg));
    });
  }

  return {
    id: sessionId,
    pose: sessionPose,
    locked: sessionId.current !== null,
    ensureSession,
    startRecording,
    finish,
    sendFrame,
  };
}
