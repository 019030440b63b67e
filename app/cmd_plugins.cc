// hingelab plugins [--json]: the drill plugins found, their versions and
// required segments, and the files refused with the reason.

#include <cstdio>
#include <string>

#include "app/command.h"
#include "core/json.h"
#include "plugins/host/plugin_host.h"

namespace hl::app {
namespace {

std::string ApiText(uint32_t v) {
  return std::to_string(HL_PLUGIN_API_MAJOR(v)) + "." + std::to_string(HL_PLUGIN_API_MINOR(v));
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::vector<std::string> RequiredText(const DrillPlugin& p) {
  std::vector<std::string> out;
  for (const auto& alternatives : p.required_segments()) out.push_back(Join(alternatives, "|"));
  return out;
}

int RunPlugins(const Args& args) {
  const auto dirs = DefaultPluginDirs();
  const PluginScan scan = ScanPlugins(dirs);
  if (args.has("json")) {
    Json j = Json::MakeObject();
    j["api_version"] = ApiText(HL_PLUGIN_API_VERSION);
    Json path = Json::MakeArray();
    for (const auto& d : dirs) path.push_back(d.string());
    j["search_path"] = std::move(path);
    Json plugins = Json::MakeArray();
    for (const auto& p : scan.plugins) {
      Json e = Json::MakeObject();
      e["id"] = p->id();
      e["title"] = p->title();
      e["version"] = p->version();
      e["api_version"] = ApiText(p->api_version());
      e["path"] = p->path().string();
      e["required_segments"] = Json::ArrayOf(RequiredText(*p));
      e["optional_segments"] = Json::ArrayOf(p->optional_segments());
      Json thresholds = Json::MakeArray();
      for (const auto& t : p->thresholds()) {
        Json tj = Json::MakeObject();
        tj["name"] = t.name;
        tj["default"] = t.default_value;
        tj["unit"] = t.unit;
        tj["description"] = t.description;
        tj["source"] = t.source;
        thresholds.push_back(std::move(tj));
      }
      e["thresholds"] = std::move(thresholds);
      plugins.push_back(std::move(e));
    }
    j["plugins"] = std::move(plugins);
    Json refused = Json::MakeArray();
    for (const auto& r : scan.refused) {
      Json e = Json::MakeObject();
      e["path"] = r.path.string();
      e["reason"] = r.reason;
      refused.push_back(std::move(e));
    }
    j["refused"] = std::move(refused);
    std::printf("%s\n", j.Dump().c_str());
    return 0;
  }
  std::printf("drill plugins (API %s), searched in: %s\n", ApiText(HL_PLUGIN_API_VERSION).c_str(),
              [&] {
                std::vector<std::string> d;
                for (const auto& p : dirs) d.push_back(p.string());
                return Join(d, ":");
              }().c_str());
  if (scan.plugins.empty()) std::printf("  none found\n");
  for (const auto& p : scan.plugins) {
    std::printf("  %-20s %-8s %s\n", p->id().c_str(), p->version().c_str(), p->title().c_str());
    std::printf("  %-20s requires: %s", "", Join(RequiredText(*p), ", ").c_str());
    if (!p->optional_segments().empty()) {
      std::printf("; optional: %s", Join(p->optional_segments(), ", ").c_str());
    }
    std::printf("\n");
  }
  for (const auto& r : scan.refused) {
    std::printf("  refused %s: %s\n", r.path.string().c_str(), r.reason.c_str());
  }
  return 0;
}

}  // namespace

HL_REGISTER_COMMAND(plugins_command,
                    {"plugins", "the drill plugins found, with versions and required segments",
                     "[--json]", {{"json", false, "print one JSON object"}}, RunPlugins, 0});

}  // namespace hl::app
