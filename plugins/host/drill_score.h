#pragma once

// Scoring one recorded trial with one drill plugin: measures -> repetitions ->
// plugin -> the design's Score JSON. Also the thresholds file of
// `hingelab score --thresholds FILE`.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/trajectory.h"
#include "plugins/host/measures.h"
#include "plugins/host/plugin_host.h"
#include "plugins/host/reps.h"

namespace hl {

// Threshold overrides from a small YAML file:
//   contact_gap_m: 0.03        # top level: every drill that has this threshold
//   dowel_hinge:               # a section: that drill only (names must exist)
//     knee_travel_m: 0.06
struct ThresholdFile {
  std::string name;
  std::map<std::string, double> common;
  std::map<std::string, std::map<std::string, double>> per_drill;

  // The overrides for one plugin. Throws hl::Error naming the file when its
  // section names a threshold the plugin does not have.
  std::map<std::string, double> For(const DrillPlugin& plugin) const;
  // Throws hl::Error naming the file for a section that is no plugin's drill id
  // or a top-level threshold no plugin has: a misspelt name would otherwise be
  // ignored and the default used without a word.
  void CheckNames(const std::vector<std::shared_ptr<DrillPlugin>>& plugins) const;
};
ThresholdFile ParseThresholdFile(std::string_view text, const std::string& name);
ThresholdFile ReadThresholdFile(const std::filesystem::path& path);

struct ScoreOptions {
  std::map<std::string, double> thresholds;  // overrides by name
  MeasureOptions measures;
  RepOptions reps;  // min_amplitude is replaced by the plugin's rep_min_amplitude
  // Frames the repetition signal misses are filled, for segmentation only,
  // from the measure that follows it best when their correlation over the
  // take is at least this.
  double proxy_min_correlation = 0.95;
};

struct ScoredRep {
  int index = 0;  // 1-based
  double start_s = 0.0;
  double end_s = 0.0;
  RepScore rep;
};

struct DrillScore {
  std::string drill;
  bool assessable = false;
  std::vector<std::string> missing_segments;
  int grade = 0;
  int score = 0;
  std::vector<std::string> faults;  // union over reps, in vocabulary order
  std::vector<ScoredRep> reps;
  // Human-readable notes: where the reference posture came from, why the
  // drill was not assessable, what the plugin said.
  std::vector<std::string> notes;
  Measures measures;
  RepSegmentation segmentation;
};

DrillScore ScoreTrial(const DrillPlugin& plugin, const Trajectories& trial,
                      const SegmentLabels& segments, const Trajectories* static_trial,
                      const ScoreOptions& options = {});

// {"drill", "assessable", "missing_segments", "grade", "score", "faults", "reps"}
// exactly as design.md's Score JSON; metrics rounded to 0.1 mm / 0.01 deg / 1 ms.
Json ScoreToJson(const DrillScore& score);

}  // namespace hl
