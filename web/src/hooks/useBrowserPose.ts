// Pose in the browser for the practice page: loads the model the server offers once the webcam
// shows a picture, probes its speed (GPU delegate where there is a real GPU, else CPU) and
// decides, with the learner's choice, where the pose runs (lib/browserPose.decidePoseMode).
import { type RefObject, useEffect, useRef, useState } from "react";
import type { Protocol } from "../api/client";
import {
  type ModelState,
  type PoseChoice,
  type PoseEstimator,
  type PoseMode,
  type PoseOffer,
  dancingFps,
  dancingMemory,
  decidePoseMode,
  loadPoseEstimator,
  probe,
  probeFps,
  rememberedDancingFps,
} from "../lib/browserPose";

const CHOICE_KEY = "dancecoach.pose";
const DANCED_KEY = "dancecoach.poseDancedFps";

export interface BrowserPoseView {
  offer: PoseOffer | null;
  choice: PoseChoice;
  setChoice(choice: PoseChoice): void;
  model: ModelState;
  decision: PoseMode;
  /** The loaded model (a ref: reading it never re-renders). */
  estimator: { readonly current: PoseEstimator | null };
  /** A session in browser mode is over: the model calls' durations while dancing (ms), kept
   *  for auto's next decision when they were too slow. */
  noteDancing(durationsMs: readonly number[]): void;
}

/** Whether WebGL runs on a real GPU (a software renderer makes the GPU delegate slower than CPU). */
function hasRealGpu(): boolean {
  try {
    const gl = document.createElement("canvas").getContext("webgl2");
    if (!gl) return false;
    const info = gl.getExtension("WEBGL_debug_renderer_info");
    const renderer = info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : "";
    return !/swiftshader|llvmpipe|software/i.test(renderer);
  } catch {
    return false;
  }
}

function storedDancedFps(): number | null {
  return rememberedDancingFps(window.localStorage?.getItem(DANCED_KEY) ?? null, Date.now());
}

function storedChoice(): PoseChoice {
  const value = window.localStorage?.getItem(CHOICE_KEY);
  return value === "browser" || value === "server" ? value : "auto";
}

async function loadAndProbe(modelUrl: string, video: HTMLVideoElement, minFps: number): Promise<{ estimator: PoseEstimator; fps: number }> {
  let lastError: unknown = null;
  let best: { estimator: PoseEstimator; fps: number } | null = null;
  for (const delegate of hasRealGpu() ? (["GPU", "CPU"] as const) : (["CPU"] as const)) {
    try {
      const estimator = await loadPoseEstimator(modelUrl, delegate);
      const fps = probeFps(await probe(estimator, video));
      if (best === null || fps > best.fps) {
        best?.estimator.close();
        best = { estimator, fps };
      } else estimator.close();
      if (fps >= minFps) break;
    } catch (error) {
      lastError = error;
    }
  }
  if (best === null) throw lastError ?? new Error("the model did not load");
  return best;
}

export function useBrowserPose(video: RefObject<HTMLVideoElement | null>, protocol: Protocol | null): BrowserPoseView {
  const offer = (protocol?.browser_pose.mode ?? null) as PoseOffer | null;
  const modelUrl = protocol?.browser_pose.model_url ?? null;
  const minFps = protocol?.browser_pose.min_probe_fps ?? 10;
  const [choice, setChoiceState] = useState<PoseChoice>(storedChoice);
  const [dancedFps, setDancedFps] = useState<number | null>(storedDancedFps);
  const [model, setModel] = useState<ModelState>({ kind: "idle" });
  const estimator = useRef<PoseEstimator | null>(null);
  // Loaded once per page: a later change of choice keeps the model (or its failure).
  const tried = useRef(false);
  const wanted = offer !== null && offer !== "server" && (offer === "browser" || choice !== "server");

  useEffect(() => {
    if (!wanted || tried.current) return;
    if (!modelUrl) {
      tried.current = true;
      setModel({ kind: "failed", reason: "the server has no pose model for browsers" });
      return;
    }
    let cancelled = false;
    // The probe needs the webcam's picture: wait for it.
    const wait = window.setInterval(() => {
      const cam = video.current;
      if (!cam || cam.videoWidth === 0 || cancelled) return;
      window.clearInterval(wait);
      tried.current = true;
      setModel({ kind: "loading" });
      loadAndProbe(modelUrl, cam, minFps)
        .then(({ estimator: loaded, fps }) => {
          if (cancelled) {
            // Given up midway (the page changed its mind): the next wish loads it again.
            loaded.close();
            tried.current = false;
            setModel({ kind: "idle" });
            return;
          }
          estimator.current = loaded;
          setModel({ kind: "ready", fps, delegate: loaded.delegate });
        })
        .catch((error: unknown) => {
          if (cancelled) {
            tried.current = false;
            setModel({ kind: "idle" });
          } else setModel({ kind: "failed", reason: error instanceof Error ? error.message : String(error) });
        });
    }, 200);
    return () => {
      cancelled = true;
      window.clearInterval(wait);
    };
  }, [wanted, modelUrl, minFps, video]);

  useEffect(
    () => () => {
      estimator.current?.close();
      estimator.current = null;
    },
    [],
  );

  const setChoice = (next: PoseChoice) => {
    window.localStorage?.setItem(CHOICE_KEY, next);
    setChoiceState(next);
  };
  const noteDancing = (durationsMs: readonly number[]) => {
    const fps = dancingFps(durationsMs);
    if (fps === null) return;
    const memory = dancingMemory(fps, minFps, Date.now());
    if (memory === null) window.localStorage?.removeItem(DANCED_KEY);
    else window.localStorage?.setItem(DANCED_KEY, memory);
    setDancedFps(memory === null ? null : fps);
  };
  const decision: PoseMode = offer === null ? { mode: "pending", reason: "Loading…" } : decidePoseMode(offer, choice, model, minFps, dancedFps);
  return { offer, choice, setChoice, model, decision, estimator, noteDancing };
}
