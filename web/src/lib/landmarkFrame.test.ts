import { describe, expect, it } from "vitest";
import { binaryLandmarks } from "./landmarkFrame";

describe("binaryLandmarks", () => {
  const points = Array.from({ length: 33 }, (_, i) => ({ x: i / 33, y: 0.5, z: -0.1, visibility: 0.9 }));

  it("lays out time, magic, image size and 33 float32 points", () => {
    const buffer = binaryLandmarks(12.456, points, 640, 480);
    expect(buffer.byteLength).toBe(16 + 33 * 16);
    const view = new DataView(buffer);
    expect(view.getFloat64(0, true)).toBe(12.456);
    expect(String.fromCharCode(...new Uint8Array(buffer, 8, 4))).toBe("POSE");
    expect(view.getUint16(12, true)).toBe(640);
    expect(view.getUint16(14, true)).toBe(480);
    expect(view.getFloat32(16 + 5 * 16, true)).toBeCloseTo(5 / 33, 6);
    expect(view.getFloat32(16 + 32 * 16 + 12, true)).toBeCloseTo(0.9, 6);
  });

  it("is only the header when nobody was found", () => {
    const buffer = binaryLandmarks(1, null, 640, 360);
    expect(buffer.byteLength).toBe(16);
    expect(new DataView(buffer).getUint16(14, true)).toBe(360);
  });

  it("never sends a visibility outside 0..1", () => {
    const odd = points.map((p, i) => (i === 0 ? { ...p, visibility: 1.0000001 } : { x: p.x, y: p.y, z: p.z }));
    const view = new DataView(binaryLandmarks(1, odd, 640, 480));
    expect(view.getFloat32(16 + 12, true)).toBe(1);
    expect(view.getFloat32(16 + 16 + 12, true)).toBe(0);
  });
});
