#include "plugins/host/plugin_host.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

#include "core/error.h"
#include "plugins/host/measures.h"
#include "plugins/host/plugin_checks.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

using plugin_detail::BoundedString;
using plugin_detail::Contains;
using plugin_detail::IsIdentifier;
using plugin_detail::kMaxNameLength;
using plugin_detail::kMaxTextLength;
using plugin_detail::SplitAlternatives;
constexpr uint32_t kMaxThresholds = 64;

std::string VersionText(uint32_t v) {
  return std::to_string(HL_PLUGIN_API_MAJOR(v)) + "." + std::to_string(HL_PLUGIN_API_MINOR(v));
}

std::string JoinAlternatives(const std::vector<std::string>& alternatives) {
  std::string out;
  for (const auto& a : alternatives) out += (out.empty() ? "" : "|") + a;
  return out;
}

// Reads a NULL-terminated segment list; throws naming what is wrong.
std::vector<std::vector<std::string>> ReadSegmentList(const char* const* list,
                                                      const std::string& where,
                                                      const char* what) {
  std::vector<std::vector<std::string>> out;
  if (list == nullptr) return out;
  for (size_t i = 0;; ++i) {
    if (i > HL_MAX_SEGMENTS) {
      throw Error(where, std::string(what) + " has more than " + std::to_string(HL_MAX_SEGMENTS) +
                             " entries or lacks its NULL terminator");
    }
    if (list[i] == nullptr) break;
    std::string entry;
    if (!BoundedString(list[i], kMaxTextLength, &entry)) {
      throw Error(where, std::string(what) + " entry " + std::to_string(i) + " is not a string");
    }
    auto alternatives = SplitAlternatives(entry);
    for (const auto& a : alternatives) {
      if (!Contains(DrillSegmentNames(), a)) {
        throw Error(where, std::string(what) + " names unknown segment '" + a +
                               "'; segments are those of drills.md");
      }
    }
    out.push_back(std::move(alternatives));
  }
  return out;
}

}  // namespace

const std::vector<std::string>& FaultVocabulary() {
  static const std::vector<std::string> faults = {
      HL_FAULT_DOWEL_CONTACT_LOST, HL_FAULT_INSUFFICIENT_HINGE, HL_FAULT_KNEES_FORWARD,
      HL_FAULT_HIPS_NOT_BACK,      HL_FAULT_WALL_NOT_REACHED,   HL_FAULT_BOX_NOT_REACHED,
      HL_FAULT_INCOMPLETE_LOCKOUT, HL_FAULT_NO_PAUSE,           HL_FAULT_BACK_FLEXION,
      HL_FAULT_PELVIS_DROP,        HL_FAULT_PELVIS_ROTATION,    HL_FAULT_BAR_TOO_LOW,
      HL_FAULT_BAR_TOO_HIGH};
  return faults;
}

bool IsKnownFault(std::string_view name) { return Contains(FaultVocabulary(), name); }

const std::vector<std::string>& DrillSegmentNames() {
  static const std::vector<std::string> segments = {
      "dowel", "pelvis", "knee_left", "knee_right", "head", "thorax", "bar", "foot_left",
      "foot_right"};
  return segments;
}

const std::vector<std::string>& MeasureNames() {
  static const std::vector<std::string> names = {
      HL_MEASURE_DOWEL_GAP,          HL_MEASURE_DOWEL_GAP_HEAD,    HL_MEASURE_DOWEL_GAP_THORAX,
      HL_MEASURE_HIP_BACK,           HL_MEASURE_HIP_DOWN,          HL_MEASURE_HIP_UP,
      HL_MEASURE_HIP_DISPLACEMENT,   HL_MEASURE_KNEE_TRAVEL_LEFT,  HL_MEASURE_KNEE_TRAVEL_RIGHT,
      HL_MEASURE_KNEE_TRAVEL,        HL_MEASURE_KNEE_RISE_LEFT,    HL_MEASURE_KNEE_RISE_RIGHT,
      HL_MEASURE_TRUNK_INCLINATION,  HL_MEASURE_HIP_FLEXION,       HL_MEASURE_BACK_FLEXION,
      HL_MEASURE_PELVIS_TILT,        HL_MEASURE_PELVIS_DROP,       HL_MEASURE_PELVIS_ROTATION,
      HL_MEASURE_BAR_HEIGHT,         HL_MEASURE_KNEE_HEIGHT};
  return names;
}

// ---------------------------------------------------------------------------
// Loading.

