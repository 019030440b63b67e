#include "plugins/host/drill_score.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>

#include "core/error.h"
#include "core/file_util.h"
#include "plugins/host/plugin_checks.h"

namespace hl {
namespace {

std::string Trim(std::string_view s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string_view::npos) return "";
  const size_t b = s.find_last_not_of(" \t\r");
  return std::string(s.substr(a, b - a + 1));
}

bool IsName(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// k / 10^d is the double nearest the decimal, so it prints as that decimal.
double RoundTo(double v, double per_unit) { return std::round(v * per_unit) / per_unit; }

// Metric names end in their unit; round at the JSON edge to what the
// measurement can support.
double RoundMetric(const std::string& name, double v) {
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends("_deg")) return RoundTo(v, 100);
  if (ends("_s")) return RoundTo(v, 1000);
  return RoundTo(v, 10000);
}

// Whether `segment` was tracked in each frame, as its measures need it: the
// dowel's line from any two of its markers, the others' landmark. Empty when
// it cannot be told (no such landmark in this take).
std::vector<uint8_t> SegmentSeen(const std::string& segment, const Trajectories& trial,
                                 const SegmentLabels& segments, const Measures& m) {
  const int n = m.landmarks.num_frames();
  std::vector<uint8_t> seen;
  if (segment == "dowel") {
    const auto it = segments.find(segment);
    if (it == segments.end()) return seen;
    seen.assign(n, 0);
    for (int f = 0; f < n && f < trial.num_frames(); ++f) {
      int markers = 0;
      for (const auto& label : it->second) {
        const int l = trial.LabelIndex(label);
        markers += l >= 0 && trial.at(f, l).valid();
      }
      seen[f] = markers >= 2;
    }
    return seen;
  }
  const char* landmark = SegmentLandmark(segment);
  const int l = landmark ? m.landmarks.LabelIndex(landmark) : -1;
  if (l < 0) return seen;
  seen.assign(n, 0);
  for (int f = 0; f < n; ++f) seen[f] = m.landmarks.at(f, l).valid();
  return seen;
}

using SeenBySegment = std::map<std::string, std::vector<uint8_t>>;

// SegmentSeen of every segment the plugin requires, once per take.
SeenBySegment RequiredSegmentsSeen(const DrillPlugin& plugin, const Trajectories& trial,
                                   const SegmentLabels& segments, const Measures& m) {
  SeenBySegment out;
  for (const auto& group : plugin.required_segments()) {
    for (const auto& segment : group) {
      if (!out.count(segment)) out[segment] = SegmentSeen(segment, trial, segments, m);
    }
  }
  return out;
}

// Why a rep cannot be judged, or "" when it can: a required segment (none of
// a group's alternatives) seen in fewer than half of the rep's frames. The
// plugin's metrics would come from the frames left (a knee hidden for the
// whole rep reads as no knee travel: "clean").
std::string UnjudgeableRep(const DrillPlugin& plugin, const SeenBySegment& seen_by_segment,
                           int num_frames, const RepScore& rep) {
  const int first = std::max(0, rep.start_frame);
  const int last = std::min(num_frames - 1, rep.end_frame);
  if (last < first) return "";
  std::string why;
  for (const auto& group : plugin.required_segments()) {
    double best = -1.0;
    std::string names;
    for (const auto& segment : group) {
      const std::vector<uint8_t>& seen = seen_by_segment.at(segment);
      if (seen.empty()) continue;
      int valid = 0;
      for (int f = first; f <= last; ++f) valid += seen[f];
      best = std::max(best, static_cast<double>(valid) / (last - first + 1));
      names += (names.empty() ? "" : " or ") + segment;
    }
    if (best >= 0.0 && best < 0.5) {
      why += (why.empty() ? "" : ", ") + names + " tracked in " +
             std::to_string(static_cast<int>(std::lround(100 * best))) + " % of its frames";
    }
  }
  return why;
}

void AddMissing(const std::vector<std::string>& entries, DrillScore* out) {
  for (const auto& entry : entries) {
    const auto alternatives = plugin_detail::SplitAlternatives(entry);
    for (const auto& a : alternatives) {
      if (std::find(out->missing_segments.begin(), out->missing_segments.end(), a) ==
          out->missing_segments.end()) {
        out->missing_segments.push_back(a);
      }
    }
    std::string what = alternatives.size() > 1 ? "one of the segments " : "segment ";
    for (size_t i = 0; i < alternatives.size(); ++i) what += (i ? " or " : "") + alternatives[i];
    out->notes.push_back("not assessable: drill " + out->drill + " needs " + what +
                         ", whose markers are not tracked in this recording");
  }
}

// The repetition signal with its long dropouts filled from the measure that
// follows it best (a straight-line fit over the frames both are seen; only a
// correlation of at least `min_correlation` is trusted), for segmentation
// only: the plugin still scores the measured frames. A bar in front of the
// knees hides both knee plates for ~0.7 s at the top of a rack pull, which
// would otherwise cut every rep. Returns the frames filled (0: none) and the
// proxy's name.
int FillFromProxy(const Measures& m, const MeasureSeries& signal, double min_correlation,
                  std::vector<double>* values, std::vector<uint8_t>* valid, std::string* proxy) {
  *values = signal.values;
  *valid = signal.valid;
  const size_t n = signal.values.size();
  double best_r = 0.0, best_a = 0.0, best_b = 0.0;
  const MeasureSeries* best = nullptr;
  for (const auto& cand : m.series) {
    if (cand.name == signal.name || cand.values.size() != n) continue;
    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    long k = 0, gaps_covered = 0;
    for (size_t f = 0; f < n; ++f) {
      if (!signal.valid[f]) {
        gaps_covered += cand.valid[f];
        continue;
      }
      if (!cand.valid[f]) continue;
      const double x = cand.values[f], y = signal.values[f];
      sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++k;
    }
    if (k < 10 || gaps_covered == 0) continue;
    const double vx = sxx - sx * sx / k, vy = syy - sy * sy / k, cxy = sxy - sx * sy / k;
    if (!(vx > 0 && vy > 0)) continue;
    const double r = cxy / std::sqrt(vx * vy);
    if (std::abs(r) > std::abs(best_r)) {
      best_r = r, best = &cand;
      best_a = cxy / vx;
      best_b = (sy - best_a * sx) / k;
    }
  }
  if (best == nullptr || std::abs(best_r) < min_correlation) return 0;
  int filled = 0;
  for (size_t f = 0; f < n; ++f) {
    if (signal.valid[f] || !best->valid[f]) continue;
    (*values)[f] = best_a * best->values[f] + best_b;
    (*valid)[f] = 1;
    ++filled;
  }
  *proxy = best->name;
  return filled;
}

}  // namespace

