// hingelab score RECORDING --drill ID [--markers SET] [--static REC]
//   [--thresholds FILE] [--json] [--report OUT.html]
// Per-rep scores and faults of one drill, from a drill plugin.

#include <cstdio>
#include <filesystem>
#include <string>

#include "app/command.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/marker_set.h"
#include "core/recording.h"
#include "plugins/host/drill_score.h"
#include "plugins/host/report.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

void PrintText(const DrillScore& s) {
  if (!s.assessable) {
    std::printf("drill %s: not assessable (grade 0)", s.drill.c_str());
    if (!s.missing_segments.empty()) {
      std::printf("; missing segments: %s", Join(s.missing_segments, ", ").c_str());
    }
    std::printf("\n");
  } else {
    std::printf("drill %s: grade %d, score %d over %zu repetitions\n", s.drill.c_str(), s.grade,
                s.score, s.reps.size());
    std::printf("faults: %s\n", s.faults.empty() ? "none" : Join(s.faults, ", ").c_str());
    for (const auto& r : s.reps) {
      std::printf("  rep %d  %.2f-%.2f s  grade %d  score %.0f  %s\n", r.index, r.start_s, r.end_s,
                  r.rep.grade, r.rep.score,
                  r.rep.faults.empty() ? "clean" : Join(r.rep.faults, ", ").c_str());
      for (size_t i = 0; i < r.rep.faults.size(); ++i) {
        std::printf("      cue (%s): %s\n", r.rep.faults[i].c_str(), r.rep.cues[i].c_str());
      }
      std::string metrics;
      for (const auto& [name, value] : r.rep.metrics) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "%s%s=%.4g", metrics.empty() ? "" : "  ", name.c_str(), value);
        metrics += buf;
      }
      std::printf("      %s\n", metrics.c_str());
    }
  }
  for (const auto& n : s.notes) std::printf("note: %s\n", n.c_str());
}

int RunScore(const Args& args) {
  if (args.positional().size() != 1) throw UsageError("score needs exactly one RECORDING");
  const fs::path recording_path = args.positional()[0];
  const std::string drill = args.value("drill");

  const PluginScan scan = ScanPlugins(DefaultPluginDirs());
  const auto plugin = scan.Find(drill);
  if (!plugin) {
    std::vector<std::string> ids;
    for (const auto& p : scan.plugins) ids.push_back(p->id());
    // A plugin for it that was refused (another ABI version, a failing
    // descriptor) is the likelier cause than a misspelt id: say which and why.
    for (const RefusedPlugin& r : scan.refused) {
      if (r.path.filename().string() == "libhl_drill_" + drill + ".so") {
        throw Error(r.path.string(), "the plugin for drill '" + drill + "' was refused: " + r.reason);
      }
    }
    throw Error("--drill", "no plugin for drill '" + drill + "'; found: " +
                               (ids.empty() ? std::string("none") : Join(ids, ", ")) +
                               " (see 'hingelab plugins')");
  }
  if (args.has("report")) CheckWritable(args.value("report"));

  const Recording recording = ReadRecording(recording_path);
  MarkerSet markers;
  if (args.has("markers")) {
    markers = ReadMarkerSet(args.value("markers"));
  } else if (!recording.marker_set_yaml.empty()) {
    markers = ParseMarkerSet(recording.marker_set_yaml, recording_path.string() + " (marker set)");
  } else {
    throw Error(recording_path.string(),
                "carries no marker set, so its markers' segments are unknown; give --markers SET");
  }
  Trajectories static_points;
  const bool has_static = args.has("static");
  if (has_static) static_points = ReadRecording(args.value("static")).points;

  ScoreOptions options;
  if (args.has("thresholds")) {
    const ThresholdFile file = ReadThresholdFile(args.value("thresholds"));
    file.CheckNames(scan.plugins);
    options.thresholds = file.For(*plugin);
  }

  DrillScore score;
  try {
    score = ScoreTrial(*plugin, recording.points, SegmentLabelsFromMarkerSet(markers),
                       has_static ? &static_points : nullptr, options);
  } catch (const Error& e) {
    // The measures name the input by its role; the user knows it by its file.
    if (e.where() == "recording") throw Error(recording_path.string(), e.message());
    if (e.where() == "static trial" && has_static) throw Error(args.value("static"), e.message());
    throw;
  }
  if (args.has("report")) {
    WriteScoreReport(args.value("report"), score, *plugin, recording_path.filename().string());
  }
  if (args.has("json")) {
    std::printf("%s\n", ScoreToJson(score).Dump().c_str());
    for (const auto& n : score.notes) std::fprintf(stderr, "note: %s\n", n.c_str());
  } else {
    PrintText(score);
    if (args.has("report")) std::printf("report: %s\n", args.value("report").c_str());
  }
  return 0;
}

}  // namespace

HL_REGISTER_COMMAND(score_command,
                    {"score", "per-rep scores and faults of one drill, from its plugin",
                     "RECORDING --drill ID [--markers SET] [--static REC] [--thresholds FILE] "
                     "[--json] [--report OUT.html]",
                     {{"drill", true, "drill id (see 'hingelab plugins')"},
                      {"markers", true, "marker set YAML (a recording HingeLab wrote carries its own)"},
                      {"static", true, "static trial recording (standing tall, dowel in contact)"},
                      {"thresholds", true, "YAML file of threshold overrides"},
                      {"json", false, "print one JSON object (the Score JSON)"},
                      {"report", true, "also write an HTML report"}},
                     RunScore, 1});

}  // namespace hl::app
