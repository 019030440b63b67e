// wall_touch: standing 15-30 cm in front of a wall, back to it, the subject
// reaches the wall with the buttocks before the bottom of the movement.
// Without a wall marker the plugin knows the wall only through wall_reach_m:
// how far the sacrum must travel back to touch it (the wall's distance
// behind the heels minus how far the buttocks already stand behind them).

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"dowel", "thorax", "foot_left", "foot_right", nullptr};

enum { kWallReach, kKneeTravel, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"wall_reach_m", 0.08, "m",
     "wall_not_reached when the sacrum goes back less than this (set it for the distance stood)",
     "ours (drills.md: stand 15-30 cm from the wall)"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckHipsBack(rc, rep, /*limit_m=*/0.0);  // metrics only; the wall is the test
  double back = 0;
  if (rc.Max(HL_MEASURE_HIP_BACK, &back)) rep->Below(HL_FAULT_WALL_NOT_REACHED, back, rc.T(kWallReach));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

constexpr hl_drill::DrillSpec kSpec = {
    "wall_touch", "Wall touches", "1.0.0", kRequired, kOptional, kThresholds, kNumThresholds,
    HL_MEASURE_HIP_BACK, /*rep_min_amplitude=*/0.05, kLive, 1, /*needs_static_trial=*/false,
    ScoreRep};

}  // namespace

HL_DRILL_ENTRY(kSpec)