// ---------------------------------------------------------------------------
// Thresholds file.

ThresholdFile ParseThresholdFile(std::string_view text, const std::string& name) {
  ThresholdFile file;
  file.name = name;
  std::string section;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    const std::string where = name + ":" + std::to_string(line_no);
    if (const size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    if (Trim(line).empty()) continue;
    if (line.find('\t') != std::string_view::npos) {
      throw Error(where, "tabs are not allowed in YAML; indent with spaces");
    }
    const bool indented = line[0] == ' ';
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) throw Error(where, "expected 'name: value'");
    const std::string key = Trim(line.substr(0, colon));
    const std::string value = Trim(line.substr(colon + 1));
    if (!IsName(key)) {
      throw Error(where, "'" + key + "' is not a threshold or drill name (a-z, 0-9, _)");
    }
    if (value.empty()) {
      if (indented) throw Error(where, "sections (drill ids) cannot be nested");
      section = key;
      file.per_drill[section];
      continue;
    }
    double v = 0;
    const auto res = std::from_chars(value.data(), value.data() + value.size(), v);
    if (res.ec != std::errc() || res.ptr != value.data() + value.size() || !std::isfinite(v)) {
      throw Error(where, "value of '" + key + "' must be a number, got '" + value + "'");
    }
    if (indented) {
      if (section.empty()) throw Error(where, "indented threshold outside a drill section");
      file.per_drill[section][key] = v;
    } else {
      section.clear();
      file.common[key] = v;
    }
  }
  return file;
}

ThresholdFile ReadThresholdFile(const std::filesystem::path& path) {
  return ParseThresholdFile(ReadFileText(path, 1 << 20), path.string());
}

