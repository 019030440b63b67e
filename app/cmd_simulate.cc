// hingelab simulate --drill ID [--fault F]... -o DIR: a simulated take with
// ground truth (or --scene calibration / static), written as a session folder.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <tuple>
#include <vector>

#include "app/command.h"
#include "capture/sim/drills.h"
#include "capture/sim/rig_presets.h"
#include "capture/sim/simulate.h"
#include "core/error.h"
#include "core/json.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

// data/... shipped with the program: beside a build tree (<build>/bin/hingelab
// -> <source>/data via ../../data) or an install (<prefix>/bin -> ../data),
// else the source tree the program was built from.
fs::path ShippedFile(const std::string& relative) {
  std::vector<fs::path> candidates;
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  if (n > 0) {
    exe[n] = '\0';
    const fs::path dir = fs::path(exe).parent_path();
    candidates.push_back(dir / "../../data" / relative);
    candidates.push_back(dir / "../data" / relative);
    candidates.push_back(dir / "../share/hingelab/data" / relative);
  }
  candidates.push_back(fs::path(HL_SOURCE_DIR) / "data" / relative);
  for (const auto& c : candidates) {
    std::error_code ec;
    if (fs::is_regular_file(c, ec)) return fs::weakly_canonical(c, ec);
  }
  throw Error("data/" + relative, "not found beside the program or in " HL_SOURCE_DIR
                                  "; pass the file explicitly");
}

int ParseInt(const Args& args, const std::string& name, int fallback, int lo, int hi) {
  if (!args.has(name)) return fallback;
  const std::string& v = args.value(name);
  size_t used = 0;
  long long x = 0;
  try {
    x = std::stoll(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || x < lo || x > hi) {
    throw UsageError("--" + name + " needs a whole number within " + std::to_string(lo) + "-" +
                     std::to_string(hi) + ", not '" + v + "'");
  }
  return static_cast<int>(x);
}

double ParsePositive(const Args& args, const std::string& name) {
  if (!args.has(name)) return 0.0;
  const std::string& v = args.value(name);
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != v.size() || !(x > 0) || x > 1e6) {
    throw UsageError("--" + name + " needs a positive number, not '" + v + "'");
  }
  return x;
}

std::string Join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

int RunSimulate(const Args& args) {
  sim::SimulateOptions o;
  o.scene = args.value_or("scene", "drill");
  if (o.scene != "drill" && o.scene != "static" && o.scene != "calibration") {
    throw UsageError("--scene must be drill, static or calibration, not '" + o.scene + "'");
  }
  if (o.scene == "drill") {
    if (!args.has("drill")) {
      throw UsageError("give --drill ID (one of: " + sim::DrillIdList() + ") or --scene");
    }
    o.drill = args.value("drill");
    const sim::DrillInfo* info = sim::FindDrill(o.drill);
    if (!info) {
      throw UsageError("unknown drill '" + o.drill + "'; drills: " + sim::DrillIdList());
    }
    for (const std::string& f : args.values("fault")) {
      if (std::find(info->faults.begin(), info->faults.end(), f) == info->faults.end()) {
        throw UsageError("drill " + o.drill + " cannot have fault '" + f +
                         "'; its faults: " + Join(info->faults));
      }
      if (std::find(o.faults.begin(), o.faults.end(), f) == o.faults.end()) o.faults.push_back(f);
    }
  } else if (args.has("drill") || args.has("fault")) {
    throw UsageError("--drill and --fault go with --scene drill only");
  }
  if (!args.has("o")) throw UsageError("give the session folder to write with -o DIR");
  o.output_dir = args.value("o");
  o.rig = args.value_or("rig", "studio4");
  if (!sim::IsRigPreset(o.rig) && !fs::exists(o.rig)) {
    throw UsageError("--rig '" + o.rig + "' is neither a preset (" + Join(sim::RigPresetNames()) +
                     ") nor a rig file");
  }
  o.markers_path = args.has("markers") ? fs::path(args.value("markers"))
                                       : ShippedFile("markersets/default.yml");
  o.reps = ParseInt(args, "reps", 3, 1, 1000);
  o.seed = static_cast<uint64_t>(ParseInt(args, "seed", 1, 0, 2000000000));
  o.frames = ParseInt(args, "frames", 0, 1, 1000000);
  o.duration_s = ParsePositive(args, "duration");
  o.fps = ParsePositive(args, "fps");
  if (args.has("size")) {
    std::tie(o.width, o.height) = ParseImageSize(args.value("size"));
  }
  o.take = args.value_or("take", "");
  o.replace = args.has("replace");
  o.render_images = !args.has("truth-only");
  const bool json = args.has("json");
  if (!json && StderrIsTerminal()) {
    o.progress = [](int done, int total) {
      std::fprintf(stderr, "\rrendering frame %d/%d", done, total);
      if (done == total) std::fprintf(stderr, "\n");
    };
  }
  const sim::SimulateSummary s = sim::SimulateTake(o);
  if (s.kept_session_rig) {
    std::fprintf(stderr, "note: %s: kept (the session's rig, e.g. a calibration); the simulator's "
                 "true rig is %s\n", (o.output_dir / "rig.yml").string().c_str(),
                 (s.take_dir / "truth" / "rig.toml").string().c_str());
  }
  if (json) {
    Json j = Json::MakeObject();
    j["take_dir"] = s.take_dir.string();
    j["kind"] = s.kind;
    if (s.kind == "drill") {
      j["drill"] = o.drill;
      j["faults"] = Json::ArrayOf(o.faults);
      j["reps"] = s.reps;
    }
    j["frames"] = s.frames;
    j["fps"] = s.fps;
    j["cameras"] = s.cameras;
    j["markers"] = s.markers;
    j["images"] = o.render_images;
    std::printf("%s\n", j.Dump().c_str());
  } else {
    std::printf("%s: %s take, %d frames at %s fps, %d cameras%s\n", s.take_dir.string().c_str(),
                s.kind.c_str(), s.frames, FormatDouble(s.fps).c_str(), s.cameras,
                o.render_images ? "" : " (truth only, no images)");
  }
  return 0;
}

HL_REGISTER_COMMAND(simulate_command,
                    {"simulate",
                     "a simulated take (drill, static trial or calibration) with ground truth",
                     "--drill ID [--fault F]... -o DIR | --scene calibration|static -o DIR",
                     {{"drill", true, "drill id of drills.md"},
                      {"fault", true, "a fault of that drill, in every rep (repeatable)"},
                      {"o", true, "session folder to write (created when absent)"},
                      {"scene", true, "drill (default), static or calibration"},
                      {"rig", true, "rig preset (studio4, studio8, lab2) or rig file; default studio4"},
                      {"markers", true, "marker set file; default data/markersets/default.yml"},
                      {"reps", true, "repetitions (default 3)"},
                      {"seed", true, "random seed (default 1); the same seed gives the same take"},
                      {"frames", true, "exactly this many frames"},
                      {"duration", true, "seconds (when --frames is not given)"},
                      {"fps", true, "frame rate (default: the rig's; calibration 10)"},
                      {"size", true, "image size WxH; intrinsics scale with it"},
                      {"take", true, "take folder name (default: drill id and faults)"},
                      {"replace", false, "write over a take of the same name (default: refuse)"},
                      {"truth-only", false, "write truth and metadata, no images"},
                      {"json", false, "print one JSON object"}},
                     RunSimulate,
                     0});

}  // namespace
}  // namespace hl::app
