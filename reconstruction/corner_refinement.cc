#include "reconstruction/corner_refinement.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>

namespace hl {

namespace {

// Fewer grey levels between the run's ends than this and the run is not
// across this side (another edge, a highlight): skip it.
constexpr double kMinContrast = 20.0;

// Edge points of the side a -> b: where it crosses image rows (steep side) or
// columns. Pixel centres are at integer coordinates (OpenCV's convention).
void SideEdgePoints(const cv::Mat& gray, const Eigen::Vector2d& a, const Eigen::Vector2d& b,
                    const Eigen::Vector2d& centre, double reach_px,
                    std::vector<Eigen::Vector2d>* pts) {
  // axis 0: runs along rows, measuring x; axis 1: along columns, measuring y.
  const int axis = std::abs(b.x() - a.x()) < std::abs(b.y() - a.y()) ? 0 : 1;
  // A run crosses an oblique side at a slant: lengthen it so its ends reach
  // as far from the side (across it) as on a side parallel to the grid.
  const double across = std::abs(b[1 - axis] - a[1 - axis]) / (b - a).norm();
  const int half = std::clamp(static_cast<int>(reach_px / across), 1, 4);
  const int other_axis = 1 - axis;
  const double a_other = a[other_axis], b_other = b[other_axis];
  const double a_along = a[axis], b_along = b[axis];
  const double lo = std::min(a_other, b_other), hi = std::max(a_other, b_other);
  const int run_limit = axis == 0 ? gray.cols : gray.rows;
  const int line_limit = axis == 0 ? gray.rows : gray.cols;
  const bool black_before = centre[axis] < 0.5 * (a_along + b_along);
  // The middle half only, so a run never reaches the neighbouring sides.
  const int first_line = std::max(0, static_cast<int>(std::ceil(lo + 0.25 * (hi - lo))));
  const int last_line =
      std::min(line_limit - 1, static_cast<int>(std::floor(hi - 0.25 * (hi - lo))));
  for (int line = first_line; line <= last_line; ++line) {
    const double cross = a_along + (line - a_other) / (b_other - a_other) * (b_along - a_along);
    const int first = static_cast<int>(std::lround(cross)) - half;
    if (first < 0 || first + 2 * half >= run_limit) continue;
    const uint8_t* row = axis == 0 ? gray.ptr<uint8_t>(line) : nullptr;
    auto at = [&](int i) -> double {
      return axis == 0 ? row[i] : gray.ptr<uint8_t>(i)[line];
    };
    const double black_level = black_before ? at(first) : at(first + 2 * half);
    const double white_level = black_before ? at(first + 2 * half) : at(first);
    if (white_level - black_level < kMinContrast) continue;
    // The black area of the run, in pixels, is the edge's distance from the
    // run's black end: exact for an area-sampled straight edge under any
    // symmetric blur, at any phase of the edge to the pixel grid.
    double black = 0;
    for (int i = first; i <= first + 2 * half; ++i) black += white_level - at(i);
    black /= white_level - black_level;
    const double measured = black_before ? first - 0.5 + black : first + 2 * half + 0.5 - black;
    Eigen::Vector2d p;
    p[axis] = measured;
    p[other_axis] = line;
    pts->push_back(p);
  }
}

// One round: lines through the sides' edge points, from the corners in P.
bool FitSideLines(const cv::Mat& gray, const std::array<Eigen::Vector2d, 4>& P, double reach_px,
                  std::array<Eigen::Vector3d, 4>* lines) {
  const Eigen::Vector2d centre = 0.25 * (P[0] + P[1] + P[2] + P[3]);
  std::vector<Eigen::Vector2d> pts;
  for (int side = 0; side < 4; ++side) {
    const Eigen::Vector2d a = P[side], b = P[(side + 1) % 4];
    if ((b - a).norm() < 4.0) return false;
    pts.clear();
    SideEdgePoints(gray, a, b, centre, reach_px, &pts);
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
      (*lines)[side] = Eigen::Vector3d(normal.x(), normal.y(), -normal.dot(mean));
      if (pass == 0) {
        std::vector<Eigen::Vector2d> kept;
        for (const auto& p : pts) {
          if (std::abs((*lines)[side].head<2>().dot(p) + (*lines)[side].z()) < 0.5) {
            kept.push_back(p);
          }
        }
        if (kept.size() < 3) return false;
        pts = std::move(kept);
      }
    }
  }
  return true;
}

}  // namespace

bool RefineCornersByEdges(const cv::Mat& gray, double cell_px, std::vector<cv::Point2f>* q) {
  if (gray.type() != CV_8UC1 || q->size() != 4) return false;
  std::array<Eigen::Vector2d, 4> start, P;
  for (int i = 0; i < 4; ++i) start[i] = P[i] = Eigen::Vector2d((*q)[i].x, (*q)[i].y);
  // The run's black end must stay inside the one-cell black border even when
  // the run is centred a pixel off the edge.
  const double reach_px = std::min(0.6 * cell_px, 3.0);
  // Round 2 centres the runs on round 1's sides: the polygon corners can be
  // a pixel off, which moves a run's ends off the border's flat levels.
  for (int round = 0; round < 2; ++round) {
    std::array<Eigen::Vector3d, 4> lines;  // a x + b y + c = 0, (a, b) unit
    if (!FitSideLines(gray, P, reach_px, &lines)) return false;
    for (int i = 0; i < 4; ++i) {
      // Corner i joins side i-1 (from corner i-1) and side i.
      const Eigen::Vector3d x = lines[(i + 3) % 4].cross(lines[i]);
      if (std::abs(x.z()) < 1e-12) return false;
      P[i] = x.head<2>() / x.z();
      if ((P[i] - start[i]).norm() > 2.0) return false;  // not the corner we started from
    }
  }
  for (int i = 0; i < 4; ++i) {
    (*q)[i] = cv::Point2f(static_cast<float>(P[i].x()), static_cast<float>(P[i].y()));
  }
  return true;
}

}  // namespace hl
