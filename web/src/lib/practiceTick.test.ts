import { describe, expect, it } from "vitest";
import { keyAction, tickAction } from "./practiceTick";

const playing = (currentTime: number) => ({ currentTime, paused: false, ended: false });
const section = { startS: 4, endS: 12 };

describe("tickAction", () => {
  it("does nothing unless dancing", () => {
    expect(tickAction({ dancing: false, video: playing(5), section, loop: true, breakdown: false })).toEqual({ kind: "idle" });
  });

  it("sends a frame at the reference's time, rounded to the millisecond", () => {
    expect(tickAction({ dancing: true, video: playing(5.12345), section, loop: false, breakdown: false })).toEqual({
      kind: "send",
      timestamp: 5.123,
    });
  });

  it("loops a looped section back to its start at its end", () => {
    expect(tickAction({ dancing: true, video: playing(12.05), section, loop: true, breakdown: false })).toEqual({ kind: "seek", to: 4 });
  });

  it("finishes an unlooped section at its end, and ends a Break-It-Down pass there", () => {
    expect(tickAction({ dancing: true, video: playing(12), section, loop: false, breakdown: false }).kind).toBe("finish");
    expect(tickAction({ dancing: true, video: playing(12), section, loop: false, breakdown: true }).kind).toBe("end-pass");
  });

  it("runs on without a section, and waits while the video is paused", () => {
    expect(tickAction({ dancing: true, video: playing(99), section: null, loop: false, breakdown: false }).kind).toBe("send");
    expect(
      tickAction({ dancing: true, video: { currentTime: 5, paused: true, ended: false }, section, loop: false, breakdown: false }),
    ).toEqual({ kind: "idle" });
  });
});

describe("keyAction", () => {
  it("starts, resumes and pauses with Space", () => {
    expect(keyAction("ready", "Space", "BODY")).toBe("start");
    expect(keyAction("paused", "Space", "DIV")).toBe("start");
    expect(keyAction("dancing", "Space", "BODY")).toBe("pause");
  });

  it("leaves Space to focused controls and ignores it while busy", () => {
    expect(keyAction("dancing", "Space", "BUTTON")).toBeNull();
    expect(keyAction("ready", "Space", "INPUT")).toBeNull();
    expect(keyAction("ready", "Space", "select")).toBeNull();
    expect(keyAction("countdown", "Space", "BODY")).toBeNull();
    expect(keyAction("finishing", "Space", "BODY")).toBeNull();
    expect(keyAction("ready", "Enter", "BODY")).toBeNull();
  });
});
