// rack_pull: the bar sits on safeties just below the knees; a strong, tight
// position and a full lockout. A rep is one trip from lockout down to the
// safeties and back (hip flexion rising from standing), so a set that begins
// with the bar on the safeties loses only its first, unseen half-rep.

#include "plugins/common/drill_checks.h"

namespace {

const char* const kRequired[] = {"pelvis", "bar", "knee_left", "knee_right", "dowel|thorax",
                                 nullptr};
const char* const kOptional[] = {"foot_left", "foot_right", nullptr};
const char* const kMeasures[] = {HL_MEASURE_BAR_HEIGHT, HL_MEASURE_KNEE_HEIGHT,
                                   HL_MEASURE_BACK_FLEXION, HL_MEASURE_HIP_FLEXION, nullptr};

enum { kBelowKneeMax, kBelowKneeMin, kBackFlexion, kLockoutMax, kNumThresholds };
const hl_threshold kThresholds[kNumThresholds] = {
    {"bar_below_knee_max_m", 0.15, "m",
     "bar_too_low when the bar at the bottom is further than this below the knee markers "
     "(which sit on the thigh just above the joint)",
     "ours"},
    {"bar_below_knee_min_m", 0.0, "m",
     "bar_too_high when the bar starts less than this below the knee markers (above them)",
     "ours"},
    {"back_flexion_deg", 10.0, "deg",
     "back_flexion when the trunk bends more than this against the pelvis", "ours"},
    {"lockout_max_deg", 10.0, "deg",
     "incomplete_lockout when the hips stay flexed more than this as the rep finishes", "ours"},
};

const hl_drill::LiveCheck kLive[] = {
    {HL_MEASURE_BACK_FLEXION, kBackFlexion, hl_drill::kDegPerRad, false, HL_FAULT_BACK_FLEXION},
};

void ScoreRep(const hl_drill::RepContext& rc, hl_drill::RepScorer* rep) {
  double bar_low = 0, bar_high = 0;
  int at = 0;
  if (rc.Min(HL_MEASURE_BAR_HEIGHT, &bar_low, &at) && rc.Max(HL_MEASURE_BAR_HEIGHT, &bar_high)) {
    rep->Metric("bar_height_min_m", bar_low);
    rep->Metric("bar_travel_m", bar_high - bar_low);
    // The bar in front of the knees hides both knee plates around its lowest
    // point; the knees barely move vertically in a rack pull, so their height
    // is read at the rep's frame nearest to the bar's lowest one where they are seen.
    const hl_drill::Series knee = rc.S(HL_MEASURE_KNEE_HEIGHT);
    int seen = -1;
    for (int d = 0; knee && seen < 0 && (at - d >= rc.span.start_frame ||
                                         at + d <= rc.span.end_frame); ++d) {
      for (const int f : {at - d, at + d}) {
        if (f >= rc.span.start_frame && f <= rc.span.end_frame && f < rc.in.num_frames &&
            knee.ok[f] && std::isfinite(knee.v[f])) {
          seen = f;
          break;
        }
      }
    }
    if (seen >= 0) {
      const double below = knee.v[seen] - bar_low;
      rep->Metric("bar_below_knee_m", below);
      const double band = rc.T(kBelowKneeMax) - rc.T(kBelowKneeMin);
      rep->Check(HL_FAULT_BAR_TOO_LOW, below - rc.T(kBelowKneeMax), band);
      rep->Check(HL_FAULT_BAR_TOO_HIGH, rc.T(kBelowKneeMin) - below, band);
    }
  }
  hl_drill::CheckBackFlexion(rc, rep, rc.T(kBackFlexion));
  hl_drill::CheckLockoutAtEnd(rc, rep, rc.T(kLockoutMax));
}

constexpr hl_drill::DrillSpec kSpec = {
    "rack_pull", "Rack pull", "1.0.0", kRequired, kOptional, kThresholds, kNumThresholds,
    HL_MEASURE_HIP_FLEXION, /*rep_min_amplitude=*/0.35, kLive, 1, /*needs_static_trial=*/false,
    ScoreRep, kMeasures};

}  // namespace

HL_DRILL_ENTRY(kSpec)