std::map<std::string, double> ThresholdFile::For(const DrillPlugin& plugin) const {
  std::map<std::string, double> out;
  auto known = [&](const std::string& n) {
    return std::any_of(plugin.thresholds().begin(), plugin.thresholds().end(),
                       [&](const ThresholdInfo& t) { return t.name == n; });
  };
  for (const auto& [key, value] : common) {
    if (known(key)) out[key] = value;
  }
  if (auto it = per_drill.find(plugin.id()); it != per_drill.end()) {
    for (const auto& [key, value] : it->second) {
      if (!known(key)) {
        std::string names;
        for (const auto& t : plugin.thresholds()) names += (names.empty() ? "" : ", ") + t.name;
        throw Error(name, "drill " + plugin.id() + " has no threshold '" + key +
                              "'; its thresholds are: " + names);
      }
      out[key] = value;
    }
  }
  return out;
}

void ThresholdFile::CheckNames(const std::vector<std::shared_ptr<DrillPlugin>>& plugins) const {
  std::set<std::string> ids, thresholds;
  auto join = [](const std::set<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
  };
  for (const auto& p : plugins) {
    ids.insert(p->id());
    for (const auto& t : p->thresholds()) thresholds.insert(t.name);
  }
  for (const auto& [section, values] : per_drill) {
    if (!ids.count(section)) {
      throw Error(name, "section '" + section + "' is not a drill id; the drills are: " +
                            join(ids) + " (see 'hingelab plugins')");
    }
  }
  for (const auto& [key, value] : common) {
    if (!thresholds.count(key)) {
      throw Error(name, "no drill has a threshold '" + key +
                            "'; 'hingelab plugins' lists each drill's thresholds");
    }
  }
}

// ---------------------------------------------------------------------------
// Scoring.

