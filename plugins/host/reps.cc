#include "plugins/host/reps.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace hl {
namespace {

// Bridges invalid runs of at most `max_gap` samples between two valid ones.
void FillShortGaps(std::vector<double>* x, std::vector<uint8_t>* ok, int max_gap) {
  const int n = static_cast<int>(x->size());
  int last = -1;
  for (int i = 0; i < n; ++i) {
    if (!(*ok)[i]) continue;
    if (last >= 0 && i - last > 1 && i - last - 1 <= max_gap) {
      for (int k = last + 1; k < i; ++k) {
        const double t = static_cast<double>(k - last) / (i - last);
        (*x)[k] = (1 - t) * (*x)[last] + t * (*x)[i];
        (*ok)[k] = 1;
      }
    }
    last = i;
  }
}

std::vector<double> Smooth(const std::vector<double>& x, const std::vector<uint8_t>& ok, int half) {
  const int n = static_cast<int>(x.size());
  std::vector<double> out(n, 0.0);
  for (int i = 0; i < n; ++i) {
    if (!ok[i]) continue;
    double sum = 0.0;
    int count = 0;
    for (int k = std::max(0, i - half); k <= std::min(n - 1, i + half); ++k) {
      if (ok[k]) sum += x[k], ++count;
    }
    out[i] = sum / count;
  }
  return out;
}

}  // namespace

RepSegmentation SegmentReps(const std::vector<double>& values, const std::vector<uint8_t>& valid,
                            double fps, const RepOptions& options) {
  HL_CHECK(values.size() == valid.size() && fps > 0);
  RepSegmentation result;
  const int n = static_cast<int>(values.size());
  std::vector<double> x = values;
  std::vector<uint8_t> ok = valid;
  for (int i = 0; i < n; ++i) ok[i] = ok[i] && std::isfinite(x[i]);
  FillShortGaps(&x, &ok, static_cast<int>(std::lround(options.max_gap_s * fps)));
  const std::vector<double> s =
      Smooth(x, ok, std::max(0, static_cast<int>(std::lround(options.smooth_s * fps / 2))));

  std::vector<double> sorted;
  for (int i = 0; i < n; ++i) {
    if (ok[i]) sorted.push_back(s[i]);
  }
  if (sorted.size() < 3) return result;
  std::sort(sorted.begin(), sorted.end());
  // Rest from a low percentile (robust to a stray low sample); the peak is the
  // maximum, since one rep in a long take may fill less than 5 % of it.
  result.rest_level = sorted[sorted.size() / 20];
  result.peak_level = sorted.back();
  const double range = result.peak_level - result.rest_level;
  if (range < options.min_amplitude) return result;
  const double enter = result.rest_level + options.enter_fraction * range;
  const double exit = result.rest_level + options.exit_fraction * range;
  const double rest_band = result.rest_level + options.rest_fraction * range;
  const double tolerance = 0.02 * range;

  // Crossings: [up, down] of each excursion. A rep enters above the enter
  // level after rising from its trough; it ends below the exit level or once
  // it has fallen drop_fraction of the range from its peak, so reps that never
  // return fully to rest (an incomplete lockout) still end.
  std::vector<std::pair<int, int>> crossings;
  bool armed = false, inside = false;
  // An excursion already above the enter level when tracking begins (or
  // resumes after a long dropout) started unseen: it is cut, not a rep.
  bool under_way = true, in_gap = false;
  int up = -1;
  double trough = 0.0, peak = 0.0;
  const double min_rise = (options.enter_fraction - options.exit_fraction) * range;
  for (int i = 0; i < n; ++i) {
    if (!ok[i]) {
      if (!in_gap) {
        if (inside) ++result.cut_by_recording_edges;  // a long dropout breaks the rep
        under_way = !inside;
        in_gap = true;
      }
      inside = false;
      armed = false;
      continue;
    }
    in_gap = false;
    if (!armed && !inside) {
      if (s[i] < exit) {
        armed = true;
        under_way = false;
        trough = s[i];
      } else if (s[i] > enter && under_way) {
        ++result.cut_by_recording_edges;
        under_way = false;
      }
      continue;
    }
    if (!inside) {
      trough = std::min(trough, s[i]);
      if (s[i] > enter && s[i] - trough >= min_rise) {
        inside = true;
        up = i;
        peak = s[i];
      }
    } else {
      peak = std::max(peak, s[i]);
      if (s[i] < exit || peak - s[i] >= options.drop_fraction * range) {
        crossings.emplace_back(up, i);
        inside = false;
        trough = s[i];
      }
    }
  }
  if (inside) ++result.cut_by_recording_edges;

  // Walk each excursion's bounds out to rest or a local minimum, never into a neighbour.
  int previous_end = 0;
  for (size_t k = 0; k < crossings.size(); ++k) {
    int start = crossings[k].first;
    const int next_up = k + 1 < crossings.size() ? crossings[k + 1].first : n;
    while (start - 1 >= previous_end && ok[start - 1] && s[start] > rest_band &&
           s[start - 1] <= s[start] + tolerance) {
      --start;
    }
    int end = crossings[k].second;
    while (end + 1 < next_up && ok[end + 1] && s[end] > rest_band && s[end + 1] <= s[end] + tolerance) {
      ++end;
    }
    previous_end = end;
    if ((end - start) / fps < options.min_rep_s) {
      ++result.too_short;
      continue;
    }
    RepSpan rep;
    rep.start_frame = start;
    rep.end_frame = end;
    rep.peak_frame = static_cast<int>(std::max_element(s.begin() + start, s.begin() + end + 1) - s.begin());
    const double rise = s[rep.peak_frame] - std::min(s[start], s[end]);
    const double near_peak = s[rep.peak_frame] - options.hold_fraction * rise;
    int left = rep.peak_frame, right = rep.peak_frame;
    while (left - 1 >= start && s[left - 1] >= near_peak) --left;
    while (right + 1 <= end && s[right + 1] >= near_peak) ++right;
    rep.peak_hold_s = (right - left) / fps;
    result.reps.push_back(rep);
  }
  return result;
}

}  // namespace hl
