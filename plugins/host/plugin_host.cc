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

namespace hl {
namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxTextLength = 1024;
constexpr uint32_t kMaxThresholds = 64;

std::string VersionText(uint32_t v) {
  return std::to_string(HL_PLUGIN_API_MAJOR(v)) + "." + std::to_string(HL_PLUGIN_API_MINOR(v));
}

// A string from plugin memory: non-null and NUL-terminated within `max` bytes.
// (A wild pointer can still fault; nothing in-process can guard against that.)
bool BoundedString(const char* s, size_t max, std::string* out) {
  if (s == nullptr) return false;
  const size_t n = strnlen(s, max + 1);
  if (n > max) return false;
  *out = std::string(s, n);
  return true;
}

bool IsIdentifier(const std::string& s) {
  if (s.empty() || s.size() > kMaxNameLength) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool Contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::vector<std::string> SplitAlternatives(const std::string& entry) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t bar = entry.find('|', start);
    out.push_back(entry.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
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
// Scoring.

DrillInstance::~DrillInstance() {
  try {
    plugin_->descriptor_->destroy(context_);
  } catch (...) {
    // Nothing can be reported from a destructor; the context is gone either way.
  }
}

PluginScore DrillInstance::Score(double fps, int num_frames,
                                 const std::vector<MeasureSeries>& series,
                                 const std::vector<RepSpan>& reps,
                                 const std::vector<std::string>& segments,
                                 bool has_static_trial) {
  const std::string where = plugin_->Where();
  std::vector<hl_series> c_series;
  for (const auto& s : series) {
    HL_CHECK(static_cast<int>(s.values.size()) == num_frames &&
             static_cast<int>(s.valid.size()) == num_frames);
    c_series.push_back({s.name.c_str(), s.values.data(), s.valid.data()});
  }
  std::vector<hl_rep_span> c_reps;
  for (const auto& r : reps) c_reps.push_back({r.start_frame, r.end_frame, r.peak_frame, r.peak_hold_s});
  std::vector<const char*> c_segments;
  for (const auto& s : segments) c_segments.push_back(s.c_str());

  hl_score_input input{};
  input.struct_size = sizeof(input);
  input.fps = fps;
  input.num_frames = num_frames;
  input.num_series = static_cast<uint32_t>(c_series.size());
  input.series = c_series.data();
  input.num_reps = static_cast<uint32_t>(c_reps.size());
  input.reps = c_reps.data();
  input.num_segments = static_cast<uint32_t>(c_segments.size());
  input.segments = c_segments.data();
  input.has_static_trial = has_static_trial ? 1 : 0;

  auto output = std::make_unique<hl_score_output>();  // value-initialised: all zero
  output->struct_size = sizeof(hl_score_output);
  int32_t status = HL_STATUS_ERROR;
  try {
    status = plugin_->descriptor_->score(context_, &input, output.get());
  } catch (...) {
    throw Error(where, "score() threw an exception across the C boundary; the plugin must catch it");
  }
  output->message[HL_MESSAGE_SIZE - 1] = '\0';
  PluginScore result;
  result.message = output->message;
  if (status != output->status) {
    throw Error(where, "score() returned status " + std::to_string(status) + " but stored " +
                           std::to_string(output->status));
  }
  if (status == HL_STATUS_NOT_ASSESSABLE) {
    if (output->num_missing_segments > HL_MAX_SEGMENTS) {
      throw Error(where, "reported " + std::to_string(output->num_missing_segments) +
                             " missing segments (at most " + std::to_string(HL_MAX_SEGMENTS) + ")");
    }
    for (uint32_t i = 0; i < output->num_missing_segments; ++i) {
      std::string name;
      if (!BoundedString(output->missing_segments[i], kMaxTextLength, &name)) {
        throw Error(where, "reported a missing segment that is not a string");
      }
      for (const auto& a : SplitAlternatives(name)) {
        if (!Contains(DrillSegmentNames(), a)) {
          throw Error(where, "reported unknown missing segment '" + a + "'");
        }
      }
      result.missing_segments.push_back(name);
    }
    result.assessable = false;
    return result;
  }
  if (status != HL_STATUS_OK) {
    throw Error(where, "failed to score (status " + std::to_string(status) + "): " +
                           (result.message.empty() ? "no reason given" : result.message));
  }
  if (output->num_reps > HL_MAX_REPS || output->num_reps > input.num_reps) {
    throw Error(where, "returned " + std::to_string(output->num_reps) + " repetitions for " +
                           std::to_string(input.num_reps) + " given");
  }
  result.assessable = true;
  for (uint32_t r = 0; r < output->num_reps; ++r) {
    const hl_rep_result& in = output->reps[r];
    const std::string rep_where = where + " repetition " + std::to_string(r + 1);
    RepScore rep;
    if (in.start_frame < 0 || in.end_frame < in.start_frame || in.end_frame >= num_frames) {
      throw Error(rep_where, "has frames " + std::to_string(in.start_frame) + ".." +
                                 std::to_string(in.end_frame) + " outside the recording");
    }
    if (!std::isfinite(in.score) || in.score < 0 || in.score > 100 || in.grade < 0 ||
        in.grade > 3) {
      throw Error(rep_where, "has score " + std::to_string(in.score) + " / grade " +
                                 std::to_string(in.grade) + " outside 0-100 / 0-3");
    }
    if (in.num_faults > HL_MAX_FAULTS || in.num_metrics > HL_MAX_METRICS) {
      throw Error(rep_where, "has " + std::to_string(in.num_faults) + " faults and " +
                                 std::to_string(in.num_metrics) + " metrics, over the ABI limits");
    }
    rep.start_frame = in.start_frame;
    rep.end_frame = in.end_frame;
    rep.score = in.score;
    rep.grade = in.grade;
    for (uint32_t f = 0; f < in.num_faults; ++f) {
      std::string fault, cue;
      if (!BoundedString(in.faults[f], kMaxNameLength, &fault) || !IsKnownFault(fault)) {
        throw Error(rep_where, "reports a fault outside the shared vocabulary of drills.md");
      }
      if (!BoundedString(in.cues[f], kMaxTextLength, &cue)) {
        throw Error(rep_where, "has no coaching cue for fault '" + fault + "'");
      }
      if (!Contains(rep.faults, fault)) {
        rep.faults.push_back(fault);
        rep.cues.push_back(cue);
      }
    }
    for (uint32_t m = 0; m < in.num_metrics; ++m) {
      std::string name;
      if (!BoundedString(in.metrics[m].name, kMaxNameLength, &name) || !IsIdentifier(name) ||
          !std::isfinite(in.metrics[m].value)) {
        throw Error(rep_where, "has metric " + std::to_string(m) + " without a name or a finite value");
      }
      rep.metrics.emplace_back(name, in.metrics[m].value);
    }
    result.reps.push_back(std::move(rep));
  }
  return result;
}

LiveFeedback DrillInstance::Update(double time_s,
                                   const std::vector<std::pair<std::string, double>>& values) {
  const std::string where = plugin_->Where();
  std::vector<const char*> names;
  std::vector<double> numbers;
  std::vector<uint8_t> valid;
  for (const auto& [name, value] : values) {
    names.push_back(name.c_str());
    numbers.push_back(value);
    valid.push_back(std::isfinite(value) ? 1 : 0);
  }
  hl_frame_input frame{};
  frame.struct_size = sizeof(frame);
  frame.time_s = time_s;
  frame.num_values = static_cast<uint32_t>(names.size());
  frame.names = names.data();
  frame.values = numbers.data();
  frame.valid = valid.data();
  hl_live_feedback feedback{};
  feedback.struct_size = sizeof(feedback);
  int32_t status = HL_STATUS_ERROR;
  try {
    status = plugin_->descriptor_->update(context_, &frame, &feedback);
  } catch (...) {
    throw Error(where, "update() threw an exception across the C boundary");
  }
  feedback.message[HL_MESSAGE_SIZE - 1] = '\0';
  if (status != HL_STATUS_OK) {
    throw Error(where, std::string("live update failed: ") +
                           (feedback.message[0] ? feedback.message : "no reason given"));
  }
  if (feedback.num_faults > HL_MAX_FAULTS || feedback.rep_count < 0) {
    throw Error(where, "live update returned invalid counts");
  }
  LiveFeedback out;
  out.rep_count = feedback.rep_count;
  out.in_rep = feedback.in_rep != 0;
  for (uint32_t f = 0; f < feedback.num_faults; ++f) {
    std::string fault, cue;
    if (!BoundedString(feedback.faults[f], kMaxNameLength, &fault) || !IsKnownFault(fault) ||
        !BoundedString(feedback.cues[f], kMaxTextLength, &cue)) {
      throw Error(where, "live update returned a fault outside the vocabulary or without a cue");
    }
    out.faults.push_back(fault);
    out.cues.push_back(cue);
  }
  return out;
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
