#include "reconstruction/gap_filling.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace hl {

namespace {

// Tangent (per frame) at valid frame f from its neighbours on side `dir`
// (-1: before, +1: after); falls back to the chord when they are missing.
Eigen::Vector3d Tangent(const Trajectories& tr, int label, int f, int dir,
                        const Eigen::Vector3d& chord_per_frame) {
  const int g = f + dir;
  const int h = f + 2 * dir;
  const int n = tr.num_frames();
  if (g < 0 || g >= n || !tr.at(g, label).valid()) return chord_per_frame;
  const Eigen::Vector3d p = tr.at(f, label).position_m;
  if (h >= 0 && h < n && tr.at(h, label).valid()) {
    // One-sided second-order difference: the derivative at f itself, exact
    // for quadratic motion (a central difference would be that at g).
    const Eigen::Vector3d pg = tr.at(g, label).position_m, ph = tr.at(h, label).position_m;
    return dir < 0 ? Eigen::Vector3d((3.0 * p - 4.0 * pg + ph) / 2.0)
                   : Eigen::Vector3d((-3.0 * p + 4.0 * pg - ph) / 2.0);
  }
  return dir < 0 ? Eigen::Vector3d(p - tr.at(g, label).position_m)
                 : Eigen::Vector3d(tr.at(g, label).position_m - p);
}

}  // namespace

int FillGapsWithSplines(const GapFillOptions& options, Trajectories* tr) {
  HL_CHECK(options.Check());
  if (options.max_gap_s <= 0 || tr->rate_hz() <= 0) return 0;
  const int max_gap = static_cast<int>(std::floor(options.max_gap_s * tr->rate_hz() + 1e-9));
  int filled = 0;
  const int n = tr->num_frames();
  for (int l = 0; l < tr->num_labels(); ++l) {
    int f = 0;
    while (f < n) {
      if (tr->at(f, l).valid()) {
        ++f;
        continue;
      }
      const int a = f;  // first missing
      while (f < n && !tr->at(f, l).valid()) ++f;
      const int b = f;  // first valid after the gap (or n)
      if (a == 0 || b == n || b - a > max_gap) continue;
      const int f0 = a - 1;
      const Eigen::Vector3d p0 = tr->at(f0, l).position_m;
      const Eigen::Vector3d p1 = tr->at(b, l).position_m;
      const double span = b - f0;
      const Eigen::Vector3d chord = (p1 - p0) / span;
      const Eigen::Vector3d m0 = Tangent(*tr, l, f0, -1, chord) * span;
      const Eigen::Vector3d m1 = Tangent(*tr, l, b, +1, chord) * span;
      for (int g = a; g < b; ++g) {
        const double s = (g - f0) / span;
        const double s2 = s * s, s3 = s2 * s;
        Sample& out = tr->at(g, l);
        out.position_m = (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0 +
                         (-2 * s3 + 3 * s2) * p1 + (s3 - s2) * m1;
        out.residual_px = 0.0f;
        out.n_cameras = 0;
        out.flags |= Sample::kFilled;
        ++filled;
      }
    }
  }
  return filled;
}

void LowPassFilter(double cutoff_hz, Trajectories* tr) {
  const double fs = tr->rate_hz();
  if (!(fs > 0) || !(cutoff_hz > 0) || !(cutoff_hz < 0.5 * fs)) {
    throw Error("low-pass filter", "cutoff " + std::to_string(cutoff_hz) +
                                       " Hz must be above 0 and below half the frame rate (" +
                                       std::to_string(0.5 * fs) + " Hz)");
  }
  // Bilinear transform with pre-warping of the analogue Butterworth prototype.
  const double k = std::tan(M_PI * cutoff_hz / fs);
  const double norm = 1.0 / (1.0 + std::sqrt(2.0) * k + k * k);
  const double b0 = k * k * norm, b1 = 2 * b0, b2 = b0;
  const double a1 = 2.0 * (k * k - 1.0) * norm;
  const double a2 = (1.0 - std::sqrt(2.0) * k + k * k) * norm;
  auto pass = [&](std::vector<double>* x) {
    // Direct form II transposed, started in the steady state of x[0].
    const double c = x->front();
    double z1 = c * (1.0 - b0), z2 = c * (b2 - a2);
    for (double& v : *x) {
      const double in = v;
      const double y = b0 * in + z1;
      z1 = b1 * in - a1 * y + z2;
      z2 = b2 * in - a2 * y;
      v = y;
    }
  };
  const int n = tr->num_frames();
  for (int l = 0; l < tr->num_labels(); ++l) {
    int f = 0;
    while (f < n) {
      if (!tr->at(f, l).valid()) {
        ++f;
        continue;
      }
      const int a = f;
      while (f < n && tr->at(f, l).valid()) ++f;
      const int len = f - a;
      if (len < 4) continue;
      const int pad = std::min(len - 1, 3 * static_cast<int>(std::ceil(fs / cutoff_hz)));
      for (int d = 0; d < 3; ++d) {
        std::vector<double> x;
        x.reserve(len + 2 * pad);
        const double first = tr->at(a, l).position_m(d), last = tr->at(f - 1, l).position_m(d);
        for (int i = pad; i >= 1; --i) x.push_back(2 * first - tr->at(a + i, l).position_m(d));
        for (int i = a; i < f; ++i) x.push_back(tr->at(i, l).position_m(d));
        for (int i = 1; i <= pad; ++i) x.push_back(2 * last - tr->at(f - 1 - i, l).position_m(d));
        pass(&x);
        std::reverse(x.begin(), x.end());
        pass(&x);
        std::reverse(x.begin(), x.end());
        for (int i = 0; i < len; ++i) tr->at(a + i, l).position_m(d) = x[pad + i];
      }
      for (int i = a; i < f; ++i) tr->at(i, l).flags |= Sample::kFiltered;
    }
  }
}

}  // namespace hl
