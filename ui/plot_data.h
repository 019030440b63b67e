#pragma once
// What the plots panel draws, computed apart from drawing: the measure series
// in display units (cm, deg), the thresholds that apply to each, and a
// min/max decimation so a 10-minute take costs a few hundred segments per plot.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ui/drill_state.h"
#include "ui/viewer_state.h"

namespace hl {

class DrillPlugin;

struct PlotThreshold {
  std::string name;    // the plugin's threshold name ("contact_gap_m")
  double value = 0.0;  // in the plot's display unit
};

struct PlotSeries {
  std::string measure;                    // HL_MEASURE_* name
  std::string title;                      // "contact gap"
  std::string unit;                       // display unit: "cm", "deg" or the measure's own
  double scale = 1.0;                     // display value = measure value * scale
  const MeasureSeries* series = nullptr;  // owned by the state's measures
  std::vector<PlotThreshold> thresholds;
  // Display-unit range over the valid samples and the thresholds (lo < hi).
  double lo = 0.0, hi = 1.0;
};

// The measure a plugin threshold limits, and the threshold's unit->measure
// unit factor (deg -> rad); empty measure when the viewer does not know it.
struct ThresholdTarget {
  std::string measure;
  double to_measure_unit = 1.0;
};
ThresholdTarget ThresholdTargetOf(const std::string& threshold_name);

// The four shared measures (contact gap, hip displacement, knee travel, trunk
// inclination), then the plugin's rep signal and every measure one of its
// thresholds limits, each once and only when the state's measures hold it.
// `threshold_values` are the plugin's (possibly edited) values by name, in
// the threshold's own unit; nullptr plugin: the four shared plots only.
std::vector<PlotSeries> BuildPlots(const ViewerState& state, const DrillPlugin* plugin,
                                   const std::map<std::string, double>& threshold_values);

// One pixel column of a decimated plot; valid false when no sample in it counts.
struct PlotColumn {
  bool valid = false;
  double min = 0.0, max = 0.0;
};

// Frames [first, last] split into `columns` equal bins, each the min and max
// of its valid samples (times scale).
std::vector<PlotColumn> DecimateMinMax(const MeasureSeries& series, double scale, int first,
                                       int last, int columns);
// The same into `out` (resized to `columns`), reusing its storage.
void DecimateMinMaxInto(const MeasureSeries& series, double scale, int first, int last, int columns,
                        std::vector<PlotColumn>* out);

// BuildPlots and each plot's decimation kept between frames: a 10-minute take
// rescanned every frame cost the viewer ~3 ms of its 16. The plots are rebuilt
// only when the state's measures or the drill (plugin, thresholds) changed,
// a plot's columns only then or when its frame range or column count did;
// otherwise nothing is allocated.
class PlotCache {
 public:
  const std::vector<PlotSeries>& Plots(const ViewerState& state, const DrillState& drill);
  // Columns of Plots()[index] for frames [first, last]; valid until the next Plots() call.
  const std::vector<PlotColumn>& Columns(size_t index, int first, int last, int columns);

  // How often each was actually recomputed (for tests).
  int plot_builds() const { return plot_builds_; }
  int decimations() const { return decimations_; }

 private:
  struct ColumnsEntry {
    bool valid = false;
    int first = 0, last = 0, columns = 0;
    std::vector<PlotColumn> cols;
  };
  bool built_ = false;
  uint64_t measures_generation_ = 0;
  uint64_t drill_generation_ = 0;
  std::vector<PlotSeries> plots_;
  std::vector<ColumnsEntry> columns_;
  int plot_builds_ = 0;
  int decimations_ = 0;
};

}  // namespace hl
