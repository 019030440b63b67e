// dumbbell_deadlift: one dumbbell on its end, held by the top head; flat back
// while sitting back and down, hips forward to a strong lockout.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", "dowel|thorax", nullptr};
const char* const kOptional[] = {"bar", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_BACK_FLEXION, HL_MEASURE_HIP_BACK,
                                   HL_MEASURE_HIP_FLEXION, nullptr};

enum { kBackFlexion, kHipsBackMin, kLockoutMax, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"back_flexion_deg", 10.0, "deg",
     "back_flexion when the trunk bends more than this against the pelvis", "ours"},
    {"hips_back_min_m", 0.12, "m", "hips_not_back when the sacrum goes back less than this",
     "ours: sitting back and down to the dumbbell takes the sacrum ~0.18 m back; squatting it "
     "down with the knees forward, under 0.09 m"},
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this as the rep finishes", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_BACK_FLEXION, kBackFlexion, hl_drill::kDegPerRad, false, HL_FAULT_BACK_FLEXION},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckBackFlexion(rc, rep, rc.T(kBackFlexion));
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckLockoutAtEnd(rc, rep, rc.T(kLockoutMax));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

constexpr hl_drill::DrillSpec kSpec = {
    "dumbbell_deadlift", "Dumbbell deadlift", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_HIP_FLEXION, /*rep_min_amplitude=*/0.35, kLive, 1,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
