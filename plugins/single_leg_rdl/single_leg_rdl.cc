// single_leg_rdl: the RDL on one leg with the pelvis level and square. The
// stance leg of each rep is the one whose knee rises less (the free leg swings
// back and up); per-rep metrics carry it so the two sides can be compared.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", "dowel|thorax", nullptr};
const char* const kOptional[] = {"foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_BACK_FLEXION, HL_MEASURE_PELVIS_DROP,
                                   HL_MEASURE_PELVIS_ROTATION, HL_MEASURE_KNEE_TRAVEL, nullptr};

enum { kBackFlexion, kPelvisDrop, kPelvisRotation, kKneeTravel, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"back_flexion_deg", 10.0, "deg",
     "back_flexion when the trunk bends more than this against the pelvis", "ours"},
    {"pelvis_drop_deg", 5.0, "deg", "pelvis_drop when the pelvis tips sideways more than this",
     "ours"},
    {"pelvis_rotation_deg", 10.0, "deg", "pelvis_rotation when the pelvis turns more than this",
     "ours"},
    {"knee_travel_m", 0.05, "m", "knees_forward when the stance knee travels forward more than this",
     "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_PELVIS_DROP, kPelvisDrop, hl_drill::kDegPerRad, true, HL_FAULT_PELVIS_DROP},
    {HL_MEASURE_PELVIS_ROTATION, kPelvisRotation, hl_drill::kDegPerRad, true,
     HL_FAULT_PELVIS_ROTATION},
    {HL_MEASURE_BACK_FLEXION, kBackFlexion, hl_drill::kDegPerRad, false, HL_FAULT_BACK_FLEXION},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  double rise_l = 0, rise_r = 0;
  const bool sides = rc.Max(HL_MEASURE_KNEE_RISE_LEFT, &rise_l) &&
                     rc.Max(HL_MEASURE_KNEE_RISE_RIGHT, &rise_r);
  const bool stance_left = sides && rise_l < rise_r;
  if (sides) rep->Metric("stance_left", stance_left ? 1.0 : 0.0);
  double travel = 0;
  if (rc.Max(stance_left ? HL_MEASURE_KNEE_TRAVEL_LEFT : HL_MEASURE_KNEE_TRAVEL_RIGHT, &travel)) {
    rep->Metric("knee_travel_max_m", travel);
    rep->Above(HL_FAULT_KNEES_FORWARD, travel, rc.T(kKneeTravel));
  }
  hl_drill::CheckBackFlexion(rc, rep, rc.T(kBackFlexion));
  double drop = 0, rotation = 0;
  if (rc.AbsMax(HL_MEASURE_PELVIS_DROP, &drop)) {
    rep->Metric("pelvis_drop_max_deg", drop * hl_drill::kDegPerRad);
    rep->Above(HL_FAULT_PELVIS_DROP, drop * hl_drill::kDegPerRad, rc.T(kPelvisDrop));
  }
  if (rc.AbsMax(HL_MEASURE_PELVIS_ROTATION, &rotation)) {
    rep->Metric("pelvis_rotation_max_deg", rotation * hl_drill::kDegPerRad);
    rep->Above(HL_FAULT_PELVIS_ROTATION, rotation * hl_drill::kDegPerRad, rc.T(kPelvisRotation));
  }
  hl_drill::CheckHingeDepth(rc, rep, /*min_deg=*/0.0);
}

constexpr hl_drill::DrillSpec kSpec = {
    "single_leg_rdl", "Single-leg Romanian deadlift", "1.0.0", kRequired, kOptional, kThresholds,
    kNumThresholds, HL_MEASURE_TRUNK_INCLINATION, /*rep_min_amplitude=*/0.35, kLive, 3,
    /*needs_static_trial=*/false, ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
