#pragma once

// Gap filling and zero-lag low-pass filtering of trajectories.
//
// Spline gaps: a run of missing samples of one label with valid samples on
// both sides, at most `max_gap_s` long, is bridged by a cubic Hermite curve
// whose ends (position and tangent) come from a least-squares quadratic over
// `tangent_window_s` of valid samples on each side, so quadratic motion is
// bridged exactly and the samples' noise is averaged (the bridge may start a
// noise's width away from the raw sample beside it). Longer gaps stay gaps:
// a curve guessed across a long gap would be read as motion. Filled samples carry Sample::kFilled,
// residual 0 and 0 cameras.
//
// Low-pass: second-order Butterworth applied forward and backward (zero
// phase, fourth-order magnitude) to each run of valid samples, with the run
// extended at both ends by odd reflection so the ends do not ring. Changed
// samples carry Sample::kFiltered.

#include "core/trajectory.h"

namespace hl {

struct GapFillOptions {
  // Longest gap bridged by the spline (s); 0 turns spline filling off.
  double max_gap_s = 0.2;
  // Samples on each side of a gap fitted for its ends' positions and
  // tangents (s; at least 3 samples, which is 0: the end sample and its
  // second-order difference). 0.2 s: bridged 0.2 s gaps with 0.3 mm sample
  // noise 0.8 mm off at worst, 3 samples 10.9 mm (tests/reconstruction/
  // gap_filling_test); in bench/scoring_bench see its knee lines.
  double tangent_window_s = 0.2;
  bool Check() const { return max_gap_s >= 0 && tangent_window_s >= 0; }
};

// Returns the number of samples filled. Needs rate_hz > 0.
int FillGapsWithSplines(const GapFillOptions& options, Trajectories* trajectories);

// cutoff_hz must lie in (0, rate/2); throws hl::Error("low-pass filter", ...)
// otherwise. Runs shorter than 4 samples are left alone.
void LowPassFilter(double cutoff_hz, Trajectories* trajectories);

}  // namespace hl
