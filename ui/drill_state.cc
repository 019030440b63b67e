#include "ui/drill_state.h"

#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "plugins/host/drill_score.h"

namespace hl {
namespace {

bool EndsWith(const std::string& s, const char* suffix) {
  const std::string x(suffix);
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

void DrillState::Scan(const std::vector<std::filesystem::path>& dirs) {
  PluginScan scan = ScanPlugins(dirs);
  plugins_ = std::move(scan.plugins);
  refused_ = std::move(scan.refused);
  selected_ = -1;
  thresholds_.clear();
  generation_.Bump();
}

bool DrillState::Select(const std::string& id) {
  for (size_t i = 0; i < plugins_.size(); ++i) {
    if (plugins_[i]->id() == id) {
      SelectIndex(static_cast<int>(i));
      return true;
    }
  }
  return false;
}

void DrillState::SelectIndex(int index) {
  selected_ = (index >= 0 && index < static_cast<int>(plugins_.size())) ? index : -1;
  ResetThresholds();
}

const DrillPlugin* DrillState::plugin() const {
  return selected_ >= 0 ? plugins_[selected_].get() : nullptr;
}

void DrillState::ResetThresholds() {
  thresholds_.clear();
  generation_.Bump();
  if (const DrillPlugin* p = plugin()) {
    for (const ThresholdInfo& t : p->thresholds()) thresholds_[t.name] = t.default_value;
  }
}

bool DrillState::SetThreshold(const std::string& name, double value) {
  const auto it = thresholds_.find(name);
  if (it == thresholds_.end() || !std::isfinite(value)) return false;
  if (it->second != value) generation_.Bump();
  it->second = value;
  return true;
}

std::map<std::string, double> DrillState::ChangedThresholds() const {
  std::map<std::string, double> changed;
  if (const DrillPlugin* p = plugin()) {
    for (const ThresholdInfo& t : p->thresholds()) {
      const auto it = thresholds_.find(t.name);
      if (it != thresholds_.end() && it->second != t.default_value) changed[t.name] = it->second;
    }
  }
  return changed;
}

ViewerState::Scorer DrillState::MakeScorer() const {
  if (selected_ < 0) return {};
  std::shared_ptr<DrillPlugin> plugin = plugins_[selected_];
  ScoreOptions options;
  // Only edited values are passed, so the score JSON's defaults stay the plugin's own.
  options.thresholds = ChangedThresholds();
  return [plugin, options](const Trajectories& trial, const SegmentLabels& segments) {
    return ScoreTrial(*plugin, trial, segments, nullptr, options);
  };
}

bool DrillState::Rescore(ViewerState* state) const {
  const ViewerState::Scorer scorer = MakeScorer();
  if (!scorer) {
    state->Rescore([](const Trajectories&, const SegmentLabels&) -> DrillScore {
      throw Error("drill", "no drill plugin picked; choose one in the drill panel");
    });
    return false;
  }
  return state->Rescore(scorer);
}

std::string FormatMetric(const std::string& name, double value) {
  char text[160];
  if (EndsWith(name, "_m")) {
    std::snprintf(text, sizeof(text), "%s  %.1f mm", name.c_str(), std::round(value * 1e4) / 10);
  } else if (EndsWith(name, "_deg")) {
    std::snprintf(text, sizeof(text), "%s  %.2f deg", name.c_str(), std::round(value * 100) / 100);
  } else if (EndsWith(name, "_s")) {
    std::snprintf(text, sizeof(text), "%s  %.3f s", name.c_str(), std::round(value * 1000) / 1000);
  } else {
    std::snprintf(text, sizeof(text), "%s  %.4g", name.c_str(), value);
  }
  return text;
}

std::string FormatRepTitle(int index, double start_s, double end_s, int grade, int score) {
  char text[128];
  std::snprintf(text, sizeof(text), "rep %d  %.3f-%.3f s  grade %d  score %d", index,
                std::round(start_s * 1000) / 1000, std::round(end_s * 1000) / 1000, grade, score);
  return text;
}

std::string FormatSummary(const std::string& drill, bool assessable, int grade, int score,
                          const std::vector<std::string>& faults,
                          const std::vector<std::string>& missing_segments) {
  if (!assessable) {
    return drill + ": not assessable" +
           (missing_segments.empty() ? std::string() : ", missing: " + Join(missing_segments));
  }
  return drill + ": grade " + std::to_string(grade) + ", score " + std::to_string(score) +
         ", faults: " + (faults.empty() ? std::string("none") : Join(faults));
}

DrillPanelText MakeDrillPanelText(const ViewerState& state) {
  DrillPanelText text;
  if (!state.score()) return text;
  const DrillScore& s = *state.score();
  text.summary =
      FormatSummary(s.drill, s.assessable, s.grade, s.score, s.faults, s.missing_segments);
  for (const ScoredRep& r : s.reps) {
    DrillPanelRep rep;
    rep.title = FormatRepTitle(r.index, r.start_s, r.end_s, r.rep.grade,
                               static_cast<int>(std::lround(r.rep.score)));
    for (size_t k = 0; k < r.rep.faults.size(); ++k) {
      rep.faults.push_back(r.rep.faults[k] + (k < r.rep.cues.size() ? ": " + r.rep.cues[k] : ""));
    }
    for (const auto& [name, value] : r.rep.metrics)
      rep.metrics.push_back(FormatMetric(name, value));
    text.reps.push_back(std::move(rep));
  }
  return text;
}

}  // namespace hl
