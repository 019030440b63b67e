#include "core/lowpass.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/core/sampled_trajectory.h"

namespace hl {
namespace {

using testing::Quadratic;
using testing::Sampled;

Eigen::Vector3d TwoTones(double t) {
  // 1 Hz motion (kept) plus 20 Hz jitter (removed by a 6 Hz low-pass).
  return Eigen::Vector3d(0.1 * std::sin(2 * M_PI * 1.0 * t) + 0.002 * std::sin(2 * M_PI * 20.0 * t),
                         0.0, 1.0);
}

TEST(LowPassTest, KeepsSlowMotionWithoutLagAndRemovesJitter) {
  Trajectories tr = Sampled(300, 100.0, TwoTones);
  tr.at(150, 0) = Sample::Invalid();  // two runs, filtered separately
  LowPassFilter(6.0, &tr);
  double max_err = 0;
  // Away from the ends of each run, where the reflection padding is only
  // an approximation of the signal.
  for (int i = 20; i < 280; ++i) {
    if (i > 130 && i < 170) continue;
    const double t = i / 100.0;
    max_err = std::max(max_err, std::abs(tr.at(i, 0).position_m.x() - 0.1 * std::sin(2 * M_PI * t)));
    EXPECT_TRUE(tr.at(i, 0).flags & Sample::kFiltered);
  }
  // Zero phase: a lag of one frame alone would cost 0.1 * 2 pi / 100 = 6 mm.
  EXPECT_LT(max_err, 0.6e-3);
  EXPECT_FALSE(tr.at(150, 0).valid());
}

TEST(LowPassTest, ACutoffFarBelowTheFrameRateMirrorsTheWholeTrack) {
  // fs / cutoff = 6e9 frames of padding overflowed an int (a read before the
  // track); the padding is bounded by the track.
  Trajectories tr = Sampled(30, 60.0, Quadratic);
  LowPassFilter(1e-8, &tr);
  for (int f = 0; f < tr.num_frames(); ++f) {
    EXPECT_TRUE(tr.at(f, 0).position_m.allFinite()) << f;
  }
}

TEST(LowPassTest, RejectsCutoffAboveNyquist) {
  Trajectories tr = Sampled(30, 60.0, Quadratic);
  EXPECT_THROW(LowPassFilter(30.0, &tr), Error);
  EXPECT_THROW(LowPassFilter(0.0, &tr), Error);
}

}  // namespace
}  // namespace hl
