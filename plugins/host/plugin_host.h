#pragma once

// Loading drill plugins (plugins/hingelab_plugin.h) and calling them safely.
//
// The host trusts nothing a plugin returns: the descriptor, every count, every
// string and every number is checked before use, and a plugin that reports a
// failure (or lets an exception escape) becomes an hl::Error naming its file.
// A plugin is kept loaded for as long as anything made from it lives.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugins/hingelab_plugin.h"

namespace hl {

struct MeasureSeries;

// The fault names of drills.md, in its order.
const std::vector<std::string>& FaultVocabulary();
bool IsKnownFault(std::string_view name);
// Segment names of drills.md (dowel, pelvis, knee_left, ...).
const std::vector<std::string>& DrillSegmentNames();
// Measure series names of the ABI (HL_MEASURE_*).
const std::vector<std::string>& MeasureNames();

struct ThresholdInfo {
  std::string name;
  double default_value = 0.0;
  std::string unit;
  std::string description;
  std::string source;
};

struct RepScore {
  int start_frame = 0;
  int end_frame = 0;
  double score = 0.0;
  int grade = 0;
  std::vector<std::string> faults;
  std::vector<std::string> cues;  // cues[i] for faults[i]
  std::vector<std::pair<std::string, double>> metrics;
};

struct PluginScore {
  bool assessable = false;
  std::vector<std::string> missing_segments;
  std::string message;
  std::vector<RepScore> reps;
};

struct LiveFeedback {
  int rep_count = 0;
  bool in_rep = false;
  std::vector<std::string> faults;
  std::vector<std::string> cues;
};

// A repetition as the host hands it to a plugin (see reps.h for how it is found).
struct RepSpan {
  int start_frame = 0;
  int end_frame = 0;
  int peak_frame = 0;
  double peak_hold_s = 0.0;
};

class DrillInstance;

class DrillPlugin : public std::enable_shared_from_this<DrillPlugin> {
 public:
  // Throws hl::Error(path, why) when the file is not a usable plugin: not
  // loadable, no entry point, another major API version, a descriptor too
  // small or with invalid contents.
  static std::shared_ptr<DrillPlugin> Load(const std::filesystem::path& path);
  ~DrillPlugin();
  DrillPlugin(const DrillPlugin&) = delete;
  DrillPlugin& operator=(const DrillPlugin&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::string& id() const { return id_; }
  const std::string& title() const { return title_; }
  const std::string& version() const { return version_; }
  uint32_t api_version() const { return api_version_; }
  // Each entry is a list of alternatives ("dowel|thorax" -> {"dowel", "thorax"}).
  const std::vector<std::vector<std::string>>& required_segments() const { return required_; }
  const std::vector<std::string>& optional_segments() const { return optional_; }
  const std::vector<ThresholdInfo>& thresholds() const { return thresholds_; }
  const std::string& rep_signal() const { return rep_signal_; }
  double rep_min_amplitude() const { return rep_min_amplitude_; }

  // The required entries no segment in `present` satisfies, as written ("dowel|thorax").
  std::vector<std::string> MissingSegments(const std::vector<std::string>& present) const;

  // A scoring context. `thresholds` overrides defaults by name; an unknown
  // name throws hl::Error naming the plugin and listing the known ones.
  std::unique_ptr<DrillInstance> Create(const std::map<std::string, double>& thresholds,
                                        double fps) const;

 private:
  DrillPlugin() = default;
  std::string Where() const;

  friend class DrillInstance;
  std::filesystem::path path_;
  void* handle_ = nullptr;
  const hl_plugin_descriptor* descriptor_ = nullptr;
  uint32_t api_version_ = 0;
  std::string id_, title_, version_, rep_signal_;
  double rep_min_amplitude_ = 0.0;
  std::vector<std::vector<std::string>> required_;
  std::vector<std::string> optional_;
  std::vector<ThresholdInfo> thresholds_;
};

// One plugin context (create/destroy), able to score and to stream.
class DrillInstance {
 public:
  ~DrillInstance();
  DrillInstance(const DrillInstance&) = delete;
  DrillInstance& operator=(const DrillInstance&) = delete;

  // Scores a recording. Throws hl::Error naming the plugin when it fails,
  // returns anything invalid, crashes or hangs (score() runs in a child
  // process: plugin_child.h); a plugin's "not assessable" is a normal result.
  PluginScore Score(double fps, int num_frames, const std::vector<MeasureSeries>& series,
                    const std::vector<RepSpan>& reps, const std::vector<std::string>& segments,
                    bool has_static_trial);
  // One frame of measures (series name -> value; absent names are invalid).
  LiveFeedback Update(double time_s, const std::vector<std::pair<std::string, double>>& values);

 private:
  friend class DrillPlugin;
  // Score in this process: the C call and the checks of what it returned.
  PluginScore ScoreHere(double fps, int num_frames, const std::vector<MeasureSeries>& series,
                        const std::vector<RepSpan>& reps, const std::vector<std::string>& segments,
                        bool has_static_trial);
  DrillInstance(std::shared_ptr<const DrillPlugin> plugin, void* context)
      : plugin_(std::move(plugin)), context_(context) {}
  std::shared_ptr<const DrillPlugin> plugin_;
  void* context_ = nullptr;
};

struct RefusedPlugin {
  std::filesystem::path path;
  std::string reason;
};

struct PluginScan {
  std::vector<std::shared_ptr<DrillPlugin>> plugins;  // sorted by id
  std::vector<RefusedPlugin> refused;
  // nullptr when no plugin has that id.
  std::shared_ptr<DrillPlugin> Find(std::string_view id) const;
};

// HINGELAB_PLUGIN_PATH entries (colon-separated, searched first so a user can
// override a shipped drill), then the folder holding the running program.
std::vector<std::filesystem::path> DefaultPluginDirs();

// Loads every libhl_drill_*.so in `dirs` (other files are never dlopen'ed, so
// no foreign library runs its constructors in our process). A plugin whose id
// was already found earlier is refused as a duplicate.
PluginScan ScanPlugins(const std::vector<std::filesystem::path>& dirs);

}  // namespace hl
