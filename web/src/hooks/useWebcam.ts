// The webcam for the whole page visit, and the capture of one frame as JPEG bytes.
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";

const FRAME_WIDTH = 640;
const JPEG_QUALITY = 0.7;

export interface Webcam {
  /** Why the camera cannot be used, or null. */
  error: string | null;
  /** The current picture as JPEG bytes, FRAME_WIDTH wide; null when the camera has no picture
   *  yet or the previous capture is still being encoded (a tick is then skipped, not queued). */
  capture(): Promise<ArrayBuffer | null>;
}

export function useWebcam(video: RefObject<HTMLVideoElement | null>): Webcam {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stream: MediaStream | null = null;
    let cancelled = false;
    navigator.mediaDevices
      ?.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false })
      .then((s) => {
        if (cancelled) {
          s.getTracks().forEach((t) => t.stop());
          return;
        }
        stream = s;
        if (video.current) video.current.srcObject = s;
      })
      .catch(() => setError("The webcam is not available: allow camera access in the browser and reload."));
    return () => {
      cancelled = true;
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [video]);

  const canvas = useRef<HTMLCanvasElement | null>(null);
  const encoding = useRef(false);
  const capture = useCallback((): Promise<ArrayBuffer | null> => {
    const cam = video.current;
    if (!cam || cam.videoWidth === 0 || encoding.current) return Promise.resolve(null);
    canvas.current ??= document.createElement("canvas");
    const target = canvas.current;
    target.width = FRAME_WIDTH;
    target.height = Math.round((FRAME_WIDTH * cam.videoHeight) / cam.videoWidth);
    target.getContext("2d")?.drawImage(cam, 0, 0, target.width, target.height);
    encoding.current = true;
    return new Promise((resolve) => {
      target.toBlob(
        (blob) => {
          if (!blob) {
            encoding.current = false;
            resolve(null);
            return;
          }
          void blob.arrayBuffer().then((jpeg) => {
            encoding.current = false;
            resolve(jpeg);
          });
        },
        "image/jpeg",
        JPEG_QUALITY,
      );
    });
  }, [video]);

  return { error, capture };
}
