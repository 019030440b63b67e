#include "calibration/xcorner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <Eigen/Dense>
#include <Eigen/Eigenvalues>

#include "core/error.h"

namespace hl {

void XCornerOptions::Check() const {
  HL_CHECK(min_radius_px >= 1.0 && max_radius_px >= min_radius_px);
  HL_CHECK(epsilon_px > 0.0 && max_iterations >= 1 && max_shift_px > 0.0);
  HL_CHECK(min_blur_px > 0.0);
}

namespace {

// Pixels of the disc around `centre`: offsets from it, gray levels in [0, 1]
// and weights falling smoothly to 0 at the rim.
struct Window {
  std::vector<Eigen::Vector2d> offset;
  std::vector<double> value;
  std::vector<double> weight;
};

bool CollectWindow(const cv::Mat& gray, const Eigen::Vector2d& centre, double radius,
                   Window* window) {
  const int x0 = static_cast<int>(std::floor(centre.x() - radius));
  const int x1 = static_cast<int>(std::ceil(centre.x() + radius));
  const int y0 = static_cast<int>(std::floor(centre.y() - radius));
  const int y1 = static_cast<int>(std::ceil(centre.y() + radius));
  if (x0 < 0 || y0 < 0 || x1 >= gray.cols || y1 >= gray.rows) return false;
  *window = Window();
  const double r2_max = radius * radius;
  for (int y = y0; y <= y1; ++y) {
    const uint8_t* row = gray.ptr<uint8_t>(y);
    for (int x = x0; x <= x1; ++x) {
      const Eigen::Vector2d d(x - centre.x(), y - centre.y());
      const double r2 = d.squaredNorm();
      if (r2 >= r2_max) continue;
      const double t = 1.0 - r2 / r2_max;
      window->offset.push_back(d);
      window->value.push_back(row[x] / 255.0);
      window->weight.push_back(t * t);
    }
  }
  return window->offset.size() >= 12;
}

// The two edge directions from a quadratic fitted to the window: near the
// centre an X looks like c (n1 . d)(n2 . d), a saddle whose zero set is the
// two edges. Returns false when the window holds no saddle.
bool EdgeAnglesFromSaddle(const Window& w, double* theta1, double* theta2) {
  Eigen::Matrix<double, 6, 6> normal = Eigen::Matrix<double, 6, 6>::Zero();
  Eigen::Matrix<double, 6, 1> rhs = Eigen::Matrix<double, 6, 1>::Zero();
  for (size_t i = 0; i < w.offset.size(); ++i) {
    const double x = w.offset[i].x(), y = w.offset[i].y();
    Eigen::Matrix<double, 6, 1> row;
    row << 1, x, y, x * x, x * y, y * y;
    normal += w.weight[i] * row * row.transpose();
    rhs += w.weight[i] * w.value[i] * row;
  }
  const Eigen::Matrix<double, 6, 1> a = normal.ldlt().solve(rhs);
  Eigen::Matrix2d hessian;
  hessian << 2 * a(3), a(4), a(4), 2 * a(5);
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(hessian);
  const double l0 = eig.eigenvalues()(0), l1 = eig.eigenvalues()(1);
  if (!(l0 < 0 && l1 > 0)) return false;
  const double ratio = std::sqrt(-l0 / l1);
  const Eigen::Vector2d u = eig.eigenvectors().col(0), v = eig.eigenvectors().col(1);
  const Eigen::Vector2d e1 = u + ratio * v, e2 = u - ratio * v;
  *theta1 = std::atan2(e1.y(), e1.x());
  *theta2 = std::atan2(e2.y(), e2.x());
  return true;
}

double Phi(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double PhiDensity(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }

// Parameters: q (2, offset from the window centre), theta1, theta2, blur s,
// levels c0, c1. Model: c0 + c1 F with F = a1 a2 + (1 - a1)(1 - a2),
// a_k = Phi(n_k . (d - q) / s), n_k = (-sin theta_k, cos theta_k). (A
// shading gradient as two more parameters cost accuracy on small discs:
// synthetic X at radius 2.5 px 0.026 -> 0.056 px RMS.)
constexpr int kNumParams = 7;
using Params = Eigen::Matrix<double, kNumParams, 1>;
using Jacobian = Eigen::Matrix<double, Eigen::Dynamic, kNumParams>;

double Residuals(const Window& w, const Params& p, Eigen::VectorXd* r, Jacobian* jacobian) {
  const Eigen::Vector2d q = p.head<2>();
  const Eigen::Vector2d n1(-std::sin(p(2)), std::cos(p(2))), n2(-std::sin(p(3)), std::cos(p(3)));
  const Eigen::Vector2d t1(-std::cos(p(2)), -std::sin(p(2))), t2(-std::cos(p(3)), -std::sin(p(3)));
  const double s = p(4), c0 = p(5), c1 = p(6);
  const size_t n = w.offset.size();
  r->resize(static_cast<Eigen::Index>(n));
  if (jacobian != nullptr) jacobian->resize(static_cast<Eigen::Index>(n), kNumParams);
  double cost = 0;
  for (size_t i = 0; i < n; ++i) {
    const Eigen::Vector2d d = w.offset[i] - q;
    const double d1 = n1.dot(d), d2 = n2.dot(d);
    const double a1 = Phi(d1 / s), a2 = Phi(d2 / s);
    const double f = 1.0 - a1 - a2 + 2.0 * a1 * a2;
    const double sw = std::sqrt(w.weight[i]);
    const double res = sw * (c0 + c1 * f - w.value[i]);
    (*r)(static_cast<Eigen::Index>(i)) = res;
    cost += res * res;
    if (jacobian == nullptr) continue;
    const double g1 = PhiDensity(d1 / s) / s, g2 = PhiDensity(d2 / s) / s;
    const double df_da1 = 2.0 * a2 - 1.0, df_da2 = 2.0 * a1 - 1.0;
    const double k1 = sw * c1 * df_da1 * g1, k2 = sw * c1 * df_da2 * g2;
    auto row = jacobian->row(static_cast<Eigen::Index>(i));
    row.head<2>() = -(k1 * n1 + k2 * n2).transpose();
    row(2) = k1 * t1.dot(d);
    row(3) = k2 * t2.dot(d);
    row(4) = -(k1 * d1 + k2 * d2) / s;
    row(5) = sw;
    row(6) = sw * f;
  }
  return cost;
}

// Levenberg-Marquardt on the model above, from `p`.
bool FitModel(const Window& w, const XCornerOptions& options, Params* p) {
  Eigen::VectorXd r, r_new;
  Jacobian jacobian;
  double cost = Residuals(w, *p, &r, &jacobian);
  double lambda = 1e-3;
  for (int iteration = 0; iteration < options.max_iterations; ++iteration) {
    const Eigen::Matrix<double, kNumParams, kNumParams> jtj = jacobian.transpose() * jacobian;
    const Params jtr = jacobian.transpose() * r;
    bool improved = false;
    Params step = Params::Zero();
    while (lambda < 1e8) {
      Eigen::Matrix<double, kNumParams, kNumParams> a = jtj;
      a.diagonal() += lambda * jtj.diagonal().cwiseMax(1e-12);
      step = -a.ldlt().solve(jtr);
      Params candidate = *p + step;
      candidate(4) = std::max(candidate(4), options.min_blur_px);
      if (!candidate.allFinite()) return false;
      const double new_cost = Residuals(w, candidate, &r_new, nullptr);
      if (new_cost < cost) {
        *p = candidate;
        cost = Residuals(w, *p, &r, &jacobian);
        lambda = std::max(lambda / 10, 1e-9);
        improved = true;
        break;
      }
      lambda *= 10;
    }
    if (!improved || step.head<2>().norm() < options.epsilon_px) break;
  }
  return p->allFinite();
}

}  // namespace

bool RefineXCorner(const cv::Mat& gray, double radius_px, const XCornerOptions& options,
                   Eigen::Vector2d* corner, XCornerFit* fit) {
  options.Check();
  HL_CHECK(gray.type() == CV_8UC1);
  if (!(radius_px >= options.min_radius_px) || !corner->allFinite()) return false;
  const double radius = std::min(radius_px, options.max_radius_px);
  const Eigen::Vector2d start = *corner;
  Eigen::Vector2d centre = start;
  Window w;
  if (!CollectWindow(gray, centre, radius, &w)) return false;
  Params p = Params::Zero();
  if (!EdgeAnglesFromSaddle(w, &p(2), &p(3))) return false;
  p(4) = 1.0;
  // The levels: linear least squares for the starting edges.
  {
    Eigen::VectorXd r;
    p(5) = 0.0, p(6) = 1.0;
    Residuals(w, p, &r, nullptr);
    Eigen::Matrix2d normal = Eigen::Matrix2d::Zero();
    Eigen::Vector2d rhs = Eigen::Vector2d::Zero();
    for (size_t i = 0; i < w.offset.size(); ++i) {
      const double f = r(static_cast<Eigen::Index>(i)) / std::sqrt(w.weight[i]) + w.value[i];
      const Eigen::Vector2d row(1.0, f);
      normal += w.weight[i] * row * row.transpose();
      rhs += w.weight[i] * w.value[i] * row;
    }
    if (std::abs(normal.determinant()) < 1e-12) return false;
    p.tail<2>() = normal.inverse() * rhs;
  }
  if (!FitModel(w, options, &p)) return false;
  // Round 2 re-centres the window on round 1's corner, so the disc is
  // symmetric about the answer and the model's small misfit cancels.
  centre += p.head<2>();
  p.head<2>().setZero();
  if ((centre - start).norm() > options.max_shift_px || !CollectWindow(gray, centre, radius, &w) ||
      !FitModel(w, options, &p)) {
    return false;
  }
  const Eigen::Vector2d q = centre + p.head<2>();
  if ((q - start).norm() > options.max_shift_px) return false;
  // Too little contrast between the two colours: not a board corner.
  if (!(std::abs(p(6)) > 0.05)) return false;
  *corner = q;
  if (fit != nullptr) {
    Eigen::VectorXd r;
    const double cost = Residuals(w, p, &r, nullptr);
    double weight_sum = 0;
    for (double wi : w.weight) weight_sum += wi;
    fit->radius_px = radius;
    fit->blur_px = p(4);
    fit->contrast = std::abs(p(6));
    fit->residual = std::sqrt(cost / weight_sum) / fit->contrast;
  }
  return true;
}

double DistanceToQuad(const Eigen::Vector2d& point, const Eigen::Vector2d quad[4]) {
  double best = std::numeric_limits<double>::infinity();
  int sign = 0;
  bool inside = true;
  for (int i = 0; i < 4; ++i) {
    const Eigen::Vector2d& a = quad[i];
    const Eigen::Vector2d& b = quad[(i + 1) % 4];
    const Eigen::Vector2d ab = b - a;
    const double len2 = ab.squaredNorm();
    const double t = len2 > 0 ? std::clamp((point - a).dot(ab) / len2, 0.0, 1.0) : 0.0;
    best = std::min(best, (a + t * ab - point).norm());
    // Inside a convex quad: the point is on the same side of every edge.
    const double cross = ab.x() * (point.y() - a.y()) - ab.y() * (point.x() - a.x());
    const int s = cross > 0 ? 1 : (cross < 0 ? -1 : 0);
    if (s != 0) {
      if (sign == 0) sign = s;
      if (s != sign) inside = false;
    }
  }
  return inside ? 0.0 : best;
}

}  // namespace hl
