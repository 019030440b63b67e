// rdl: Romanian deadlift, knees soft; hips back, chest over, only as low as
// the back stays flat, then hips forward to stand.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", "dowel|thorax", nullptr};
const char* const kOptional[] = {"bar", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_BACK_FLEXION, HL_MEASURE_KNEE_TRAVEL,
                                   HL_MEASURE_HIP_BACK, HL_MEASURE_HIP_FLEXION, nullptr};

enum { kBackFlexion, kKneeTravel, kHipsBackMin, kLockoutMax, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"back_flexion_deg", 10.0, "deg",
     "back_flexion when the trunk bends more than this against the pelvis", "ours"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
    {"hips_back_min_m", 0.05, "m", "hips_not_back when the sacrum goes back less than this", "ours"},
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this as the rep finishes", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_BACK_FLEXION, kBackFlexion, hl_drill::kDegPerRad, false, HL_FAULT_BACK_FLEXION},
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckBackFlexion(rc, rep, rc.T(kBackFlexion));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckLockoutAtEnd(rc, rep, rc.T(kLockoutMax));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

constexpr hl_drill::DrillSpec kSpec = {
    "rdl", "Romanian deadlift", "1.0.0", kRequired, kOptional, kThresholds, kNumThresholds,
    HL_MEASURE_HIP_FLEXION, /*rep_min_amplitude=*/0.35, kLive, 2, /*needs_static_trial=*/false,
    ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
