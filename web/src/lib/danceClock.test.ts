import { describe, expect, it } from "vitest";
import { countdownSteps, formatTime, frameTimestamp, nextLoopTime } from "./danceClock";

describe("section loop", () => {
  const section = { startS: 4, endS: 8 };
  it("jumps back to the start at the end of the section", () => {
    expect(nextLoopTime(8.01, section)).toBe(4);
  });
  it("stays put inside the section", () => {
    expect(nextLoopTime(5, section)).toBeNull();
  });
  it("enters the section when playback is before it", () => {
    expect(nextLoopTime(1, section)).toBe(4);
  });
  it("never loops without a section", () => {
    expect(nextLoopTime(100, null)).toBeNull();
  });
});

describe("frame timestamps", () => {
  it("are the reference time while playing, whatever the speed", () => {
    expect(frameTimestamp({ currentTime: 12.3456, paused: false, ended: false })).toBe(12.346);
  });
  it("are not sent while paused, so pausing keeps dance time in sync", () => {
    expect(frameTimestamp({ currentTime: 12, paused: true, ended: false })).toBeNull();
  });
});

describe("labels", () => {
  it("formats minutes and seconds", () => {
    expect(formatTime(75.4)).toBe("1:15");
    expect(formatTime(3)).toBe("0:03");
  });
  it("counts down 3-2-1", () => {
    expect(countdownSteps()).toEqual([3, 2, 1]);
  });
});
