import { describe, expect, it } from "vitest";
import { partLabel, partName } from "./bodyParts";

const names = { left_shin: "left lower leg", torso: "upper body", left_arm: "left arm" };

describe("body-part words", () => {
  it("uses the server's words", () => {
    expect(partName(names, "left_shin")).toBe("left lower leg");
    expect(partLabel(names, "torso")).toBe("Upper body");
    expect(partLabel(names, "left_arm")).toBe("Left arm");
  });

  it("keeps a key readable until the words have loaded", () => {
    expect(partName(null, "left_elbow")).toBe("left elbow");
  });
});
