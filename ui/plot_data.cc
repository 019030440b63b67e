#include "ui/plot_data.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/plugin_host.h"

namespace hl {
namespace {

constexpr double kRadToDeg = 57.29577951308232;

std::string TitleOf(const std::string& measure) {
  if (measure == HL_MEASURE_DOWEL_GAP) return "contact gap";
  if (measure == HL_MEASURE_HIP_DISPLACEMENT) return "hip displacement";
  if (measure == HL_MEASURE_KNEE_TRAVEL) return "knee travel";
  if (measure == HL_MEASURE_TRUNK_INCLINATION) return "trunk inclination";
  std::string t = measure;
  for (const char* suffix : {"_m", "_rad"}) {
    const std::string s(suffix);
    if (t.size() > s.size() && t.compare(t.size() - s.size(), s.size(), s) == 0) {
      t.resize(t.size() - s.size());
      break;
    }
  }
  std::replace(t.begin(), t.end(), '_', ' ');
  return t;
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

ThresholdTarget ThresholdTargetOf(const std::string& name) {
  constexpr double kDegToRad = 1.0 / kRadToDeg;
  // The drills' checks (plugins/common/drill_checks.h) compare these
  // thresholds with these measures.
  static const std::map<std::string, ThresholdTarget> kTargets = {
      {"contact_gap_m", {HL_MEASURE_DOWEL_GAP, 1.0}},
      {"knee_travel_m", {HL_MEASURE_KNEE_TRAVEL, 1.0}},
      {"hinge_min_deg", {HL_MEASURE_TRUNK_INCLINATION, kDegToRad}},
      {"hips_back_min_m", {HL_MEASURE_HIP_BACK, 1.0}},
      {"back_flexion_deg", {HL_MEASURE_BACK_FLEXION, kDegToRad}},
      {"lockout_max_deg", {HL_MEASURE_HIP_FLEXION, kDegToRad}},
      {"pelvis_drop_deg", {HL_MEASURE_PELVIS_DROP, kDegToRad}},
      {"pelvis_rotation_deg", {HL_MEASURE_PELVIS_ROTATION, kDegToRad}},
  };
  const auto it = kTargets.find(name);
  return it == kTargets.end() ? ThresholdTarget{} : it->second;
}

std::vector<PlotSeries> BuildPlots(const ViewerState& state, const DrillPlugin* plugin,
                                   const std::map<std::string, double>& threshold_values) {
  std::vector<PlotSeries> plots;
  const Measures* measures = state.measures();
  if (!measures) return plots;
  std::vector<std::string> names = {HL_MEASURE_DOWEL_GAP, HL_MEASURE_HIP_DISPLACEMENT,
                                    HL_MEASURE_KNEE_TRAVEL, HL_MEASURE_TRUNK_INCLINATION};
  if (plugin) {
    names.push_back(plugin->rep_signal());
    for (const ThresholdInfo& t : plugin->thresholds()) {
      const ThresholdTarget target = ThresholdTargetOf(t.name);
      if (!target.measure.empty()) names.push_back(target.measure);
    }
  }
  for (const std::string& name : names) {
    const MeasureSeries* series = measures->Find(name);
    if (!series) continue;
    if (std::any_of(plots.begin(), plots.end(),
                    [&](const PlotSeries& p) { return p.measure == name; })) {
      continue;
    }
    PlotSeries p;
    p.measure = name;
    p.title = TitleOf(name);
    p.series = series;
    if (EndsWith(name, "_rad")) {
      p.unit = "deg", p.scale = kRadToDeg;
    } else if (EndsWith(name, "_m")) {
      p.unit = "cm", p.scale = 100.0;
    }
    if (plugin) {
      for (const ThresholdInfo& t : plugin->thresholds()) {
        const ThresholdTarget target = ThresholdTargetOf(t.name);
        if (target.measure != name) continue;
        const auto edited = threshold_values.find(t.name);
        const double value = edited != threshold_values.end() ? edited->second : t.default_value;
        p.thresholds.push_back({t.name, value * target.to_measure_unit * p.scale});
      }
    }
    double lo = 1e300, hi = -1e300;
    for (size_t i = 0; i < series->values.size() && i < series->valid.size(); ++i) {
      if (!series->valid[i] || !std::isfinite(series->values[i])) continue;
      lo = std::min(lo, series->values[i] * p.scale);
      hi = std::max(hi, series->values[i] * p.scale);
    }
    for (const PlotThreshold& t : p.thresholds) {
      lo = std::min(lo, t.value);
      hi = std::max(hi, t.value);
    }
    if (lo > hi) lo = 0, hi = 1;
    if (hi - lo < 1e-9) lo -= 0.5, hi += 0.5;
    p.lo = lo, p.hi = hi;
    plots.push_back(std::move(p));
  }
  return plots;
}

std::vector<PlotColumn> DecimateMinMax(const MeasureSeries& series, double scale, int first,
                                       int last, int columns) {
  std::vector<PlotColumn> out;
  DecimateMinMaxInto(series, scale, first, last, columns, &out);
  return out;
}

void DecimateMinMaxInto(const MeasureSeries& series, double scale, int first, int last, int columns,
                        std::vector<PlotColumn>* out) {
  out->assign(std::max(0, columns), PlotColumn{});
  const int n = static_cast<int>(std::min(series.values.size(), series.valid.size()));
  first = std::max(first, 0);
  last = std::min(last, n - 1);
  if (columns <= 0 || last < first) return;
  const double per_column = static_cast<double>(last - first + 1) / columns;
  for (int c = 0; c < columns; ++c) {
    const int a = first + static_cast<int>(std::floor(c * per_column));
    const int b = std::min(last, first + static_cast<int>(std::ceil((c + 1) * per_column)) - 1);
    PlotColumn& col = (*out)[c];
    for (int f = a; f <= std::max(a, b) && f <= last; ++f) {
      const double v = series.values[f];
      if (!series.valid[f] || !std::isfinite(v)) continue;
      const double s = v * scale;
      if (!col.valid) {
        col.valid = true, col.min = col.max = s;
      } else {
        col.min = std::min(col.min, s), col.max = std::max(col.max, s);
      }
    }
  }
}

const std::vector<PlotSeries>& PlotCache::Plots(const ViewerState& state, const DrillState& drill) {
  if (built_ && measures_generation_ == state.measures_generation() &&
      drill_generation_ == drill.generation()) {
    return plots_;
  }
  plots_ = BuildPlots(state, drill.plugin(), drill.thresholds());
  built_ = true;
  measures_generation_ = state.measures_generation();
  drill_generation_ = drill.generation();
  ++plot_builds_;
  // Keeps each entry's storage for the re-decimation.
  columns_.resize(plots_.size());
  for (ColumnsEntry& e : columns_) e.valid = false;
  return plots_;
}

const std::vector<PlotColumn>& PlotCache::Columns(size_t index, int first, int last, int columns) {
  HL_CHECK(index < plots_.size());
  ColumnsEntry& e = columns_[index];
  if (e.valid && e.first == first && e.last == last && e.columns == columns) return e.cols;
  const PlotSeries& p = plots_[index];
  DecimateMinMaxInto(*p.series, p.scale, first, last, columns, &e.cols);
  e.valid = true, e.first = first, e.last = last, e.columns = columns;
  ++decimations_;
  return e.cols;
}

}  // namespace hl
