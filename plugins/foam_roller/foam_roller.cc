// foam_roller: a foam roller stands just in front of the knees; the hips go
// back and the knees stay behind it.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"dowel", "thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_BACK, HL_MEASURE_KNEE_TRAVEL, nullptr};

enum { kKneeTravel, kHipsBackMin, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"knee_travel_m", 0.05, "m", "knees_forward (roller knocked) past this forward knee travel",
     "ours"},
    {"hips_back_min_m", 0.05, "m", "hips_not_back when the sacrum goes back less than this", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

// Reps are cut from the pelvis's tilt, not the hips' travel: every way of
// doing the drill tilts the pelvis 50-75 deg (simulated good form 74,
// knees_forward 59, hips_not_back 52), while the hips' travel from the start
// can cross zero inside a rep (knees_forward: the hips go forward before
// they go back), which cut one rep in two (scoring_bench, seed 3).
constexpr hl_drill::DrillSpec kSpec = {
    "foam_roller", "Don't knock the foam roller over", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_PELVIS_TILT, /*rep_min_amplitude=*/0.35, kLive, 1,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
