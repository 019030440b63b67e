#pragma once

// Zero-lag low-pass filtering of trajectories: a second-order Butterworth
// applied forward and backward (zero phase, fourth-order magnitude) to each
// run of valid samples, with the run extended at both ends by odd reflection
// so the ends do not ring. Changed samples carry Sample::kFiltered. Used by
// `hingelab reconstruct --lowpass-hz` and by the measures host before it
// computes measures (plugins/host/measures.h).

#include "core/trajectory.h"

namespace hl {

// cutoff_hz must lie in (0, rate/2); throws hl::Error("low-pass filter", ...)
// otherwise. Runs shorter than 4 samples are left alone.
void LowPassFilter(double cutoff_hz, Trajectories* trajectories);

}  // namespace hl