std::shared_ptr<DrillPlugin> DrillPlugin::Load(const fs::path& path) {
  const std::string where = path.string();
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    throw Error(where, std::string("cannot be loaded (") + (why ? why : "unknown reason") +
                           "); rebuild it against this HingeLab");
  }
  std::shared_ptr<DrillPlugin> plugin(new DrillPlugin());
  plugin->path_ = path;
  plugin->handle_ = handle;  // closed by the destructor, also when a check below throws

  dlerror();
  void* symbol = dlsym(handle, HL_PLUGIN_ENTRY_NAME);
  if (symbol == nullptr) {
    throw Error(where, "exports no " HL_PLUGIN_ENTRY_NAME "(); it is not a HingeLab drill plugin");
  }
  hl_plugin_entry_fn entry = nullptr;
  static_assert(sizeof(entry) == sizeof(symbol));
  std::memcpy(&entry, &symbol, sizeof(entry));
  const hl_plugin_descriptor* d = nullptr;
  try {
    d = entry();
  } catch (...) {
    throw Error(where, HL_PLUGIN_ENTRY_NAME "() threw an exception across the C boundary");
  }
  if (d == nullptr) throw Error(where, HL_PLUGIN_ENTRY_NAME "() returned no descriptor");

  // Version first: a struct of another major version may lay out differently.
  if (HL_PLUGIN_API_MAJOR(d->api_version) != HL_PLUGIN_API_VERSION_MAJOR) {
    throw Error(where, "built for plugin API " + VersionText(d->api_version) +
                           " but this HingeLab speaks API " + VersionText(HL_PLUGIN_API_VERSION) +
                           "; rebuild the plugin against this version's plugins/hingelab_plugin.h");
  }
  if (d->struct_size < sizeof(hl_plugin_descriptor)) {
    throw Error(where, "descriptor is " + std::to_string(d->struct_size) + " bytes but plugin API " +
                           VersionText(d->api_version) + " (host API " +
                           VersionText(HL_PLUGIN_API_VERSION) + ") needs at least " +
                           std::to_string(sizeof(hl_plugin_descriptor)) +
                           "; rebuild the plugin against this version's header");
  }
  plugin->descriptor_ = d;
  plugin->api_version_ = d->api_version;

  if (!BoundedString(d->id, kMaxNameLength, &plugin->id_) || !IsIdentifier(plugin->id_)) {
    throw Error(where, "has no valid drill id (lower-case letters, digits and '_', at most 64)");
  }
  const std::string named = where + " (drill " + plugin->id_ + ")";
  if (!BoundedString(d->title, kMaxTextLength, &plugin->title_) ||
      !BoundedString(d->version, kMaxNameLength, &plugin->version_)) {
    throw Error(named, "title or version is missing or not a string");
  }
  plugin->required_ = ReadSegmentList(d->required_segments, named, "required_segments");
  for (auto& alternatives : ReadSegmentList(d->optional_segments, named, "optional_segments")) {
    for (auto& a : alternatives) plugin->optional_.push_back(std::move(a));
  }
  if (d->num_thresholds > kMaxThresholds || (d->num_thresholds > 0 && d->thresholds == nullptr)) {
    throw Error(named, "declares " + std::to_string(d->num_thresholds) +
                           " thresholds without a valid array (at most " +
                           std::to_string(kMaxThresholds) + ")");
  }
  for (uint32_t i = 0; i < d->num_thresholds; ++i) {
    const hl_threshold& t = d->thresholds[i];
    ThresholdInfo info;
    if (!BoundedString(t.name, kMaxNameLength, &info.name) || !IsIdentifier(info.name) ||
        !BoundedString(t.unit, kMaxNameLength, &info.unit) ||
        !BoundedString(t.description, kMaxTextLength, &info.description) ||
        !BoundedString(t.source, kMaxTextLength, &info.source) || info.source.empty() ||
        !std::isfinite(t.default_value)) {
      throw Error(named, "threshold " + std::to_string(i) +
                             " needs a name, a unit, a description, a source and a finite default");
    }
    for (const auto& other : plugin->thresholds_) {
      if (other.name == info.name) throw Error(named, "threshold '" + info.name + "' appears twice");
    }
    info.default_value = t.default_value;
    plugin->thresholds_.push_back(std::move(info));
  }
  if (!BoundedString(d->rep_signal, kMaxNameLength, &plugin->rep_signal_) ||
      !Contains(MeasureNames(), plugin->rep_signal_)) {
    throw Error(named, "rep_signal must name a measure of hingelab_plugin.h (HL_MEASURE_*)");
  }
  if (!std::isfinite(d->rep_min_amplitude) || d->rep_min_amplitude <= 0) {
    throw Error(named, "rep_min_amplitude must be a positive number");
  }
  plugin->rep_min_amplitude_ = d->rep_min_amplitude;
  if (!d->create || !d->score || !d->update || !d->destroy) {
    throw Error(named, "lacks one of the create/score/update/destroy functions");
  }
  return plugin;
}

