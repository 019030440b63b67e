#include "reconstruction/gap_filling.h"

#include <Eigen/Cholesky>
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace hl {

namespace {

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

GapEnd FitGapEnd(const Trajectories& tr, int label, int f, int dir, int samples,
                 const Eigen::Vector3d& chord_per_frame) {
  const int n = tr.num_frames();
  const Eigen::Vector3d p = tr.at(f, label).position_m;
  Eigen::Matrix3d ata = Eigen::Matrix3d::Zero();
  Eigen::Matrix3d atb = Eigen::Matrix3d::Zero();  // column per coordinate
  int count = 0;
  GapEnd end{p, chord_per_frame};
  for (int k = 0; k < std::max(samples, 3); ++k) {
    const int g = f + k * dir;
    if (g < 0 || g >= n || !tr.at(g, label).valid()) break;
    const double x = k * dir;
    const Eigen::Vector3d basis(1.0, x, x * x);
    const Eigen::Vector3d d = tr.at(g, label).position_m - p;  // relative: well conditioned
    ata += basis * basis.transpose();
    atb += basis * d.transpose();
    if (k == 1) end.slope = dir * d;
    ++count;
  }
  if (count < 3) return end;
  const Eigen::Matrix3d coef = ata.ldlt().solve(atb);
  if (!coef.allFinite()) return end;
  return {p + coef.row(0).transpose(), coef.row(1).transpose()};
}

}  // namespace

int FillGapsWithSplines(const GapFillOptions& options, Trajectories* tr) {
  HL_CHECK(options.Check());
  if (options.max_gap_s <= 0 || tr->rate_hz() <= 0) return 0;
  const int max_gap = static_cast<int>(std::floor(options.max_gap_s * tr->rate_hz() + 1e-9));
  int filled = 0;
  const int n = tr->num_frames();
  const double window = options.tangent_window_s * tr->rate_hz();
  const int tangent_samples = window >= n ? n : std::max(3, static_cast<int>(std::lround(window)));
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
      const double span = b - f0;
      const Eigen::Vector3d chord = (tr->at(b, l).position_m - tr->at(f0, l).position_m) / span;
      const GapEnd e0 = FitGapEnd(*tr, l, f0, -1, tangent_samples, chord);
      const GapEnd e1 = FitGapEnd(*tr, l, b, +1, tangent_samples, chord);
      const Eigen::Vector3d& p0 = e0.position;
      const Eigen::Vector3d& p1 = e1.position;
      const Eigen::Vector3d m0 = e0.slope * span;
      const Eigen::Vector3d m1 = e1.slope * span;
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
