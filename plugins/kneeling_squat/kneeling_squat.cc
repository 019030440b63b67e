// kneeling_squat: kneeling, so the knees are out of the movement; the hips sit
// back and down towards the heels, then drive forward to full extension.

#include "plugins/common/drill_checks.h"

namespace {

// No trunk needed: hips back and lockout (hip flexion) come from the pelvis
// and knees; with a dowel or thorax the trunk inclination is reported too.
const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"dowel", "thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_BACK, HL_MEASURE_HIP_FLEXION, nullptr};

enum { kHipsBackMin, kLockoutMax, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"hips_back_min_m", 0.18, "m", "hips_not_back when the sacrum goes back less than this",
     "ours: sitting back towards the heels takes the sacrum ~0.3 m back; bending at the hips "
     "over upright thighs, ~0.12 m"},
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this as the rep finishes", "ours"},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
  hl_drill::CheckLockoutAtEnd(rc, rep, rc.T(kLockoutMax));
}

constexpr hl_drill::DrillSpec kSpec = {
    "kneeling_squat", "Kneeling squat", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_HIP_DISPLACEMENT, /*rep_min_amplitude=*/0.08, nullptr, 0,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