DrillPlugin::~DrillPlugin() {
  if (handle_ != nullptr) dlclose(handle_);
}

std::string DrillPlugin::Where() const { return path_.string() + " (drill " + id_ + ")"; }

std::vector<std::string> DrillPlugin::MissingSegments(const std::vector<std::string>& present) const {
  std::vector<std::string> missing;
  for (const auto& alternatives : required_) {
    const bool ok = std::any_of(alternatives.begin(), alternatives.end(),
                                [&](const std::string& s) { return Contains(present, s); });
    if (!ok) missing.push_back(JoinAlternatives(alternatives));
  }
  return missing;
}

std::unique_ptr<DrillInstance> DrillPlugin::Create(const std::map<std::string, double>& thresholds,
                                                   double fps) const {
  std::vector<hl_threshold_value> values;
  for (const auto& [name, value] : thresholds) {
    const bool known = std::any_of(thresholds_.begin(), thresholds_.end(),
                                   [&](const ThresholdInfo& t) { return t.name == name; });
    if (!known) {
      std::string names;
      for (const auto& t : thresholds_) names += (names.empty() ? "" : ", ") + t.name;
      throw Error(Where(), "has no threshold '" + name + "'; its thresholds are: " + names);
    }
    if (!std::isfinite(value)) throw Error(Where(), "threshold '" + name + "' must be a number");
    values.push_back({name.c_str(), value});
  }
  hl_plugin_config config{};
  config.struct_size = sizeof(config);
  config.fps = fps;
  config.num_thresholds = static_cast<uint32_t>(values.size());
  config.thresholds = values.data();
  char message[HL_MESSAGE_SIZE] = {};
  void* context = nullptr;
  try {
    context = descriptor_->create(&config, message, sizeof(message));
  } catch (...) {
    throw Error(Where(), "create() threw an exception across the C boundary");
  }
  message[sizeof(message) - 1] = '\0';
  if (context == nullptr) {
    throw Error(Where(), std::string("could not start: ") + (message[0] ? message : "no reason given"));
  }
  return std::unique_ptr<DrillInstance>(new DrillInstance(shared_from_this(), context));
}

// ---------------------------------------------------------------------------
// Finding plugins.

std::shared_ptr<DrillPlugin> PluginScan::Find(std::string_view id) const {
  for (const auto& p : plugins) {
    if (p->id() == id) return p;
  }
  return nullptr;
}

std::vector<fs::path> DefaultPluginDirs() {
  std::vector<fs::path> dirs;
  if (const char* env = std::getenv("HINGELAB_PLUGIN_PATH")) {
    std::string list = env;
    size_t start = 0;
    while (start <= list.size()) {
      size_t colon = list.find(':', start);
      if (colon == std::string::npos) colon = list.size();
      if (colon > start) dirs.emplace_back(list.substr(start, colon - start));
      start = colon + 1;
    }
  }
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back(exe.parent_path());
  return dirs;
}

PluginScan ScanPlugins(const std::vector<fs::path>& dirs) {
  PluginScan scan;
  const std::string prefix = HL_PLUGIN_FILE_PREFIX, suffix = HL_PLUGIN_FILE_SUFFIX;
  std::set<fs::path> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      if (name.size() > prefix.size() + suffix.size() && name.rfind(prefix, 0) == 0 &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        files.push_back(it->path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const fs::path canonical = fs::weakly_canonical(file, ec);
      if (!seen.insert(ec ? file : canonical).second) continue;  // same folder listed twice
      try {
        auto plugin = DrillPlugin::Load(file);
        if (auto first = scan.Find(plugin->id())) {
          scan.refused.push_back({file, "drill id '" + plugin->id() + "' is already provided by " +
                                            first->path().string()});
          continue;
        }
        scan.plugins.push_back(std::move(plugin));
      } catch (const Error& e) {
        scan.refused.push_back({file, e.message()});
      }
    }
  }
  std::sort(scan.plugins.begin(), scan.plugins.end(),
            [](const auto& a, const auto& b) { return a->id() < b->id(); });
  return scan;
}

}  // namespace hl
