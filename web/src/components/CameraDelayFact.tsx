// The review's "your camera's delay" fact, beside "Timing" (one line in ReportView).
import type { components } from "../api/schema";
import { cameraDelayFact } from "../lib/cameraDelay";

type Analytics = components["schemas"]["AnalyticsPublic"];

export function CameraDelayFact({ analytics }: { analytics: Analytics | null }) {
  const text = analytics ? cameraDelayFact(analytics.camera_delay_s, analytics.camera_delay_applied, analytics.lag_ms) : null;
  if (text === null) return null;
  return (
    <div data-testid="camera-delay">
      <dt>Your camera's delay</dt>
      <dd>{text}</dd>
    </div>
  );
}
