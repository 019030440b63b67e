// Acceptance: every drill x fault of drills.md simulates, its labels name the
// faults, and the body's true measures move the way each fault says.

#include "capture/sim/drills.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/marker_set.h"

namespace hl::sim {
namespace {

MarkerSet DefaultSet() { return ReadMarkerSet(HL_SOURCE_DIR "/data/markersets/default.yml"); }

// Per-rep extremes of the true measures (one rep per take here).
struct Summary {
  double gap_max = -1e9, knee_max = -1e9, trunk_max = -1e9, back_flex_max = -1e9;
  double drop_max = 0, rot_max = 0, hip_back_max = -1e9, hip_flex_end = 0;
  double bar_to_knee_min = 1e9, target_gap_min = 1e9, top_hold_s = 0;
};

Summary Summarize(const SimulatedMotion& m) {
  Summary s;
  const TrueRep& rep = m.reps.at(0);
  const int begin = static_cast<int>(std::ceil(rep.start_s * m.fps));
  const int end = std::min(static_cast<int>(std::floor(rep.end_s * m.fps)),
                           static_cast<int>(m.measures.size()) - 1);
  int held = 0;
  for (int f = begin; f <= end; ++f) {
    const TrueMeasures& x = m.measures[f];
    if (std::isfinite(x.dowel_gap_sacrum_m)) s.gap_max = std::max(s.gap_max, x.dowel_gap_sacrum_m);
    s.knee_max = std::max({s.knee_max, x.knee_forward_l_m, x.knee_forward_r_m});
    s.trunk_max = std::max(s.trunk_max, x.trunk_inclination_deg);
    s.back_flex_max = std::max(s.back_flex_max, x.back_flexion_deg);
    s.drop_max = std::max(s.drop_max, std::abs(x.pelvis_drop_deg));
    s.rot_max = std::max(s.rot_max, std::abs(x.pelvis_rotation_deg));
    s.hip_back_max = std::max(s.hip_back_max, x.hip_back_m);
    if (std::isfinite(x.bar_to_knee_m))
      s.bar_to_knee_min = std::min(s.bar_to_knee_min, x.bar_to_knee_m);
    if (std::isfinite(x.target_gap_m))
      s.target_gap_min = std::min(s.target_gap_min, x.target_gap_m);
    if (x.phase >= 0.999) ++held;
  }
  s.top_hold_s = held / m.fps;
  // Standing and kneeling reps end at the lockout (look just after the rep);
  // bridges lock out at the top, while they hold it.
  const bool bridge = m.drill.find("bridge") != std::string::npos;
  double sum = 0;
  int n = 0;
  for (int f = begin; f <= end; ++f) {
    const TrueMeasures& x = m.measures[f];
    if (!bridge || x.phase < 0.999) continue;
    sum += 0.5 * (x.hip_flexion_l_deg + x.hip_flexion_r_deg);
    ++n;
  }
  const TrueMeasures& last = m.measures[std::min(end + 2, static_cast<int>(m.measures.size()) - 1)];
  s.hip_flex_end = n > 0 ? sum / n : 0.5 * (last.hip_flexion_l_deg + last.hip_flexion_r_deg);
  return s;
}

SimulatedMotion Simulate(const std::string& drill, const std::vector<std::string>& faults,
                         uint64_t seed = 7) {
  DrillMotionOptions o;
  o.drill = drill;
  o.reps = 1;
  o.rep_faults = {faults};
  o.fps = 30;
  o.seed = seed;
  return SimulateDrill(o, DefaultSet(), Anthropometry{});
}

void Print(const std::string& what, const Summary& s) {
  std::printf(
      "%-40s gap %6.3f knee %6.3f trunk %5.1f backflex %5.1f drop %4.1f rot %4.1f "
      "hipback %6.3f hipflex_end %5.1f bar %6.3f target %6.3f hold %4.2f\n",
      what.c_str(), s.gap_max, s.knee_max, s.trunk_max, s.back_flex_max, s.drop_max, s.rot_max,
      s.hip_back_max, s.hip_flex_end, s.bar_to_knee_min, s.target_gap_min, s.top_hold_s);
}

// The signature of each fault: past the drills.md threshold in the fault
// rep, clearly inside it in the good rep of the same drill.
void ExpectFaultSignature(const std::string& drill, const std::string& fault, const Summary& bad,
                          const Summary& good) {
  SCOPED_TRACE(drill + " / " + fault);
  if (fault == "dowel_contact_lost") {
    EXPECT_GT(bad.gap_max, 0.025 * 1.4);
    EXPECT_LT(good.gap_max, 0.01);
  } else if (fault == "knees_forward") {
    EXPECT_GT(bad.knee_max, 0.05 * 1.4);
    EXPECT_LT(good.knee_max, 0.03);
  } else if (fault == "insufficient_hinge") {
    EXPECT_LT(bad.trunk_max, 45.0 - 5.0);
    EXPECT_GT(good.trunk_max, 60.0);
  } else if (fault == "back_flexion") {
    EXPECT_GT(bad.back_flex_max, 10.0 * 1.5);
    EXPECT_LT(good.back_flex_max, 5.0);
  } else if (fault == "hips_not_back") {
    EXPECT_LT(bad.hip_back_max, 0.5 * good.hip_back_max);
    EXPECT_GT(good.hip_back_max, 0.08);
  } else if (fault == "incomplete_lockout") {
    EXPECT_GT(bad.hip_flex_end, 15.0);
    EXPECT_LT(std::abs(good.hip_flex_end), 6.0);
  } else if (fault == "no_pause") {
    EXPECT_LT(bad.top_hold_s, 0.2);
    EXPECT_GE(good.top_hold_s, 2.0 - 1e-6);
  } else if (fault == "wall_not_reached" || fault == "box_not_reached") {
    EXPECT_GT(bad.target_gap_min, 0.07);
    EXPECT_LT(good.target_gap_min, 0.01);
  } else if (fault == "pelvis_drop") {
    EXPECT_GT(bad.drop_max, 5.0 * 1.5);
    EXPECT_LT(good.drop_max, 2.5);
  } else if (fault == "pelvis_rotation") {
    EXPECT_GT(bad.rot_max, 10.0 * 1.5);
    EXPECT_LT(good.rot_max, 2.5);
  } else if (fault == "bar_too_low") {
    EXPECT_LT(bad.bar_to_knee_min, -0.15);
    EXPECT_LT(good.bar_to_knee_min, -0.02);
    EXPECT_GT(good.bar_to_knee_min, -0.09);
  } else if (fault == "bar_too_high") {
    EXPECT_GT(bad.bar_to_knee_min, 0.05);
  } else {
    ADD_FAILURE() << "no signature for fault " << fault;
  }
}

// Whether a rep crosses a fault's threshold (drills.md's where it gives one;
// the simulator's own otherwise, as drills.h documents).
bool Crosses(const std::string& fault, const Summary& s, const Summary& good) {
  if (fault == "dowel_contact_lost") return s.gap_max > 0.025;
  if (fault == "knees_forward") return s.knee_max > 0.05;
  if (fault == "insufficient_hinge") return s.trunk_max < 45.0;
  if (fault == "back_flexion") return s.back_flex_max > 10.0;
  if (fault == "hips_not_back") return s.hip_back_max < 0.5 * good.hip_back_max;
  if (fault == "incomplete_lockout") return s.hip_flex_end > 15.0;
  if (fault == "no_pause") return s.top_hold_s < 1.0;
  if (fault == "wall_not_reached" || fault == "box_not_reached") return s.target_gap_min > 0.05;
  if (fault == "pelvis_drop") return s.drop_max > 5.0;
  if (fault == "pelvis_rotation") return s.rot_max > 10.0;
  if (fault == "bar_too_low") return s.bar_to_knee_min < -0.12;
  if (fault == "bar_too_high") return s.bar_to_knee_min > 0.03;
  ADD_FAILURE() << "no threshold for " << fault;
  return false;
}

TEST(Drills, TwelveDrillsOfDrillsMd) {
  ASSERT_EQ(Drills().size(), 12u);
  EXPECT_NE(FindDrill("rack_pull"), nullptr);
  EXPECT_EQ(FindDrill("squat"), nullptr);
  EXPECT_EQ(FindDrill("single_leg_rdl")->faults.size(), 4u);
}

TEST(Drills, EveryDrillAndFaultSimulatesWithItsSignature) {
  for (const DrillInfo& d : Drills()) {
    const SimulatedMotion good_motion = Simulate(d.id, {});
    ASSERT_EQ(good_motion.reps.size(), 1u) << d.id;
    EXPECT_TRUE(good_motion.reps[0].faults.empty()) << d.id;
    const Summary good = Summarize(good_motion);
    Print(d.id + " good", good);
    for (const std::string& fault : d.faults) {
      const SimulatedMotion m = Simulate(d.id, {fault});
      const Summary bad = Summarize(m);
      Print(d.id + " " + fault, bad);
      // Labels name the fault simulated.
      const Json& reps = m.labels.at("reps");
      ASSERT_EQ(reps.size(), 1u);
      bool named = false;
      for (const Json& f : reps.array()[0].at("faults").array()) named |= f.str() == fault;
      EXPECT_TRUE(named) << d.id << " " << fault << ": " << m.labels.Dump();
      EXPECT_EQ(m.labels.at("drill").str(), d.id);
      ExpectFaultSignature(d.id, fault, bad, good);
      // A single fault does not cross the other thresholds of the drill
      // unless it entails them (and then the labels say so).
      for (const std::string& other : d.faults) {
        const auto& named_faults = m.reps[0].faults;
        if (std::find(named_faults.begin(), named_faults.end(), other) != named_faults.end()) {
          continue;
        }
        EXPECT_FALSE(Crosses(other, bad, good)) << d.id << " " << fault << " looks like " << other;
      }
    }
    // Good form crosses none.
    for (const std::string& f : d.faults) {
      EXPECT_FALSE(Crosses(f, good, good)) << d.id << " good form looks like " << f;
    }
  }
}

}  // namespace
}  // namespace hl::sim
