"""Measure the activation ranges of the int8 landmark model on real dance footage.

Writes src/dancecoach/estimation/models/landmark_int8_ranges.json: for each activation tensor of the
float landmark model, the lowest and highest value it takes on the model's inputs from the
calibration videos (the 256x256 crops live tracking feeds it, 5 frames a second). Only these
numbers are kept; no footage. Run from the project root when MediaPipe or the choice of float
operators changes: `.venv/bin/python scripts/calibrate_landmark_model.py [TESTDATA]`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from dancecoach.estimation.detector import downscale
from dancecoach.estimation.live_tracking import LiveTracker
from dancecoach.estimation.models.bundle import pruned_landmark_model
from dancecoach.estimation.models.quantization import RANGES_FILE, SIGNATURE, float32_model
from dancecoach.estimation.roi_landmarks import model_input, scaled_to_unit
from dancecoach.estimation.video import iter_frames

# One dancer each, full or upper body, upright and lying down, phone and stage footage; the
# other test videos are kept for checking the quantized model against the float one.
CALIBRATION_VIDEOS = [
    "pairs/blackpink_a.mp4",
    "pairs/maybenot_teacher.mp4",
    "pairs/renegade_a.mp4",
    "pairs/crunches_reference.mp4",
    "single/stage_routine_51s.mp4",
    "motion/street_multiperson.avi",
]
SAMPLE_FPS = 5.0


def calibration_inputs(testdata: Path) -> list[NDArray[np.float32]]:
    inputs = []
    for name in CALIBRATION_VIDEOS:
        tracker = LiveTracker(precision="float")
        for time_s, image in iter_frames(testdata / name, SAMPLE_FPS):
            tracker.process(image, time_s)
            roi = tracker.region_of_interest
            if roi is not None:
                inputs.append(scaled_to_unit(model_input(downscale(image), roi, bgr=True)))
        print(f"{name}: {len(inputs)} model inputs so far", file=sys.stderr)
    return inputs


def main() -> None:
    from ai_edge_quantizer import qtyping, quantizer

    testdata = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("../shared/testdata")
    inputs = calibration_inputs(testdata)
    engine = quantizer.Quantizer(float32_model(pruned_landmark_model()))
    engine.add_static_config(".*", qtyping.TFLOperationName.ALL_SUPPORTED, 8, 8)
    samples = [{"input_1": image[None]} for image in inputs]
    measured = engine.calibrate({SIGNATURE: samples}, num_threads=2)
    ranges = {
        name: [float(np.min(values["min"])), float(np.max(values["max"]))]
        for name, values in sorted(measured.items())
    }
    RANGES_FILE.write_text(json.dumps(ranges, indent=1) + "\n")
    print(f"{len(ranges)} activation ranges from {len(inputs)} inputs -> {RANGES_FILE}")


if __name__ == "__main__":
    main()
