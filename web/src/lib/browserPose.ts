// Pose in the learner's browser: where the pose runs (the server's offer, the learner's choice
// and a short probe of the model decide), and the MediaPipe PoseLandmarker that runs it. The
// model bundle and the WASM files come from dancecoach itself, never from a CDN.
import type { PosePoint } from "./landmarkFrame";

/** What the server offers (DANCECOACH_LIVE_POSE) and what the learner may pick. */
export type PoseOffer = "auto" | "browser" | "server";
export type PoseChoice = "auto" | "browser" | "server";

/** The model's state in this page: not tried yet, loading and probing, or its outcome. */
export type ModelState =
  | { kind: "idle" }
  | { kind: "loading" }
  | { kind: "ready"; fps: number; delegate: "GPU" | "CPU" }
  | { kind: "failed"; reason: string };

export interface PoseMode {
  /** Where frames are analysed; "pending" while a browser-only offer or choice waits for the
   *  model; "unavailable" when only the browser is offered and the model cannot run here. */
  mode: "browser" | "server" | "pending" | "unavailable";
  /** Why, in words for the learner. */
  reason: string;
}

/** Where the pose runs: the server's offer first, then the learner's choice, then the probe,
 *  then how fast the model ran while the learner last danced with it (dancedFps, remembered:
 *  see rememberedDancingFps). The probe runs on a quiet page; dancing adds the reference video,
 *  the overlay and whatever else the computer is doing, and a model that fell under the rate
 *  there sent fewer, later-tracked poses: on a loaded test machine browser passes read 64-76
 *  against 75-77 for the server. */
export function decidePoseMode(offer: PoseOffer, choice: PoseChoice, model: ModelState, minFps: number, dancedFps: number | null = null): PoseMode {
  if (offer === "server") return { mode: "server", reason: "This server finds your pose (frames are sent)." };
  const failed = model.kind === "failed" ? model.reason : null;
  const waiting = model.kind === "idle" || model.kind === "loading";
  if (offer === "browser" || choice === "browser") {
    if (model.kind === "ready") return { mode: "browser", reason: `In this browser (${model.delegate}, ${Math.round(model.fps)} FPS): only your pose leaves this computer.` };
    if (waiting) return { mode: "pending", reason: "Loading the pose model…" };
    if (offer === "browser") return { mode: "unavailable", reason: `The pose model cannot run in this browser: ${failed}` };
    return { mode: "server", reason: `The pose model cannot run in this browser (${failed}); the server finds your pose.` };
  }
  if (choice === "server") return { mode: "server", reason: "On the server, as you chose (frames are sent)." };
  // Never keep a learner waiting on the probe (seconds on a slow laptop): a run started
  // before it ends has the server find the pose.
  if (waiting) return { mode: "server", reason: "Trying the pose model in this browser; a run started now has the server find your pose." };
  if (model.kind === "ready" && model.fps >= minFps && dancedFps !== null && dancedFps < minFps) {
    return { mode: "server", reason: `Auto: while you last danced, this computer ran the model at ${Math.round(dancedFps)} FPS (under ${minFps}), so the server finds your pose.` };
  }
  if (model.kind === "ready" && model.fps >= minFps) {
    return { mode: "browser", reason: `Auto: in this browser (${model.delegate}, ${Math.round(model.fps)} FPS); only your pose leaves this computer.` };
  }
  if (model.kind === "ready") {
    return { mode: "server", reason: `Auto: this computer runs the model at ${Math.round(model.fps)} FPS (under ${minFps}), so the server finds your pose.` };
  }
  return { mode: "server", reason: `Auto: the pose model cannot run in this browser (${failed}); the server finds your pose.` };
}

/** Frames per second of a probe: the median time of the calls after the first `warmup`. */
export function probeFps(durationsMs: readonly number[], warmup = 2): number {
  const timed = durationsMs.slice(warmup).filter((d) => Number.isFinite(d) && d >= 0);
  if (timed.length === 0) return 0;
  const sorted = [...timed].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  return median <= 0 ? Infinity : 1000 / median;
}

/** How long a run that was too slow keeps auto on the server: the next day the browser is
 *  tried again (a busy evening is not the computer); choosing "browser" works at any time. */
export const DANCED_MEMORY_MS = 24 * 60 * 60 * 1000;
/** The fewest model calls of a run that say how fast it ran while dancing (the probe's 8). */
export const MIN_DANCED_CALLS = 8;

/** The model's rate over a run (probeFps of its calls, warm-up included), or null when the run
 *  was too short to tell. */
export function dancingFps(durationsMs: readonly number[]): number | null {
  return durationsMs.length >= MIN_DANCED_CALLS ? probeFps(durationsMs, 0) : null;
}

/** What to remember of a run (stored as text), or null to forget: only a rate under minFps
 *  is worth keeping; a run at the rate clears an older slow one. */
export function dancingMemory(fps: number, minFps: number, nowMs: number): string | null {
  return fps < minFps ? JSON.stringify({ fps, at: nowMs }) : null;
}

/** The slow dancing rate remembered (dancingMemory's text), or null: none, unreadable, or
 *  older than DANCED_MEMORY_MS. */
export function rememberedDancingFps(stored: string | null, nowMs: number): number | null {
  if (!stored) return null;
  try {
    const value: unknown = JSON.parse(stored);
    if (typeof value !== "object" || value === null) return null;
    const { fps, at } = value as { fps?: unknown; at?: unknown };
    if (typeof fps !== "number" || typeof at !== "number" || !Number.isFinite(fps)) return null;
    return nowMs - at >= 0 && nowMs - at < DANCED_MEMORY_MS ? fps : null;
  } catch {
    return null;
  }
}

/** A running pose model: one person, video mode, timestamps strictly increasing. */
export interface PoseEstimator {
  readonly delegate: "GPU" | "CPU";
  /** The 33 landmarks in the video's normalized image coordinates, or null (nobody). */
  detect(video: HTMLVideoElement): PosePoint[] | null;
  close(): void;
}

export async function loadPoseEstimator(modelUrl: string, delegate: "GPU" | "CPU"): Promise<PoseEstimator> {
  // Loaded on demand: the practice page in server mode never downloads it.
  const [{ FilesetResolver, PoseLandmarker }, wasm] = await Promise.all([import("@mediapipe/tasks-vision"), import("./poseWasm")]);
  const simd = await FilesetResolver.isSimdSupported();
  const landmarker = await PoseLandmarker.createFromOptions(simd ? wasm.SIMD : wasm.NO_SIMD, {
    baseOptions: { modelAssetPath: modelUrl, delegate },
    runningMode: "VIDEO",
    numPoses: 1,
    outputSegmentationMasks: false,
  });
  let last = 0;
  return {
    delegate,
    detect(video) {
      // Video mode needs strictly increasing timestamps (milliseconds).
      last = Math.max(last + 1, Math.round(performance.now()));
      const result = landmarker.detectForVideo(video, last);
      const pose = result.landmarks[0];
      return pose && pose.length > 0 ? pose.map((p) => ({ x: p.x, y: p.y, z: p.z, visibility: p.visibility })) : null;
    },
    close: () => landmarker.close(),
  };
}

/** Run the model on the video `frames` times; the durations of each call (ms). */
export async function probe(estimator: PoseEstimator, video: HTMLVideoElement, frames = 8): Promise<number[]> {
  const durations: number[] = [];
  for (let i = 0; i < frames; i += 1) {
    const started = performance.now();
    estimator.detect(video);
    durations.push(performance.now() - started);
    await new Promise((resolve) => window.setTimeout(resolve, 30)); // let the page breathe
  }
  return durations;
}
