#pragma once

// Gap filling of trajectories (the zero-lag low-pass is core/lowpass.h).
//
// Spline gaps: a run of missing samples of one label with valid samples on
// both sides, at most `max_gap_s` long, is bridged by a curve fitted to up to
// `tangent_window_s` of valid samples on each side. Longer gaps stay gaps: a
// curve guessed across a long gap would be read as motion. Filled samples
// carry Sample::kFilled, residual 0 and 0 cameras. The bridge may start a
// noise's width away from the raw sample beside it.
//
// Which curve is decided per gap from the data, by cutting gaps of the same
// length into the label's own tracked samples within `choice_window_s` of the
// gap and bridging them each way:
// - a Hermite curve whose ends (position and tangent) come from a least-squares
//   quadratic on each side: exact for quadratic motion, follows fast turns;
// - a cubic fitted to both sides at once: averages twice the samples, so the
//   noise of the samples beside the gap (a plate turning away or going behind
//   the bar is often measured worst just then) moves it less;
// - either, bridging the label MINUS a donor label tracked through the gap,
//   with the donor's motion added back ("pattern fill": a thorax marker from
//   its neighbour on the plate), when that beats the better curve's error on
//   the cuts by `donor_gain`.
// With fewer than `min_cuts` cuts, and for gaps shorter than
// `choice_min_gap_s`, the Hermite curve.

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
  // How far from the gap (s, each side) the cuts that choose its curve lie;
  // 0: always the Hermite curve, no donors.
  double choice_window_s = 5.0;
  // Shorter gaps take the Hermite curve without a choice: a few frames'
  // bridge is within the samples' noise either way, and single-frame
  // dropouts are the most numerous gaps.
  double choice_min_gap_s = 0.05;
  int min_cuts = 4;
  bool donors = true;
  // A donor must bridge the cuts with at most this share of the better
  // curve's rms error.
  double donor_gain = 0.8;
  bool Check() const {
    return max_gap_s >= 0 && tangent_window_s >= 0 && choice_window_s >= 0 &&
           choice_min_gap_s >= 0 && min_cuts >= 1 && donor_gain > 0;
  }
};

struct GapFillStats {
  int filled = 0;        // samples bridged
  int joint_cubic = 0;   // of which by the joint cubic
  int donor_guided = 0;  // of which relative to a donor
};

// Returns the number of samples filled. Needs rate_hz > 0.
int FillGapsWithSplines(const GapFillOptions& options, Trajectories* trajectories,
                        GapFillStats* stats = nullptr);

}  // namespace hl
