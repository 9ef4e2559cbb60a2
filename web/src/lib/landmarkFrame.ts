// The landmarks message in binary (browser pose mode), as GET /api/protocol describes it:
// float64 LE dance time, the 4 ASCII bytes "POSE" (a JPEG frame has FF D8 there), uint16 LE
// image width and height, then 33 x (x, y, z, visibility) float32 LE, or no points when the
// browser found nobody. 544 bytes a frame instead of a ~30 kB JPEG.

export interface PosePoint {
  x: number;
  y: number;
  z: number;
  visibility?: number;
}

export const POSE_MAGIC = "POSE";
const HEADER_BYTES = 16;

export function binaryLandmarks(
  timestampS: number,
  points: readonly PosePoint[] | null,
  imageWidth: number,
  imageHeight: number,
): ArrayBuffer {
  const count = points?.length ?? 0;
  const buffer = new ArrayBuffer(HEADER_BYTES + count * 16);
  const view = new DataView(buffer);
  view.setFloat64(0, timestampS, true);
  for (let i = 0; i < 4; i += 1) view.setUint8(8 + i, POSE_MAGIC.charCodeAt(i));
  view.setUint16(12, Math.round(imageWidth), true);
  view.setUint16(14, Math.round(imageHeight), true);
  points?.forEach((point, index) => {
    const at = HEADER_BYTES + index * 16;
    view.setFloat32(at, point.x, true);
    view.setFloat32(at + 4, point.y, true);
    view.setFloat32(at + 8, point.z, true);
    // MediaPipe leaves visibility out of some results; an unseen point is not visible.
    view.setFloat32(at + 12, Math.min(1, Math.max(0, point.visibility ?? 0)), true);
  });
  return buffer;
}
