#include "reconstruction/gap_filling.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/poly_fit.h"

namespace hl {

namespace {

// A label's positions, minus a donor label's when `donor` >= 0; valid where
// both are.
struct Series {
  const Trajectories* tr;
  int label;
  int donor;
  bool Valid(int f) const {
    return f >= 0 && f < tr->num_frames() && tr->at(f, label).valid() &&
           (donor < 0 || tr->at(f, donor).valid());
  }
  Eigen::Vector3d At(int f) const {
    const Eigen::Vector3d p = tr->at(f, label).position_m;
    return donor < 0 ? p : Eigen::Vector3d(p - tr->at(f, donor).position_m);
  }
};

// One end of a gap, at valid frame f, from the run of valid samples on side
// `dir` (-1: before, +1: after): position and slope (per frame) at f of a
// least-squares quadratic through f and up to `samples` - 1 of them, exact
// for quadratic motion. With three samples that is the sample itself and the
// one-sided second-order difference, whose noise (2.5 sigma per frame) times
// a gap of up to 12 frames (0.2 s at 60 Hz) swung bridged knee-plate samples
// 4-7 mm off; more samples average the noise, also that of the end sample
// (the one before a marker turns away or goes behind the bar is often the
// worst measured).
// Falls back to the sample and the difference with one neighbour, or the
// chord without any.
struct GapEnd {
  Eigen::Vector3d position;
  Eigen::Vector3d slope;
};

GapEnd FitGapEnd(const Series& series, int f, int dir, int samples,
                 const Eigen::Vector3d& chord_per_frame) {
  const Eigen::Vector3d p = series.At(f);
  PolyFit3<2> fit;
  GapEnd end{p, chord_per_frame};
  for (int k = 0; k < std::max(samples, 3); ++k) {
    const int g = f + k * dir;
    if (!series.Valid(g)) break;
    const Eigen::Vector3d d = series.At(g) - p;  // relative: well conditioned
    fit.Add(k * dir, d);
    if (k == 1) end.slope = dir * d;
  }
  PolyFit3<2>::Coefficients coef;
  if (fit.count() < 3 || !fit.Solve(&coef)) return end;
  return {p + coef.row(0).transpose(), coef.row(1).transpose()};
}

// A cubic fitted jointly to up to `samples` valid samples on each side of
// the missing frames [a, b); false when a side has fewer than 3.
bool JointCubic(const Series& series, int a, int b, int samples,
                std::vector<Eigen::Vector3d>* out) {
  const int f0 = a - 1;
  const double mid = 0.5 * (f0 + b), half = 0.5 * (b - f0) + samples;  // x in [-1, 1]
  const Eigen::Vector3d origin = 0.5 * (series.At(f0) + series.At(b));  // well conditioned
  PolyFit3<3> fit;
  for (const int dir : {-1, 1}) {
    const int end = dir < 0 ? f0 : b;
    int count = 0;
    for (; count < samples && series.Valid(end + count * dir); ++count) {
      const int g = end + count * dir;
      fit.Add((g - mid) / half, series.At(g) - origin);
    }
    if (count < 3) return false;
  }
  PolyFit3<3>::Coefficients coef;
  if (!fit.Solve(&coef)) return false;
  out->resize(b - a);
  for (int g = a; g < b; ++g) {
    (*out)[g - a] = origin + PolyFit3<3>::Evaluate(coef, (g - mid) / half);
  }
  return true;
}

// Cubic Hermite curve between the two fitted ends.
void HermiteBridge(const Series& series, int a, int b, int samples,
                   std::vector<Eigen::Vector3d>* out) {
  const int f0 = a - 1;
  const double span = b - f0;
  const Eigen::Vector3d chord = (series.At(b) - series.At(f0)) / span;
  const GapEnd e0 = FitGapEnd(series, f0, -1, samples, chord);
  const GapEnd e1 = FitGapEnd(series, b, +1, samples, chord);
  const Eigen::Vector3d m0 = e0.slope * span;
  const Eigen::Vector3d m1 = e1.slope * span;
  out->resize(b - a);
  for (int g = a; g < b; ++g) {
    const double s = (g - f0) / span;
    const double s2 = s * s, s3 = s2 * s;
    (*out)[g - a] = (2 * s3 - 3 * s2 + 1) * e0.position + (s3 - 2 * s2 + s) * m0 +
                    (-2 * s3 + 3 * s2) * e1.position + (s3 - s2) * m1;
  }
}

struct Method {
  bool joint_cubic = false;
  int donor = -1;
};

// The bridge of `label` over the missing frames [a, b) (valid at a - 1 and b)
// by `method`; out[g - a] per frame. A joint cubic without three samples a
// side falls back to the Hermite curve.
void Bridge(const Trajectories& tr, int label, const Method& method, int a, int b, int samples,
            std::vector<Eigen::Vector3d>* out) {
  const Series series{&tr, label, method.donor};
  if (!method.joint_cubic || !JointCubic(series, a, b, samples, out)) {
    HermiteBridge(series, a, b, samples, out);
  }
  if (method.donor < 0) return;
  for (int g = a; g < b; ++g) (*out)[g - a] += tr.at(g, method.donor).position_m;
}

constexpr int kMaxCuts = 64;  // per gap: bounds the search on long takes

// Per label, how many samples before each frame are valid: whether a run of
// frames is wholly tracked in O(1).
class ValidCounts {
 public:
  explicit ValidCounts(const Trajectories& tr)
      : n_(tr.num_frames()), counts_(static_cast<size_t>(tr.num_labels()) * (n_ + 1), 0) {
    for (int l = 0; l < tr.num_labels(); ++l) {
      int* c = &counts_[static_cast<size_t>(l) * (n_ + 1)];
      for (int f = 0; f < n_; ++f) c[f + 1] = c[f] + (tr.at(f, l).valid() ? 1 : 0);
    }
  }
  // Frames [first, last) all valid (and inside the take).
  bool All(int label, int first, int last) const {
    if (first < 0 || last > n_) return false;
    const int* c = &counts_[static_cast<size_t>(label) * (n_ + 1)];
    return c[last] - c[first] == last - first;
  }

