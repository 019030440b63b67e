#pragma once

// The per-rep checks several drills share: each adds its metric and, past the
// threshold, its fault. A check whose measure is absent (an optional segment
// not tracked) adds nothing: a plugin never guesses.

#include "plugins/common/drill_kit.h"

namespace hl_drill {

// Largest dowel gap over the sacrum, head and thorax contacts.
inline void CheckDowelContact(const RepContext& rc, RepScorer* rep, double limit_m) {
  double worst = 0;
  bool any = false;
  for (const char* name : {HL_MEASURE_DOWEL_GAP, HL_MEASURE_DOWEL_GAP_HEAD, HL_MEASURE_DOWEL_GAP_THORAX}) {
    double v = 0;
    if (rc.Max(name, &v)) worst = any && worst > v ? worst : v, any = true;
  }
  if (!any) return;
  rep->Metric("dowel_gap_max_m", worst);
  rep->Above(HL_FAULT_DOWEL_CONTACT_LOST, worst, limit_m);
}

inline void CheckKneesForward(const RepContext& rc, RepScorer* rep, double limit_m) {
  double v = 0;
  if (!rc.Max(HL_MEASURE_KNEE_TRAVEL, &v)) return;
  rep->Metric("knee_travel_max_m", v);
  rep->Above(HL_FAULT_KNEES_FORWARD, v, limit_m);
}

// Hip travel metrics; hips_not_back when the sacrum goes back less than limit_m.
inline void CheckHipsBack(const RepContext& rc, RepScorer* rep, double limit_m) {
  double disp = 0, back = 0, knee = 0;
  if (rc.Max(HL_MEASURE_HIP_DISPLACEMENT, &disp)) rep->Metric("hip_displacement_m", disp);
  if (!rc.Max(HL_MEASURE_HIP_BACK, &back)) return;
  rep->Metric("hip_back_max_m", back);
  if (rc.Max(HL_MEASURE_KNEE_TRAVEL, &knee)) {
    // Hinge ratio: hips back against knees forward (knee travel floored at 1 cm).
    rep->Metric("hinge_ratio", back / (knee > 0.01 ? knee : 0.01));
  }
  if (limit_m > 0) rep->Below(HL_FAULT_HIPS_NOT_BACK, back, limit_m);
}

inline void CheckHingeDepth(const RepContext& rc, RepScorer* rep, double min_deg) {
  double v = 0;
  if (!rc.Max(HL_MEASURE_TRUNK_INCLINATION, &v)) return;
  rep->Metric("trunk_inclination_max_deg", v * kDegPerRad);
  if (min_deg > 0) rep->Below(HL_FAULT_INSUFFICIENT_HINGE, v * kDegPerRad, min_deg);
}

inline void CheckBackFlexion(const RepContext& rc, RepScorer* rep, double limit_deg) {
  double v = 0;
  if (!rc.Max(HL_MEASURE_BACK_FLEXION, &v)) return;
  rep->Metric("back_flexion_max_deg", v * kDegPerRad);
  rep->Above(HL_FAULT_BACK_FLEXION, v * kDegPerRad, limit_deg);
}

// Standing drills lock out when they finish: hip flexion at the end of the rep.
inline void CheckLockoutAtEnd(const RepContext& rc, RepScorer* rep, double limit_deg) {
  double v = 0;
  if (!rc.MinAtEnd(HL_MEASURE_HIP_FLEXION, &v)) return;
  rep->Metric("hip_flexion_end_deg", v * kDegPerRad);
  rep->Above(HL_FAULT_INCOMPLETE_LOCKOUT, v * kDegPerRad, limit_deg);
}

// Bridges and pulls from the floor lock out at the top: the least hip flexion.
inline void CheckLockoutAtPeak(const RepContext& rc, RepScorer* rep, double limit_deg) {
  double v = 0;
  if (!rc.Min(HL_MEASURE_HIP_FLEXION, &v)) return;
  rep->Metric("hip_flexion_top_deg", v * kDegPerRad);
  rep->Above(HL_FAULT_INCOMPLETE_LOCKOUT, v * kDegPerRad, limit_deg);
}

inline void CheckPause(const RepContext& rc, RepScorer* rep, double min_s) {
  rep->Metric("top_hold_s", rc.span.peak_hold_s);
  rep->Below(HL_FAULT_NO_PAUSE, rc.span.peak_hold_s, min_s);
}

}  // namespace hl_drill