DrillScore ScoreTrial(const DrillPlugin& plugin, const Trajectories& trial,
                      const SegmentLabels& segments, const Trajectories* static_trial,
                      const ScoreOptions& options) {
  DrillScore out;
  out.drill = plugin.id();
  const double fps = trial.rate_hz();
  if (trial.num_frames() == 0 || !(fps > 0)) {
    throw Error("recording", "has no frames or no frame rate; it cannot be scored");
  }
  const std::vector<std::string> present = PresentSegments(trial, segments, options.measures);
  auto instance = plugin.Create(options.thresholds, fps);
  const bool has_static = static_trial != nullptr;

  const std::vector<std::string> missing = plugin.MissingSegments(present);
  if (!missing.empty()) {
    // The plugin is asked too: it must agree that it cannot assess this.
    const PluginScore ps = instance->Score(fps, trial.num_frames(), {}, {}, present, has_static);
    AddMissing(missing, &out);
    if (ps.assessable) out.notes.push_back("plugin scored despite missing segments; ignored");
    return out;
  }

  out.measures = ComputeMeasures(trial, segments, static_trial, options.measures);
  out.notes.push_back("reference posture: " + out.measures.reference);
  for (const auto& note : out.measures.notes) out.notes.push_back(note);
  if (!out.measures.anatomical_landmarks.empty()) {
    std::string list;
    for (const auto& l : out.measures.anatomical_landmarks) list += (list.empty() ? "" : ", ") + l;
    out.notes.push_back("located in the static trial and carried by their markers: " + list);
  }
  const MeasureSeries* signal = out.measures.Find(plugin.rep_signal());
  if (signal == nullptr) {
    // The segments are there but never seen well enough together (e.g. the
    // pelvis plate never shows three markers): the take, not the plugin, lacks it.
    out.notes.push_back("not assessable: the repetition signal " + plugin.rep_signal() +
                        " cannot be measured in any frame of this recording");
    return out;
  }
  RepOptions rep_options = options.reps;
  rep_options.min_amplitude = plugin.rep_min_amplitude();
  std::vector<double> seg_values;
  std::vector<uint8_t> seg_valid;
  std::string proxy;
  const int filled = FillFromProxy(out.measures, *signal, options.proxy_min_correlation,
                                   &seg_values, &seg_valid, &proxy);
  if (filled > 0) {
    out.notes.push_back("repetitions found with " + std::to_string(filled) + " frame(s) of " +
                        plugin.rep_signal() + " that tracking missed filled from " + proxy +
                        " (segmentation only; those frames are not scored)");
  }
  out.segmentation = SegmentReps(seg_values, seg_valid, fps, rep_options);
  std::vector<RepSpan> spans = out.segmentation.reps;
  if (spans.size() > HL_MAX_REPS) {
    out.notes.push_back("only the first " + std::to_string(HL_MAX_REPS) + " of " +
                        std::to_string(spans.size()) + " repetitions are scored");
    spans.resize(HL_MAX_REPS);
  }
  if (out.segmentation.cut_by_recording_edges > 0) {
    out.notes.push_back(std::to_string(out.segmentation.cut_by_recording_edges) +
                        " repetition(s) cut by the start or end of tracking were not scored");
  }

  const PluginScore ps = instance->Score(fps, out.measures.num_frames, out.measures.series, spans,
                                         out.measures.segments, has_static);
  if (!ps.message.empty()) out.notes.push_back(plugin.id() + ": " + ps.message);
  if (!ps.assessable) {
    AddMissing(ps.missing_segments, &out);
    return out;
  }
  if (ps.reps.empty()) {
    out.notes.push_back("not assessable: no repetitions found; " + plugin.rep_signal() +
                        " ranged " + FormatDouble(RoundTo(out.segmentation.peak_level -
                                                              out.segmentation.rest_level, 1e4)) +
                        " and a repetition needs " + FormatDouble(plugin.rep_min_amplitude()));
    return out;
  }

  double score_sum = 0;
  int grade_count[4] = {0, 0, 0, 0};
  const SeenBySegment seen = RequiredSegmentsSeen(plugin, trial, segments, out.measures);
  for (size_t i = 0; i < ps.reps.size(); ++i) {
    ScoredRep r;
    r.rep = ps.reps[i];
    r.start_s = trial.time_s(r.rep.start_frame);
    r.end_s = trial.time_s(r.rep.end_frame);
    if (const std::string why =
            UnjudgeableRep(plugin, seen, out.measures.landmarks.num_frames(), r.rep);
        !why.empty()) {
      out.notes.push_back("the repetition at " + FormatDouble(RoundTo(r.start_s, 100)) + "-" +
                          FormatDouble(RoundTo(r.end_s, 100)) + " s is not scored: " + why);
      continue;
    }
    r.index = static_cast<int>(out.reps.size()) + 1;
    score_sum += r.rep.score;
    ++grade_count[r.rep.grade];
    out.reps.push_back(std::move(r));
  }
  if (out.reps.empty()) {
    out.notes.push_back("not assessable: no repetition was tracked well enough to score");
    return out;
  }
  out.assessable = true;
  out.score = static_cast<int>(std::lround(score_sum / static_cast<double>(out.reps.size())));
  // The grade most reps earned; a tie goes to the lower grade.
  out.grade = 0;
  for (int g = 1; g <= 3; ++g) {
    if (grade_count[g] > grade_count[out.grade]) out.grade = g;
  }
  for (const auto& fault : FaultVocabulary()) {
    for (const auto& r : out.reps) {
      if (std::find(r.rep.faults.begin(), r.rep.faults.end(), fault) != r.rep.faults.end()) {
        out.faults.push_back(fault);
        break;
      }
    }
  }
  return out;
}

Json ScoreToJson(const DrillScore& score) {
  Json j = Json::MakeObject();
  j["drill"] = score.drill;
  j["assessable"] = score.assessable;
  j["missing_segments"] = Json::ArrayOf(score.missing_segments);
  j["grade"] = score.grade;
  j["score"] = score.score;
  j["faults"] = Json::ArrayOf(score.faults);
  Json reps = Json::MakeArray();
  for (const auto& r : score.reps) {
    Json rep = Json::MakeObject();
    rep["index"] = r.index;
    rep["start_s"] = RoundTo(r.start_s, 1000);
    rep["end_s"] = RoundTo(r.end_s, 1000);
    rep["grade"] = r.rep.grade;
    rep["score"] = static_cast<int>(std::lround(r.rep.score));
    rep["faults"] = Json::ArrayOf(r.rep.faults);
    Json metrics = Json::MakeObject();
    for (const auto& [name, value] : r.rep.metrics) metrics[name] = RoundMetric(name, value);
    rep["metrics"] = std::move(metrics);
    reps.push_back(std::move(rep));
  }
  j["reps"] = std::move(reps);
  return j;
}

}  // namespace hl
