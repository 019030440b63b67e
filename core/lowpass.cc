#include "core/lowpass.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"

namespace hl {

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
      // Three periods of the cutoff mirrored at each end (a double first: a
      // cutoff far below the frame rate would overflow an int).
      const double want = 3.0 * std::ceil(fs / cutoff_hz);
      const int pad = want >= len - 1 ? len - 1 : static_cast<int>(want);
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
