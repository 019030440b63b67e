#pragma once

// Test helpers: one marker sampled from a function of time, and a quadratic
// motion that second-order methods must reproduce exactly.

#include <Eigen/Core>

#include "core/trajectory.h"

namespace hl::testing {

// Label "M0", `frames` samples at `rate` Hz, every sample valid (seen by 3
// cameras at 0.2 px).
inline Trajectories Sampled(int frames, double rate, Eigen::Vector3d (*f)(double)) {
  Trajectories tr({"M0"}, frames, rate);
  for (int i = 0; i < frames; ++i) {
    Sample& s = tr.at(i, 0);
    s.position_m = f(i / rate);
    s.residual_px = 0.2f;
    s.n_cameras = 3;
  }
  return tr;
}

inline Eigen::Vector3d Quadratic(double t) {
  return Eigen::Vector3d(0.3 * t * t, 1.0 - 0.5 * t, 0.9 + 0.1 * t * t);
}

}  // namespace hl::testing
