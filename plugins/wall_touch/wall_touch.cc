// wall_touch: standing 15-30 cm in front of a wall, back to it, the subject
// reaches the wall with the buttocks before the bottom of the movement.
// Without a wall marker the plugin knows the wall only through wall_reach_m:
// how far the buttocks must travel back to touch it (the wall's distance
// behind the heels minus how far the buttocks already stand behind them).
// The buttocks, not the sacrum: squatting down with the trunk up takes the
// sacrum nearly as far back as a hinge that touches the wall (simulated, from
// truth: 0.087 vs 0.096 m, the squat stopping 9 cm short), while the
// buttocks, below the sacrum, swing back as the pelvis tilts forward. Their
// back-most point is taken as a point fixed to the pelvis kGluteDown below and
// kGluteForward in front of the sacrum (ours: adult anthropometry, about
// 0.065 and 0.035 of standing height), turned with the pelvis tilt.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"dowel", "thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_BACK, HL_MEASURE_PELVIS_TILT,
                                 HL_MEASURE_KNEE_TRAVEL, nullptr};
constexpr double kGluteDown = 0.114, kGluteForward = 0.06;

enum { kWallReach, kKneeTravel, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"wall_reach_m", 0.17, "m",
     "wall_not_reached when the buttocks go back less than this (set it for the distance stood)",
     "ours: a wall 30 cm behind the heels (drills.md: 15-30 cm), buttocks starting ~9 cm behind "
     "them, counted as reached within 4 cm"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckHipsBack(rc, rep, /*limit_m=*/0.0);  // metrics only; the wall is the test
  const hl_drill::Series back = rc.S(HL_MEASURE_HIP_BACK);
  const hl_drill::Series tilt = rc.S(HL_MEASURE_PELVIS_TILT);
  bool any = false;
  double buttocks = 0;
  for (int f = rc.span.start_frame; back && tilt && f <= rc.span.end_frame; ++f) {
    if (!back.ok[f] || !tilt.ok[f] || !std::isfinite(back.v[f]) || !std::isfinite(tilt.v[f])) {
      continue;
    }
    const double v = back.v[f] + kGluteDown * std::sin(tilt.v[f]) +
                     kGluteForward * (1.0 - std::cos(tilt.v[f]));
    if (!any || v > buttocks) buttocks = v;
    any = true;
  }
  if (any) {
    rep->Metric("buttocks_back_max_m", buttocks);
    rep->Below(HL_FAULT_WALL_NOT_REACHED, buttocks, rc.T(kWallReach));
  }
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

constexpr hl_drill::DrillSpec kSpec = {
    "wall_touch", "Wall touches", "1.0.0", kRequired, kOptional, kThresholds, kNumThresholds,
    HL_MEASURE_HIP_BACK, /*rep_min_amplitude=*/0.05, kLive, 1, /*needs_static_trial=*/false,
    ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
