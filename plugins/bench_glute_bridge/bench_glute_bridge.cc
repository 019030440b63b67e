// bench_glute_bridge: upper back on a bench; a bigger range than the floor
// bridge, full extension with a 2 s pause at the top.
// Full extension is judged against the static standing trial (hip flexion 0
// there), so this drill needs one: without it, it is not assessable.
// Lying supine the thorax rests on the floor or bench and is rarely seen, so
// it is optional: hip flexion then comes from the pelvis plate's orientation
// against the thigh line (pelvis -> knees), which needs no trunk.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "knee_left", "knee_right", nullptr};
const char* const kOptional[] = {"thorax", "foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_HIP_FLEXION, HL_MEASURE_HIP_UP, nullptr};

enum { kLockoutMax, kPauseMin, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this at the top", "ours"},
    {"pause_min_s", 2.0, "s", "no_pause when the top is held for less than this", "ours (drills.md: 2 s pause for the bench bridge)"},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  double rise = 0;
  if (rc.Max(HL_MEASURE_HIP_UP, &rise)) rep->Metric("hip_rise_max_m", rise);
  hl_drill::CheckLockoutAtPeak(rc, rep, rc.T(kLockoutMax));
  hl_drill::CheckPause(rc, rep, rc.T(kPauseMin));
}

constexpr hl_drill::DrillSpec kSpec = {
    "bench_glute_bridge", "Bench glute bridge", "1.0.0", kRequired, kOptional, kThresholds, kNumThresholds,
    HL_MEASURE_HIP_UP, /*rep_min_amplitude=*/0.05, nullptr, 0, /*needs_static_trial=*/true,
    ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
