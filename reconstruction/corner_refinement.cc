#include "reconstruction/corner_refinement.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>

namespace hl {

namespace {

// Bilinear sample with integer coordinates at pixel centres; -1 outside.
double Bilinear(const cv::Mat& gray, double x, double y) {
  const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
  if (x0 < 0 || y0 < 0 || x0 + 1 >= gray.cols || y0 + 1 >= gray.rows) return -1.0;
  const double fx = x - x0, fy = y - y0;
  const uint8_t* r0 = gray.ptr<uint8_t>(y0);
  const uint8_t* r1 = gray.ptr<uint8_t>(y0 + 1);
  return (1 - fy) * ((1 - fx) * r0[x0] + fx * r0[x0 + 1]) + fy * ((1 - fx) * r1[x0] + fx * r1[x0 + 1]);
}

}  // namespace

bool RefineCornersByEdges(const cv::Mat& gray, double cell_px, std::vector<cv::Point2f>* q) {
  std::array<Eigen::Vector2d, 4> P;
  for (int i = 0; i < 4; ++i) P[i] = Eigen::Vector2d((*q)[i].x, (*q)[i].y);
  const Eigen::Vector2d centre = 0.25 * (P[0] + P[1] + P[2] + P[3]);
  const double reach = std::clamp(0.45 * cell_px, 1.5, 4.0);
  constexpr double kStep = 0.25;
  std::array<Eigen::Vector3d, 4> lines;  // a x + b y + c = 0, (a, b) unit
  for (int side = 0; side < 4; ++side) {
    const Eigen::Vector2d a = P[side], b = P[(side + 1) % 4];
    const double len = (b - a).norm();
    if (len < 4.0) return false;
    const Eigen::Vector2d d = (b - a) / len;
    Eigen::Vector2d n(-d.y(), d.x());
    if (n.dot(0.5 * (a + b) - centre) < 0) n = -n;  // outwards
    std::vector<Eigen::Vector2d> pts;
    for (double t = 0.15 * len; t <= 0.85 * len; t += 0.75) {
      const Eigen::Vector2d base = a + t * d;
      const int m = static_cast<int>(reach / kStep);
      std::vector<double> prof(2 * m + 1);
      bool inside = true;
      for (int k = -m; k <= m && inside; ++k) {
        const Eigen::Vector2d p = base + (k * kStep) * n;
        prof[k + m] = Bilinear(gray, p.x(), p.y());
        inside = prof[k + m] >= 0;
      }
      if (!inside) continue;
      int best = -1;
      double best_g = 0;
      for (int k = 1; k + 1 < static_cast<int>(prof.size()); ++k) {
        const double g = prof[k + 1] - prof[k - 1];  // dark inside, light outside: > 0
        if (g > best_g) best_g = g, best = k;
      }
      if (best <= 1 || best + 2 >= static_cast<int>(prof.size())) continue;
      const double gm = prof[best] - prof[best - 2], g0 = best_g, gp = prof[best + 2] - prof[best];
      const double denom = gm - 2 * g0 + gp;
      const double offset = std::abs(denom) > 1e-9 ? std::clamp(0.5 * (gm - gp) / denom, -0.5, 0.5) : 0.0;
      pts.push_back(base + ((best - m + offset) * kStep) * n);
    }
    if (pts.size() < 3) return false;
    // Total least squares, then once more without points far off the line.
    for (int pass = 0; pass < 2; ++pass) {
      Eigen::Vector2d mean = Eigen::Vector2d::Zero();
      for (const auto& p : pts) mean += p;
      mean /= static_cast<double>(pts.size());
      Eigen::Matrix2d cov = Eigen::Matrix2d::Zero();
      for (const auto& p : pts) cov += (p - mean) * (p - mean).transpose();
      const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eig(cov);
      const Eigen::Vector2d normal = eig.eigenvectors().col(0);
      lines[side] = Eigen::Vector3d(normal.x(), normal.y(), -normal.dot(mean));
      if (pass == 0) {
        std::vector<Eigen::Vector2d> kept;
        for (const auto& p : pts) {
          if (std::abs(lines[side].head<2>().dot(p) + lines[side].z()) < 0.5) kept.push_back(p);
        }
        if (kept.size() < 3) return false;
        pts = std::move(kept);
      }
    }
  }
  std::vector<cv::Point2f> out(4);
  for (int i = 0; i < 4; ++i) {
    // Corner i joins side i-1 (from corner i-1) and side i.
    const Eigen::Vector3d x = lines[(i + 3) % 4].cross(lines[i]);
    if (std::abs(x.z()) < 1e-12) return false;
    const Eigen::Vector2d c = x.head<2>() / x.z();
    if ((c - P[i]).norm() > 2.0) return false;  // not the corner we started from
    out[i] = cv::Point2f(static_cast<float>(c.x()), static_cast<float>(c.y()));
  }
  *q = std::move(out);
  return true;
}

}  // namespace hl
