// Replays without uploading video: in browser pose mode the page records the webcam itself
// and cuts each problem moment's replay from that recording. A TimeMap ties dance time
// (reference seconds, what reports speak in) to the recording's own time.

export interface RecordingSpan {
  fromS: number;
  toS: number;
}

/** Dance time -> recording time, from the pairs noted as frames were sent. */
export class TimeMap {
  private readonly pairs: { danceS: number; recordingS: number }[] = [];

  add(danceS: number, recordingS: number): void {
    this.pairs.push({ danceS, recordingS });
  }

  get size(): number {
    return this.pairs.length;
  }

  /** Where the recording shows dance time startS..endS: the last pass that danced it (a
   *  section loop dances it again), or null when it was never recorded. */
  span(startS: number, endS: number, padS = 0.25): RecordingSpan | null {
    let best: RecordingSpan | null = null;
    let current: RecordingSpan | null = null;
    let previousDance = -Infinity;
    for (const { danceS, recordingS } of this.pairs) {
      // A jump back in dance time starts a new pass.
      if (danceS < previousDance) current = null;
      previousDance = danceS;
      if (danceS < startS || danceS > endS) {
        current = null;
        continue;
      }
      if (current === null) {
        current = { fromS: recordingS, toS: recordingS };
        best = current;
      } else current.toS = recordingS;
    }
    if (best === null) return null;
    return { fromS: Math.max(0, best.fromS - padS), toS: best.toS + padS };
  }
}

export interface LocalRecording {
  blob: Blob;
  map: TimeMap;
  mimeType: string;
}

// The recordings of this page visit, by session: they never leave the browser unless the
// learner uploads one, and are gone when the tab closes.
export const localRecordings = new Map<string, LocalRecording>();

/** The webcam recorded while dancing, with the clock the TimeMap reads. */
export class WebcamRecorder {
  private readonly recorder: MediaRecorder;
  private readonly chunks: Blob[] = [];
  private startedMs: number | null = null;
  readonly map = new TimeMap();

  constructor(stream: MediaStream) {
    const mimeType = ["video/webm;codecs=vp8", "video/webm", "video/mp4"].find((t) => MediaRecorder.isTypeSupported(t));
    this.recorder = new MediaRecorder(stream, mimeType ? { mimeType, videoBitsPerSecond: 1_000_000 } : undefined);
    this.recorder.ondataavailable = (event) => {
      if (event.data.size > 0) this.chunks.push(event.data);
    };
  }

  /** Start (once); later calls do nothing, so pauses stay in the recording as still time. */
  start(): void {
    if (this.startedMs !== null) return;
    this.recorder.start(1000);
    this.startedMs = performance.now();
  }

  /** Note that the frame of this dance time is being shown now. */
  mark(danceS: number): void {
    if (this.startedMs !== null) this.map.add(danceS, (performance.now() - this.startedMs) / 1000);
  }

  get started(): boolean {
    return this.startedMs !== null;
  }

  stop(): Promise<LocalRecording | null> {
    if (this.startedMs === null || this.recorder.state === "inactive") return Promise.resolve(null);
    return new Promise((resolve) => {
      this.recorder.onstop = () => {
        const mimeType = this.recorder.mimeType || "video/webm";
        resolve({ blob: new Blob(this.chunks, { type: mimeType }), map: this.map, mimeType });
      };
      this.recorder.stop();
    });
  }
}
