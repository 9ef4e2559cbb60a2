// A problem moment's replay cut from the page's own webcam recording (browser pose mode): the
// recording plays from the moment's start and stops at its end, and never left the computer.
import { useEffect, useMemo, useRef } from "react";
import type { LocalRecording } from "../lib/localRecording";

interface Props {
  recording: LocalRecording;
  startS: number; // dance time (reference seconds)
  endS: number;
}

export function LocalReplay({ recording, startS, endS }: Props) {
  const url = useMemo(() => URL.createObjectURL(recording.blob), [recording]);
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const span = recording.map.span(startS, endS);
  const video = useRef<HTMLVideoElement>(null);
  if (!span) return <div className="no-clip">Not recorded</div>;
  const toStart = () => {
    if (video.current) video.current.currentTime = span.fromS;
  };
  return (
    <video
      ref={video}
      src={url}
      controls
      muted
      preload="auto"
      data-testid="local-replay"
      data-from={span.fromS.toFixed(2)}
      data-to={span.toS.toFixed(2)}
      onLoadedMetadata={toStart}
      onPlay={() => {
        const cam = video.current;
        if (cam && (cam.currentTime < span.fromS - 0.05 || cam.currentTime >= span.toS)) toStart();
      }}
      onTimeUpdate={() => {
        const cam = video.current;
        if (cam && cam.currentTime >= span.toS) cam.pause();
      }}
    />
  );
}
