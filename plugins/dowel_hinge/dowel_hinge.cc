// dowel_hinge: bar on back. The dowel runs along the spine touching head,
// upper back and sacrum; the subject hinges at the hips keeping all three.
// Thresholds are ours (drills.md: "Where the literature gives no number").

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"dowel", "pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"head", "thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_DOWEL_GAP, HL_MEASURE_HIP_BACK,
                                   HL_MEASURE_KNEE_TRAVEL, HL_MEASURE_TRUNK_INCLINATION, nullptr};

enum { kContactGap, kKneeTravel, kHingeMin, kHipsBackMin, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"contact_gap_m", 0.025, "m", "dowel contact is lost when a contact gap grows past this", "ours"},
    {"knee_travel_m", 0.05, "m", "knees_forward when a knee travels forward more than this", "ours"},
    {"hinge_min_deg", 45.0, "deg", "insufficient_hinge when the dowel leans less than this", "ours"},
    {"hips_back_min_m", 0.05, "m", "hips_not_back when the sacrum goes back less than this", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_DOWEL_GAP, kContactGap, 1.0, false, HL_FAULT_DOWEL_CONTACT_LOST},
    {HL_MEASURE_KNEE_TRAVEL, kKneeTravel, 1.0, false, HL_FAULT_KNEES_FORWARD},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  hl_drill::CheckDowelContact(rc, rep, rc.T(kContactGap));
  hl_drill::CheckHipsBack(rc, rep, rc.T(kHipsBackMin));
  hl_drill::CheckKneesForward(rc, rep, rc.T(kKneeTravel));
  hl_drill::CheckHingeDepth(rc, rep, rc.T(kHingeMin));
}

constexpr hl_drill::DrillSpec kSpec = {
    "dowel_hinge", "Bar on back (dowel hip hinge)", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_HIP_FLEXION, /*rep_min_amplitude=*/0.35, kLive, 2,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
