// Repetition segmentation on signals built sample by sample: clean reps,
// noise, pauses, partial reps, dropouts and reps cut by the recording.

#include "plugins/host/reps.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace hl {
namespace {

constexpr double kFps = 100.0;
constexpr double kPi = 3.14159265358979323846;

// Builds a signal from rests, ramps and holds; truth keeps each rep's bounds.
class Signal {
 public:
  Signal& Rest(double s) { return Level(0.0, s); }
  Signal& Level(double v, double s) {
    for (int i = 0; i < N(s); ++i) x_.push_back(v);
    last_ = v;
    return *this;
  }
  Signal& Ramp(double to, double s) {
    const double from = last_;
    for (int i = 1; i <= N(s); ++i) x_.push_back(from + (to - from) * (0.5 - 0.5 * std::cos(kPi * i / N(s))));
    last_ = to;
    return *this;
  }
  // 1 s down, `hold` at `depth`, 1 s up; records the true start/end frames.
  Signal& Rep(double depth, double hold = 0.2) {
    const int start = static_cast<int>(x_.size()) - 1;
    Ramp(depth, 1.0).Level(depth, hold).Ramp(0.0, 1.0);
    truth_.push_back({start, static_cast<int>(x_.size()) - 1});
    return *this;
  }
  std::vector<double>& x() { return x_; }
  std::vector<uint8_t> valid() const { return std::vector<uint8_t>(x_.size(), 1); }
  const std::vector<std::pair<int, int>>& truth() const { return truth_; }

