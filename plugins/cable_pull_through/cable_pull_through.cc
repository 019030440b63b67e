// cable_pull_through: facing away from a low cable, arms hanging; the hips
// push back, the chest comes over, then the hips drive through to lockout.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", "dowel|thorax", nullptr};
const char* const kOptional[] = {"foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_BACK, HL_MEASURE_TRUNK_INCLINATION,
                                   HL_MEASURE_HIP_FLEXION, HL_MEASURE_KNEE_TRAVEL, nullptr};

enum { kHipsBackMin, kHingeMin, kLockoutMax, kKneeTravel, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"hips_back_min_m", 0.05, "m", "hips_not_back when the sacrum goes back less than this", "ours"},
    {"hinge_min_deg", 45.0, "deg", "insufficient_hinge when the trunk leans less than this", "ours"},
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this as the rep finishes", "ours"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckHingeDepth(rc, rep, rc.T(kHingeMin));
  hl_drill::CheckLockoutAtEnd(rc, rep, rc.T(kLockoutMax));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
}

constexpr hl_drill::DrillSpec kSpec = {
    "cable_pull_through", "Cable pull-through", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_HIP_FLEXION, /*rep_min_amplitude=*/0.35, kLive, 1,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