 private:
  int n_;
  std::vector<int> counts_;
};

// The method whose bridges of cuts like the gap [a, b), into the label's own
// tracked samples within `radius` frames of it, are closest to those samples:
// the joint cubic or the Hermite curve, and then a donor's motion added when
// that beats the better curve by `donor_gain`. Cuts start every half gap (at
// most kMaxCuts), each with its ends' fitting windows wholly tracked. Too few
// cuts: the Hermite curve.
Method ChooseMethod(const Trajectories& tr, const ValidCounts& valid, int label, int a, int b,
                    int samples, int radius, const GapFillOptions& options) {
  const int n = tr.num_frames(), len = b - a;
  const int margin = std::max(samples, 3);
  auto tracked = [&](int s, int l) { return valid.All(l, s - margin, s + len + margin); };
  std::vector<Eigen::Vector3d> bridge;
  auto error = [&](const Method& m, int s) {
    Bridge(tr, label, m, s, s + len, samples, &bridge);
    double e = 0.0;
    for (int g = s; g < s + len; ++g) {
      e += (bridge[g - s] - tr.at(g, label).position_m).squaredNorm();
    }
    return e;
  };
  std::vector<int> cuts;
  const int step = std::max({1, len / 2, 2 * radius / kMaxCuts});
  for (int s = std::max(margin, a - radius); s + len + margin <= std::min(n, b + radius);
       s += step) {
    if (tracked(s, label)) cuts.push_back(s);
  }
  if (static_cast<int>(cuts.size()) < options.min_cuts) return Method();
  std::vector<double> hermite(cuts.size()), cubic(cuts.size());
  double hermite_sum = 0.0, cubic_sum = 0.0;
  for (size_t i = 0; i < cuts.size(); ++i) {
    hermite[i] = error({false, -1}, cuts[i]), cubic[i] = error({true, -1}, cuts[i]);
    hermite_sum += hermite[i], cubic_sum += cubic[i];
  }
  Method best{cubic_sum < hermite_sum, -1};
  if (!options.donors) return best;
  const std::vector<double>& chosen_error = best.joint_cubic ? cubic : hermite;
  double best_ratio = options.donor_gain;
  for (int d = 0; d < tr.num_labels(); ++d) {
    if (d == label) continue;
    if (!valid.All(d, a - 1, b + 1)) continue;  // the donor must be tracked across the gap
    const Method m{best.joint_cubic, d};
    double sum = 0.0, sum_curve = 0.0;
    int used = 0;
    for (size_t i = 0; i < cuts.size(); ++i) {
      if (!tracked(cuts[i], d)) continue;  // the label is, by the cut's choice
      sum += error(m, cuts[i]);
      sum_curve += chosen_error[i];
      ++used;
    }
    if (used < options.min_cuts || !(sum_curve > 0)) continue;
    const double ratio = std::sqrt(sum / sum_curve);
    if (ratio < best_ratio) best_ratio = ratio, best.donor = d;
  }
  return best;
}

}  // namespace

int FillGapsWithSplines(const GapFillOptions& options, Trajectories* tr, GapFillStats* stats) {
  HL_CHECK(options.Check());
  GapFillStats local;
  GapFillStats& st = stats ? *stats : local;
  st = GapFillStats();
  if (options.max_gap_s <= 0 || tr->rate_hz() <= 0) return 0;
  const int max_gap = static_cast<int>(std::floor(options.max_gap_s * tr->rate_hz() + 1e-9));
  const int n = tr->num_frames();
  const double window = options.tangent_window_s * tr->rate_hz();
  const int samples = window >= n ? n : std::max(3, static_cast<int>(std::lround(window)));
  const int radius = static_cast<int>(std::lround(options.choice_window_s * tr->rate_hz()));
  const int min_choice_gap =
      std::max(1, static_cast<int>(std::lround(options.choice_min_gap_s * tr->rate_hz())));
  // Choices and donors read the tracked samples only, never another bridge.
  const Trajectories tracked = *tr;
  const ValidCounts valid(tracked);
  std::vector<Eigen::Vector3d> bridge;
  for (int l = 0; l < tr->num_labels(); ++l) {
    int f = 0;
    while (f < n) {
      if (tracked.at(f, l).valid()) {
        ++f;
        continue;
      }
      const int a = f;  // first missing
      while (f < n && !tracked.at(f, l).valid()) ++f;
      const int b = f;  // first valid after the gap (or n)
      if (a == 0 || b == n || b - a > max_gap) continue;
      const Method method = radius > 0 && b - a >= min_choice_gap
                                ? ChooseMethod(tracked, valid, l, a, b, samples, radius, options)
                                : Method();
      Bridge(tracked, l, method, a, b, samples, &bridge);
      for (int g = a; g < b; ++g) {
        Sample& out = tr->at(g, l);
        out.position_m = bridge[g - a];
        out.residual_px = 0.0f;
        out.n_cameras = 0;
        out.flags |= Sample::kFilled;
      }
      st.filled += b - a;
      if (method.joint_cubic) st.joint_cubic += b - a;
      if (method.donor >= 0) st.donor_guided += b - a;
    }
  }
  return st.filled;
}

}  // namespace hl