 private:
  static int N(double s) { return static_cast<int>(std::lround(s * kFps)); }
  std::vector<double> x_;
  std::vector<std::pair<int, int>> truth_;
  double last_ = 0.0;
};

// Time the eased ramps of Signal::Rep spend within hold_fraction (10 %) of the
// peak: 0.5 - 0.5 cos(pi u) >= 0.9 for the last (1 - acos(-0.8) / pi) of each 1 s ramp.
const double kNearPeakOnRamps_s = 2.0 * (1.0 - std::acos(-0.8) / kPi);

RepOptions Options() {
  RepOptions o;
  o.min_amplitude = 0.2;
  return o;
}

TEST(Reps, CleanRepsWithRestBetween) {
  Signal s;
  s.Rest(1.0);
  for (int i = 0; i < 5; ++i) s.Rep(1.0).Rest(0.8);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  ASSERT_EQ(r.reps.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    // Bounds land inside the rest band: within 0.25 s of the true start/end.
    EXPECT_NEAR(r.reps[i].start_frame, s.truth()[i].first, 25) << i;
    EXPECT_NEAR(r.reps[i].end_frame, s.truth()[i].second, 25) << i;
    EXPECT_NEAR(r.reps[i].peak_hold_s, 0.2 + kNearPeakOnRamps_s, 0.05) << i;
    if (i > 0) {
      EXPECT_GT(r.reps[i].start_frame, r.reps[i - 1].end_frame);
    }
  }
  EXPECT_EQ(r.cut_by_recording_edges, 0);
}

TEST(Reps, NoiseDoesNotSplitOrAddReps) {
  Signal s;
  s.Rest(1.0);
  for (int i = 0; i < 5; ++i) s.Rep(1.0).Rest(0.8);
  std::mt19937 rng(7);
  std::normal_distribution<double> noise(0.0, 0.05);
  for (double& v : s.x()) v += noise(rng);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  ASSERT_EQ(r.reps.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_NEAR(r.reps[i].start_frame, s.truth()[i].first, 30) << i;
}

TEST(Reps, APauseAtTheBottomIsOneRepWithItsHoldTime) {
  Signal s;
  s.Rest(1.0).Rep(1.0, /*hold=*/2.0).Rest(1.0).Rep(1.0, /*hold=*/0.0).Rest(1.0);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  ASSERT_EQ(r.reps.size(), 2u);
  EXPECT_NEAR(r.reps[0].peak_hold_s, 2.0 + kNearPeakOnRamps_s, 0.05);
  EXPECT_NEAR(r.reps[1].peak_hold_s, kNearPeakOnRamps_s, 0.05);
}

TEST(Reps, APauseHalfwayDownDoesNotSplitTheRep) {
  Signal s;
  s.Rest(1.0).Ramp(0.6, 0.6).Level(0.6, 1.0).Ramp(1.0, 0.5).Ramp(0.0, 1.0).Rest(1.0);
  EXPECT_EQ(SegmentReps(s.x(), s.valid(), kFps, Options()).reps.size(), 1u);
}

TEST(Reps, PartialRepsAboveHalfCountAndFidgetsDoNot) {
  Signal s;
  s.Rest(1.0).Rep(1.0).Rest(0.8).Rep(0.35).Rest(0.8).Rep(0.7).Rest(0.8).Rep(1.0).Rest(1.0);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  ASSERT_EQ(r.reps.size(), 3u);
  EXPECT_NEAR(r.reps[1].start_frame, s.truth()[2].first, 25);  // the 0.7 rep, not the 0.35 one
}

TEST(Reps, RepsCutByTheRecordingAreDroppedAndCounted) {
  Signal s;
  s.Level(0.8, 0.3).Ramp(0.0, 0.8).Rest(1.0).Rep(1.0).Rest(1.0).Ramp(1.0, 1.0);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  ASSERT_EQ(r.reps.size(), 1u);
  EXPECT_EQ(r.cut_by_recording_edges, 2);
}

TEST(Reps, ShortDropoutsAreBridgedLongOnesBreakTheRep) {
  Signal s;
  s.Rest(1.0).Rep(1.0).Rest(1.0).Rep(1.0).Rest(1.0);
  std::vector<uint8_t> valid = s.valid();
  // 0.35 s: a knee marker hidden by the other leg at the bottom of a reconstructed RDL.
  for (int f = 0; f < 35; ++f) valid[s.truth()[0].first + 80 + f] = 0;
  for (int f = 0; f < 60; ++f) valid[s.truth()[1].first + 80 + f] = 0;  // 0.6 s
  const RepSegmentation r = SegmentReps(s.x(), valid, kFps, Options());
  ASSERT_EQ(r.reps.size(), 1u);
  EXPECT_NEAR(r.reps[0].start_frame, s.truth()[0].first, 25);
  EXPECT_EQ(r.cut_by_recording_edges, 1);
}

TEST(Reps, BackToBackRepsWithoutRestDoNotOverlap) {
  std::vector<double> x;
  for (int f = 0; f < 1000; ++f) x.push_back(0.5 - 0.5 * std::cos(2 * kPi * f / 200.0));  // 2 s period
  const RepSegmentation r = SegmentReps(x, std::vector<uint8_t>(x.size(), 1), kFps, Options());
  ASSERT_EQ(r.reps.size(), 5u);
  for (size_t i = 1; i < r.reps.size(); ++i) EXPECT_GE(r.reps[i].start_frame, r.reps[i - 1].end_frame);
  for (const auto& rep : r.reps) EXPECT_NEAR(rep.peak_frame % 200, 100, 3);
}

TEST(Reps, AFlatSignalHasNoReps) {
  Signal s;
  s.Rest(1.0).Rep(0.1).Rest(1.0);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  EXPECT_TRUE(r.reps.empty());
  EXPECT_NEAR(r.peak_level - r.rest_level, 0.1, 0.01);
  EXPECT_TRUE(SegmentReps({}, {}, kFps, Options()).reps.empty());
}

TEST(Reps, TooShortExcursionsAreNotReps) {
  Signal s;
  s.Rest(1.0).Rep(1.0).Rest(1.0).Ramp(1.0, 0.1).Ramp(0.0, 0.1).Rest(1.0);
  const RepSegmentation r = SegmentReps(s.x(), s.valid(), kFps, Options());
  EXPECT_EQ(r.reps.size(), 1u);
  EXPECT_EQ(r.too_short, 1);
}

}  // namespace
}  // namespace hl
