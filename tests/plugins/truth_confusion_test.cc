// Every drill x (good form, each fault of drills.md) x 3 seeds, simulated and
// scored from the simulator's TRUE trajectories (what `hingelab simulate
// --truth-only` writes to truth/markers.csv, with its static trial's
// anatomical landmarks), through the plugins built into <build>/bin. Prints
// the confusion table and asserts, per drill, fault recall >= 95 % and false
// alarms <= 5 % (issue #6 acceptance 1 bounds; the reconstruction can only
// do worse than truth, so truth must meet them with margin).
// The bridges and the kneeling squat are scored again without a trunk
// (dowel and thorax left out), as reconstructions of supine takes see them.
// It also prints each fault's margin: how far the simulated fault lies past
// its threshold and how far good form stays inside it, in the threshold's
// unit, since the reconstruction's measure error must fit in that margin;
// and it asserts the host's measures from truth equal the simulator's true
// measures (1 mm, 0.5 deg), on which those margins rest.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "capture/sim/drills.h"
#include "core/marker_set.h"
#include "plugins/host/drill_score.h"
#include "tests/plugins/sim_pipeline.h"

namespace hl {
namespace {

constexpr int kSeeds = 3;
constexpr int kReps = 2;
// 30 fps keeps 144 takes well under the time budget; the rep segmentation and
// the hold times are in seconds, so the frame rate does not change the faults.
constexpr double kFps = 30.0;

const PluginScan& Plugins() {
  static const PluginScan scan = ScanPlugins({std::filesystem::path(HL_BINARY_DIR) / "bin"});
  return scan;
}

const MarkerSet& Markers() {
  static const MarkerSet set = ReadMarkerSet(HL_SOURCE_DIR "/data/markersets/default.yml");
  return set;
}

// The per-rep metric a fault is decided on, and its threshold's name, so the
// margins can be printed (value - threshold, signed so > 0 means "fault").
struct FaultMetric {
  const char* metric;
  const char* threshold;
  bool fault_below;                    // the fault is a value under the threshold
  const char* other_metric = nullptr;  // used when the rep has no `metric`
};

const std::map<std::string, FaultMetric>& FaultMetrics() {
  static const std::map<std::string, FaultMetric> m = {
      {"dowel_contact_lost", {"dowel_gap_max_m", "contact_gap_m", false}},
      {"knees_forward", {"knee_travel_max_m", "knee_travel_m", false}},
      {"hips_not_back", {"hip_back_max_m", "hips_back_min_m", true}},
      {"insufficient_hinge", {"trunk_inclination_max_deg", "hinge_min_deg", true}},
      {"back_flexion", {"back_flexion_max_deg", "back_flexion_deg", false}},
      {"wall_not_reached", {"buttocks_back_max_m", "wall_reach_m", true}},
      {"box_not_reached", {"hip_down_max_m", "box_drop_m", true}},
      {"pelvis_drop", {"pelvis_drop_max_deg", "pelvis_drop_deg", false}},
      {"pelvis_rotation", {"pelvis_rotation_max_deg", "pelvis_rotation_deg", false}},
      {"no_pause", {"top_hold_s", "pause_min_s", true}},
      {"incomplete_lockout",
       {"hip_flexion_end_deg", "lockout_max_deg", false, "hip_flexion_top_deg"}},
      {"bar_too_low", {"bar_below_knee_m", "bar_below_knee_max_m", false}},
      {"bar_too_high", {"bar_below_knee_m", "bar_below_knee_min_m", true}},
  };
  return m;
}

// Threshold default of a plugin, NaN if it has none of that name.
double ThresholdOf(const DrillPlugin& plugin, const std::string& name) {
  for (const auto& t : plugin.thresholds()) {
    if (t.name == name) return t.default_value;
  }
  return NAN;
}

double MetricOf(const RepScore& rep, const std::string& name) {
  for (const auto& [n, v] : rep.metrics) {
    if (n == name) return v;
  }
  return NAN;
}

// Smallest (signed) margin per drill x fault over the fault reps and over the
// good reps: fault reps want it large and positive, good reps large and negative.
// Largest |host measure - simulator's true measure| over every frame of every take.
struct MeasureError {
  double max = 0.0;
  std::string where;
};

void CompareMeasures(const DrillScore& score, const sim::SimulatedMotion& take,
                     const std::string& label, std::map<std::string, MeasureError>* errors) {
  using TM = sim::TrueMeasures;
  // The free leg of a single-leg rep swings and turns about its own axis, which
  // a knee plate of two markers cannot see (23 mm off); only the stance knee
  // is judged, so only it is compared.
  std::vector<char> free_leg(take.measures.size(), 0);
  for (const sim::TrueRep& rep : take.reps) {
    if (rep.stance.empty()) continue;
    for (size_t f = 0; f < free_leg.size(); ++f) {
      const double t = f / take.fps;
      if (t >= rep.start_s && t <= rep.end_s) free_leg[f] = rep.stance == "left" ? 'r' : 'l';
    }
  }
  // Pelvis angles: sign conventions differ (host: left up; simulator: left down), so |angle|.
  auto compare = [&](const char* name, double scale, double (*truth_of)(const TM&),
                     bool magnitude = false, char side = 0) {
    const MeasureSeries* s = score.measures.Find(name);
    if (s == nullptr) return;
    for (size_t f = 0; f < s->values.size() && f < take.measures.size(); ++f) {
      const double t = truth_of(take.measures[f]);
      if (!s->valid[f] || !std::isfinite(t) || (side != 0 && free_leg[f] == side)) continue;
      const double v = s->values[f] * scale;
      const double e = magnitude ? std::abs(std::abs(v) - std::abs(t)) : std::abs(v - t);
      MeasureError& m = (*errors)[name];
      if (e > m.max) m.max = e, m.where = label + " frame " + std::to_string(f);
    }
  };
  constexpr double kToDeg = 180.0 / M_PI;
  compare(HL_MEASURE_DOWEL_GAP, 1.0, [](const TM& t) { return t.dowel_gap_sacrum_m; });
  compare(HL_MEASURE_HIP_BACK, 1.0, [](const TM& t) { return t.hip_back_m; });
  compare(HL_MEASURE_HIP_DOWN, 1.0, [](const TM& t) { return t.hip_down_m; });
  compare(
      HL_MEASURE_KNEE_TRAVEL_LEFT, 1.0, [](const TM& t) { return t.knee_forward_l_m; }, false, 'l');
  compare(
      HL_MEASURE_KNEE_TRAVEL_RIGHT, 1.0, [](const TM& t) { return t.knee_forward_r_m; }, false,
      'r');
  compare(HL_MEASURE_TRUNK_INCLINATION, kToDeg,
          [](const TM& t) { return t.trunk_inclination_deg; });
  compare(HL_MEASURE_BACK_FLEXION, kToDeg, [](const TM& t) { return t.back_flexion_deg; });
  compare(
      HL_MEASURE_PELVIS_DROP, kToDeg, [](const TM& t) { return t.pelvis_drop_deg; }, true);
  compare(
      HL_MEASURE_PELVIS_ROTATION, kToDeg, [](const TM& t) { return t.pelvis_rotation_deg; }, true);
}

struct Margin {
  double fault_min = INFINITY;  // min over fault reps of (past the threshold)
  double good_max = -INFINITY;  // max over reps without the fault
  std::string unit;
};

TEST(TruthConfusion, EveryDrillDetectsItsFaultsWithoutFalseAlarmsFromTruth) {
  std::map<std::string, test::RepConfusion> table;
  std::map<std::string, std::map<std::string, Margin>> margins;
  std::map<std::string, int> not_assessable;
  std::map<std::string, MeasureError> errors;
  for (int seed = 1; seed <= kSeeds; ++seed) {
    sim::StaticOptions so;
    so.fps = kFps;
    so.seed = static_cast<uint64_t>(seed);
    so.num_frames = static_cast<int>(2 * kFps);
    const sim::SimulatedMotion stat = sim::SimulateStatic(so, Markers(), sim::Anthropometry{});
    for (const sim::DrillInfo& info : sim::Drills()) {
      auto plugin = Plugins().Find(info.id);
      ASSERT_NE(plugin, nullptr) << "no plugin for " << info.id << " in " << HL_BINARY_DIR "/bin";
      std::vector<std::vector<std::string>> combos = {{}};
      for (const auto& f : info.faults) combos.push_back({f});
      for (size_t combo = 0; combo < combos.size(); ++combo) {
        const std::vector<std::string>& faults = combos[combo];
        sim::DrillMotionOptions o;
        o.drill = info.id;
        o.reps = kReps;
        o.rep_faults.assign(kReps, faults);
        o.fps = kFps;
        o.seed = static_cast<uint64_t>(seed * 100 + combo);
        const sim::SimulatedMotion take = sim::SimulateDrill(o, Markers(), sim::Anthropometry{});
        // Drills whose checks need no trunk also without one: bridges as
        // reconstructions see them (the thorax lies on the floor or bench),
        // and the kneeling squat; hip flexion then comes from the pelvis plate.
        std::vector<std::pair<std::string, SegmentLabels>> variants = {
            {info.id, SegmentLabelsFromMarkerSet(Markers())}};
        if (info.id.find("bridge") != std::string::npos || info.id == "kneeling_squat") {
          SegmentLabels no_trunk = variants[0].second;
          no_trunk.erase("thorax");
          no_trunk.erase("dowel");
          variants.emplace_back(info.id + " -trunk", no_trunk);
        }
        for (const auto& [key, segments] : variants) {
          const std::string label = key + (faults.empty() ? "" : "+" + faults[0]);
          const DrillScore score = ScoreTrial(*plugin, take.truth, segments, &stat.truth);
          if (!score.assessable) {
            ++not_assessable[key];
            std::string why;
            for (const auto& s : score.missing_segments) why += " missing " + s + ";";
            for (const auto& n : score.notes) why += " " + n + ";";
            std::printf("  %s seed %d: NOT assessable:%s\n", label.c_str(), seed, why.c_str());
          }
          CompareMeasures(score, take, label + " seed " + std::to_string(seed), &errors);
          for (const test::RepMatch& m :
               test::MatchReps(take.reps, score.reps, info.faults, &table[key])) {
            if (m.truth == nullptr) {
              std::printf("  %s seed %d: extra rep %.1f-%.1f s\n", label.c_str(), seed,
                          m.scored->start_s, m.scored->end_s);
              continue;
            }
            if (m.scored == nullptr) {
              std::printf("  %s seed %d: rep %.1f-%.1f s not found\n", label.c_str(), seed,
                          m.truth->start_s, m.truth->end_s);
            }
            for (const test::FaultCall& c : m.calls) {
              auto fm = FaultMetrics().find(c.fault);
              if (m.scored != nullptr && fm != FaultMetrics().end()) {
                double v = MetricOf(m.scored->rep, fm->second.metric);
                if (!std::isfinite(v) && fm->second.other_metric) {
                  v = MetricOf(m.scored->rep, fm->second.other_metric);
                }
                const double t = ThresholdOf(*plugin, fm->second.threshold);
                if (std::isfinite(v) && std::isfinite(t)) {
                  const double past = fm->second.fault_below ? t - v : v - t;
                  Margin& margin = margins[key][c.fault];
                  margin.unit = fm->second.threshold;
                  if (c.truth_has)
                    margin.fault_min = std::min(margin.fault_min, past);
                  else
                    margin.good_max = std::max(margin.good_max, past);
                }
              }
              if (c.truth_has != c.said) {
                std::printf("  %s seed %d rep %.1f-%.1f s: %s %s\n", label.c_str(), seed,
                            m.truth->start_s, m.truth->end_s, c.fault.c_str(),
                            c.truth_has ? "missed" : "false alarm");
              }
            }
          }
        }
      }
    }
  }

  std::printf("\nconfusion table from TRUE trajectories: %d seeds x %d reps per drill x fault\n",
              kSeeds, kReps);
  std::printf("%-20s %-20s %4s %4s %4s %4s %7s %7s  %s\n", "drill", "fault", "TP", "FN", "FP", "TN",
              "recall", "f.alarm", "margin: fault past thr (min) / good past thr (max)");
  for (const auto& [drill, confusion] : table) {
    for (const auto& [fault, c] : confusion.faults) {
      const Margin& m = margins[drill][fault];
      std::printf("%-20s %-20s %4d %4d %4d %4d %6.1f%% %6.1f%%", drill.c_str(), fault.c_str(), c.tp,
                  c.fn, c.fp, c.tn, c.recall_percent(), c.false_alarm_percent());
      if (!m.unit.empty()) {
        std::printf("  %+.3f / %+.3f (%s)", m.fault_min, m.good_max, m.unit.c_str());
      }
      std::printf("\n");
    }
    const test::ConfusionCell sum = confusion.Total();
    const double recall = sum.recall_percent();
    const double false_alarms = sum.false_alarm_percent();
    std::printf("%-20s %-20s %4d %4d %4d %4d %6.1f%% %6.1f%%  reps %d, not found %d, extra %d\n",
                drill.c_str(), "ALL", sum.tp, sum.fn, sum.fp, sum.tn, recall, false_alarms,
                confusion.true_reps, confusion.missed_reps, confusion.extra_reps);
    EXPECT_GE(recall, 95.0) << drill;
    EXPECT_LE(false_alarms, 5.0) << drill;
    EXPECT_EQ(not_assessable[drill], 0) << drill;
    // Truth has no tracking gaps: every labelled rep is found, none invented.
    EXPECT_EQ(confusion.missed_reps, 0) << drill;
    EXPECT_EQ(confusion.extra_reps, 0) << drill;
  }
  EXPECT_EQ(table.size(), 15u);  // 12 drills, 3 of them also without a trunk
  std::printf(
      "\nhost measures from TRUE trajectories vs the simulator's true measures (max |error|):\n");
  for (const auto& [name, e] : errors) {
    const bool metres = name.size() > 2 && name.compare(name.size() - 2, 2, "_m") == 0;
    std::printf("  %-24s %8.3f %s  at %s\n", name.c_str(), metres ? 1000 * e.max : e.max,
                metres ? "mm " : "deg", e.where.c_str());
    // From truth the host's geometry must be exact up to the simulator's own
    // model differences (landmarks carried by rigid plates): 1 mm, 0.5 deg.
    EXPECT_LT(e.max, metres ? 0.001 : 0.5) << name << " at " << e.where;
  }
}

}  // namespace
}  // namespace hl
