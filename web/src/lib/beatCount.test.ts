import { describe, expect, it } from "vitest";
import { type Beat, beatIndexAt, clicksDue, countAt, eightLabel } from "./beatCount";

// 120 BPM from 0.25 s; count 1 on the third beat (two pickup beats).
const beats: Beat[] = Array.from({ length: 40 }, (_, i) => ({
  time_s: 0.25 + 0.5 * i,
  count: ((((i - 2) % 8) + 8) % 8) + 1,
  eight: Math.floor((i - 2) / 8) + 1,
}));

describe("count display", () => {
  it("shows the count and eight sounding at a reference time", () => {
    expect(countAt(beats, 0.1)).toBeNull();
    expect(countAt(beats, 0.3)).toMatchObject({ count: 7, eight: 0 });
    expect(countAt(beats, 1.25)).toMatchObject({ count: 1, eight: 1, phase: 0 });
    // 10.3 s: beat 20 (10.25 s) = count 3 of the third eight, a tenth through it.
    const now = countAt(beats, 10.3);
    expect(now).toMatchObject({ count: 3, eight: 3 });
    expect(now?.phase).toBeCloseTo(0.1);
    expect(countAt(beats, 40)).toBeNull();
  });

  it("finds the beat by binary search at every beat boundary", () => {
    beats.forEach((beat, i) => {
      expect(beatIndexAt(beats, beat.time_s)).toBe(i);
      expect(beatIndexAt(beats, beat.time_s - 0.01)).toBe(i - 1);
    });
  });

  it("names the eight", () => {
    expect(eightLabel(0)).toBe("pickup");
    expect(eightLabel(1)).toBe("1st eight");
    expect(eightLabel(3)).toBe("3rd eight");
    expect(eightLabel(11)).toBe("11th eight");
    expect(eightLabel(22)).toBe("22nd eight");
  });

  it("keeps the same counts at every speed: only the clock rate changes", () => {
    for (const rate of [0.5, 0.75, 1]) {
      // The video's currentTime is reference time, so the count at a video time is the same.
      expect(countAt(beats, 5.3)?.count).toBe(countAt(beats, 5.3)?.count);
      const clicks = clicksDue(beats, 5.3, rate, 1.0, -1);
      // Beats every 0.5 reference seconds are 0.5 / rate wall seconds apart.
      for (let i = 1; i < clicks.length; i++) expect(clicks[i].delayS - clicks[i - 1].delayS).toBeCloseTo(0.5 / rate);
      expect(clicks[0].delayS).toBeCloseTo((5.75 - 5.3) / rate);
    }
  });
});

describe("metronome", () => {
  it("schedules each beat once, accenting count 1", () => {
    const first = clicksDue(beats, 1.0, 1, 0.3, -1);
    expect(first.map((c) => c.beat)).toEqual([2]);
    expect(first[0].accent).toBe(true);
    expect(first[0].delayS).toBeCloseTo(0.25);
    // The next call starts after the last scheduled beat: nothing twice.
    expect(clicksDue(beats, 1.1, 1, 0.3, 2)).toEqual([]);
    const later = clicksDue(beats, 1.5, 1, 0.3, 2);
    expect(later.map((c) => c.beat)).toEqual([3]);
    expect(later[0].accent).toBe(false);
  });

  it("at half speed looks half as far into the song", () => {
    expect(clicksDue(beats, 1.0, 0.5, 0.8, -1).map((c) => c.beat)).toEqual([2]);
    expect(clicksDue(beats, 1.0, 1, 0.8, -1).map((c) => c.beat)).toEqual([2, 3]);
  });
});
