// hingelab info FILE [--json]: what a recording, rig or marker set holds.

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "app/command.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/marker_set.h"
#include "core/recording.h"
#include "core/recording_summary.h"
#include "core/rig.h"

namespace hl::app {
namespace {

namespace fs = std::filesystem;

// True when some line starts (no indentation: top level) with `key`.
bool HasTopLevelKey(std::string_view text, std::string_view key) {
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    if (text.substr(start, nl - start).substr(0, key.size()) == key) return true;
    start = nl + 1;
  }
  return false;
}

Json RigJson(const Rig& rig) {
  Json j = Json::MakeObject();
  j["type"] = "rig";
  Json cameras = Json::MakeArray();
  for (const Camera& c : rig.cameras) {
    Json cam = Json::MakeObject();
    cam["name"] = c.name;
    cam["image_size"] = Json::ArrayOf(std::vector<int>{c.width, c.height});
    cam["fx"] = c.fx;
    cam["fy"] = c.fy;
    cam["cx"] = c.cx;
    cam["cy"] = c.cy;
    cam["rms_px"] = c.rms_px >= 0 ? Json(c.rms_px) : Json(nullptr);
    cameras.push_back(std::move(cam));
  }
  j["cameras"] = std::move(cameras);
  j["adjusted"] = rig.adjusted;
  j["error_px"] = rig.error_px >= 0 ? Json(rig.error_px) : Json(nullptr);
  return j;
}

std::string RigText(const Rig& rig, const std::string& path) {
  std::string out = path + ": rig, cameras: " + std::to_string(rig.cameras.size());
  if (rig.error_px >= 0) out += ", RMS " + FormatDouble(rig.error_px) + " px";
  out += rig.adjusted ? ", bundle adjusted\n" : "\n";
  char buf[256];
  std::snprintf(buf, sizeof(buf), "  %-16s %11s %10s %10s %10s %10s %8s\n", "camera", "size", "fx",
                "fy", "cx", "cy", "rms px");
  out += buf;
  for (const Camera& c : rig.cameras) {
    const std::string size = std::to_string(c.width) + "x" + std::to_string(c.height);
    const std::string rms = c.rms_px >= 0 ? FormatDouble(c.rms_px) : "?";
    std::snprintf(buf, sizeof(buf), "  %-16s %11s %10.2f %10.2f %10.2f %10.2f %8.8s\n",
                  c.name.c_str(), size.c_str(), c.fx, c.fy, c.cx, c.cy, rms.c_str());
    out += buf;
  }
  return out;
}

Json MarkerSetJson(const MarkerSet& set) {
  Json j = Json::MakeObject();
  j["type"] = "marker_set";
  j["dictionary"] = set.dictionary_name;
  j["marker_length_m"] = set.default_length_m;
  j["markers"] = set.markers.size();
  Json segments = Json::MakeArray();
  for (const std::string& segment : set.Segments()) {
    Json s = Json::MakeObject();
    s["segment"] = segment;
    Json ids = Json::MakeArray();
    Json lengths = Json::MakeArray();
    for (int id : set.IdsOfSegment(segment)) {
      ids.push_back(id);
      lengths.push_back(set.Find(id)->length_m);
    }
    s["ids"] = std::move(ids);
    s["length_m"] = std::move(lengths);
    segments.push_back(std::move(s));
  }
  j["segments"] = std::move(segments);
  return j;
}

std::string MarkerSetText(const MarkerSet& set, const std::string& path) {
  std::string out = path + ": marker set, " + set.dictionary_name + ", " +
                    std::to_string(set.markers.size()) + " markers, " +
                    FormatDouble(set.default_length_m) + " m by default\n";
  for (const std::string& segment : set.Segments()) {
    out += "  " + segment + ":";
    for (int id : set.IdsOfSegment(segment)) {
      out += " " + std::to_string(id);
      const double length = set.Find(id)->length_m;
      if (length != set.default_length_m) out += " (" + FormatDouble(length) + " m)";
    }
    out += "\n";
  }
  return out;
}

void Print(const Json& j, const std::string& text, bool json) {
  if (json) {
    std::printf("%s\n", j.Dump().c_str());
  } else {
    std::fputs(text.c_str(), stdout);
  }
}

int RunInfo(const Args& args) {
  if (args.positional().size() != 1) throw UsageError("info needs one FILE");
  const fs::path path = args.positional()[0];
  const std::string name = path.string();
  const bool json = args.has("json");
  const std::string ext = LowerExtension(path);
  if (ext == "c3d" || ext == "trc" || ext == "csv") {
    const Recording rec = ReadRecording(path);
    const Json summary = SummarizeRecording(rec, name);
    Print(summary, RecordingSummaryText(summary, name), json);
    return 0;
  }
  if (ext == "toml") {
    const Rig rig = ReadRig(path);
    Print(RigJson(rig), RigText(rig, name), json);
    return 0;
  }
  if (ext == "yml" || ext == "yaml") {
    const std::string text = ReadFileText(path, uint64_t{64} << 20);
    if (text.find("hingelab-rig-1") != std::string::npos || HasTopLevelKey(text, "cameras:")) {
      const Rig rig = ReadRig(path);
      Print(RigJson(rig), RigText(rig, name), json);
      return 0;
    }
    if (HasTopLevelKey(text, "markers:") || HasTopLevelKey(text, "dictionary:")) {
      const MarkerSet set = ReadMarkerSet(path);
      Print(MarkerSetJson(set), MarkerSetText(set, name), json);
      return 0;
    }
    throw Error(name,
                "is neither a rig (format: hingelab-rig-1 with cameras) nor a marker set "
                "(dictionary and markers); check that it is the file you meant");
  }
  throw Error(name, "unknown file type '" + (ext.empty() ? "" : "." + ext) +
                        "'; info reads recordings (.c3d, .trc, .csv), rigs (.yml, .yaml, .toml) "
                        "and marker sets (.yml, .yaml)");
}

HL_REGISTER_COMMAND(info_command,
                    {"info",
                     "summary of a recording (.c3d, .trc, .csv), rig (.yml, .yaml, .toml) or "
                     "marker set (.yml, .yaml)",
                     "FILE [--json]",
                     {{"json", false, "print one JSON object"}},
                     RunInfo,
                     1});

}  // namespace
}  // namespace hl::app
