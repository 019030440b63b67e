// seated_squat: a box 15-30 cm behind the heels; sit back and down to reach it.
// The box drop is how far the sacrum must fall from standing to touch the box.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"dowel", "thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_DOWN, HL_MEASURE_HIP_BACK,
                                   HL_MEASURE_KNEE_TRAVEL, nullptr};

enum { kBoxDrop, kKneeTravel, kHipsBackMin, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"box_drop_m", 0.28, "m",
     "box_not_reached when the sacrum drops less than this (standing sacrum height minus box)",
     "ours"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
    {"hips_back_min_m", 0.23, "m", "hips_not_back when the sacrum goes back less than this",
     "ours: sitting back onto a box 15-30 cm behind the heels takes the sacrum ~0.3 m back; "
     "straight down with the knees, under 0.2 m"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  double down = 0;
  if (rc.Max(HL_MEASURE_HIP_DOWN, &down)) {
    rep->Metric("hip_down_max_m", down);
    rep->Below(HL_FAULT_BOX_NOT_REACHED, down, rc.T(kBoxDrop));
  }
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
}

constexpr hl_drill::DrillSpec kSpec = {
    "seated_squat", "Seated (box) squat", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_HIP_DISPLACEMENT, /*rep_min_amplitude=*/0.08, kLive, 1,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
