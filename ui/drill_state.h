#pragma once
// The drill panel's state, apart from drawing: the drill plugins found, the
// one picked, its thresholds as the user edited them, re-scoring the
// viewer's trial with them, and the exact text the panel shows for a score
// (so a test can hold it against `hingelab score --json`).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugins/host/plugin_host.h"
#include "ui/viewer_state.h"

namespace hl {

class DrillState {
 public:
  // Loads every plugin in `dirs`; refused ones are listed in refused().
  void Scan(const std::vector<std::filesystem::path>& dirs);
  const std::vector<std::shared_ptr<DrillPlugin>>& plugins() const { return plugins_; }
  const std::vector<RefusedPlugin>& refused() const { return refused_; }

  // Picks a plugin by id (false when none has it) or index; thresholds go
  // back to the plugin's defaults.
  bool Select(const std::string& id);
  void SelectIndex(int index);
  int selected() const { return selected_; }
  // nullptr when none is picked.
  const DrillPlugin* plugin() const;

  // Current threshold values by name, in each threshold's own unit.
  const std::map<std::string, double>& thresholds() const { return thresholds_; }
  // False (nothing changes) for a name the plugin does not have or a non-finite value.
  bool SetThreshold(const std::string& name, double value);
  void ResetThresholds();
  // Names whose value differs from the plugin's default.
  std::map<std::string, double> ChangedThresholds() const;
  // Changes whenever plugin() or thresholds() may have (plot caches key on it).
  uint64_t generation() const { return generation_.value(); }

  // Scores with the picked plugin and the current thresholds (static trial: none).
  // Empty when no plugin is picked.
  ViewerState::Scorer MakeScorer() const;
  // Re-scores `state` with MakeScorer(); false (and a message in the state)
  // when no plugin is picked or scoring fails.
  bool Rescore(ViewerState* state) const;

 private:
  std::vector<std::shared_ptr<DrillPlugin>> plugins_;
  std::vector<RefusedPlugin> refused_;
  int selected_ = -1;
  std::map<std::string, double> thresholds_;
  DataGeneration generation_;
};

// The drill panel's text for the state's score.
struct DrillPanelRep {
  std::string title;                 // "rep 1  0.800-3.900 s  grade 2  score 70"
  std::vector<std::string> faults;   // "knees_forward: <cue>"
  std::vector<std::string> metrics;  // "knee_travel_max_m  70.0 mm"
};
struct DrillPanelText {
  // "dowel_hinge: grade 2, score 71, faults: knees_forward" or
  // "dowel_hinge: not assessable, missing: pelvis"; empty when not scored.
  std::string summary;
  std::vector<DrillPanelRep> reps;
};
DrillPanelText MakeDrillPanelText(const ViewerState& state);

// How the panel prints one metric, in the Score JSON's precision (0.1 mm,
// 0.01 deg, 1 ms), so equal JSON values give equal text.
std::string FormatMetric(const std::string& name, double value);
std::string FormatRepTitle(int index, double start_s, double end_s, int grade, int score);
std::string FormatSummary(const std::string& drill, bool assessable, int grade, int score,
                          const std::vector<std::string>& faults,
                          const std::vector<std::string>& missing_segments);

}  // namespace hl
