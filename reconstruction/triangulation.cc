#include "reconstruction/triangulation.h"

#include <Eigen/Dense>
#include <cmath>

#include "core/error.h"

namespace hl {

bool TriangulationOptions::Check() const {
  return max_reprojection_px > 0 && min_cameras >= 2 && refine_iterations >= 0 &&
         min_triangulation_angle_deg >= 0;
}

bool TriangulateDlt(const std::vector<Camera>& cameras, const std::vector<int>& camera_ids,
                    const std::vector<Eigen::Vector2d>& normalized, Eigen::Vector3d* point_in_world) {
  HL_CHECK(camera_ids.size() == normalized.size());
  const int n = static_cast<int>(camera_ids.size());
  if (n < 2) return false;
  Eigen::MatrixXd A(2 * n, 4);
  for (int i = 0; i < n; ++i) {
    const Camera& cam = cameras[camera_ids[i]];
    Eigen::Matrix<double, 3, 4> P;
    P.leftCols<3>() = cam.cam_from_world.RotationMatrix();
    P.col(3) = cam.cam_from_world.translation;
    const double f = 0.5 * (cam.fx + cam.fy);
    A.row(2 * i) = f * (normalized[i].x() * P.row(2) - P.row(0));
    A.row(2 * i + 1) = f * (normalized[i].y() * P.row(2) - P.row(1));
  }
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeFullV);
  const Eigen::Vector4d X = svd.matrixV().col(3);
  if (std::abs(X(3)) < 1e-12) return false;
  *point_in_world = X.head<3>() / X(3);
  return point_in_world->allFinite();
}

namespace {

double ReprojectionError(const Camera& cam, const Eigen::Vector3d& X, const Eigen::Vector2d& pixel) {
  Eigen::Vector2d p;
  if (!cam.Project(X, &p)) return std::numeric_limits<double>::infinity();
  return (p - pixel).norm();
}

// Gauss-Newton on pixel residuals with a numeric Jacobian of the projection.
void Refine(const std::vector<Camera>& cameras, const std::vector<PointObservation>& obs,
            const std::vector<int>& use, int iterations, Eigen::Vector3d* X) {
  for (int it = 0; it < iterations; ++it) {
    Eigen::Matrix3d JtJ = Eigen::Matrix3d::Zero();
    Eigen::Vector3d Jtr = Eigen::Vector3d::Zero();
    for (int k : use) {
      const Camera& cam = cameras[obs[k].camera];
      Eigen::Vector2d p0;
      if (!cam.Project(*X, &p0)) return;
      Eigen::Matrix<double, 2, 3> J;
      for (int d = 0; d < 3; ++d) {
        Eigen::Vector3d Xd = *X;
        const double h = 1e-6 * std::max(1.0, std::abs((*X)(d)));
        Xd(d) += h;
        Eigen::Vector2d pd;
        if (!cam.Project(Xd, &pd)) return;
        J.col(d) = (pd - p0) / h;
      }
      const Eigen::Vector2d r = p0 - obs[k].pixel;
      JtJ += J.transpose() * J;
      Jtr += J.transpose() * r;
    }
    const Eigen::Vector3d step = JtJ.ldlt().solve(-Jtr);
    if (!step.allFinite()) return;
    *X += step;
    if (step.norm() < 1e-10) return;
  }
}

}  // namespace

TriangulationResult TriangulatePoint(const std::vector<Camera>& cameras,
                                     const std::vector<PointObservation>& observations,
                                     const TriangulationOptions& options) {
  HL_CHECK(options.Check());
  TriangulationResult result;
  const int n = static_cast<int>(observations.size());
  if (n < options.min_cameras) return result;

  std::vector<Eigen::Vector2d> normalized(n);
  std::vector<Eigen::Vector3d> rays(n);
  for (int i = 0; i < n; ++i) {
    const Camera& cam = cameras[observations[i].camera];
    normalized[i] = cam.NormalizedFromImage(observations[i].pixel);
    rays[i] = cam.cam_from_world.rotation.conjugate() *
              Eigen::Vector3d(normalized[i].x(), normalized[i].y(), 1.0).normalized();
  }
  const double min_angle_cos = std::cos(options.min_triangulation_angle_deg * M_PI / 180.0);

  auto consensus = [&](const Eigen::Vector3d& X, std::vector<int>* inliers) {
    inliers->clear();
    double sum = 0;
    for (int i = 0; i < n; ++i) {
      const double e = ReprojectionError(cameras[observations[i].camera], X, observations[i].pixel);
      if (e <= options.max_reprojection_px) {
        inliers->push_back(i);
        sum += e * e;
      }
    }
    return sum;
  };

  std::vector<int> best;
  double best_cost = std::numeric_limits<double>::infinity();
  Eigen::Vector3d best_X = Eigen::Vector3d::Zero();
  // First hypothesis: every camera together (the common, outlier-free case).
  {
    std::vector<int> ids;
    for (const auto& o : observations) ids.push_back(o.camera);
    Eigen::Vector3d X;
    if (TriangulateDlt(cameras, ids, normalized, &X)) {
      std::vector<int> inl;
      const double cost = consensus(X, &inl);
      best = inl;
      best_cost = cost;
      best_X = X;
    }
  }
  if (static_cast<int>(best.size()) < n && n >= 3) {
    // All pairs: with at most ~8 cameras this is at most 28 tiny solves and
    // deterministic, which random sampling would not be.
    for (int a = 0; a < n; ++a) {
      for (int b = a + 1; b < n; ++b) {
        if (rays[a].dot(rays[b]) > min_angle_cos) continue;
        Eigen::Vector3d X;
        if (!TriangulateDlt(cameras, {observations[a].camera, observations[b].camera},
                            {normalized[a], normalized[b]}, &X)) {
          continue;
        }
        std::vector<int> inl;
        const double cost = consensus(X, &inl);
        if (inl.size() > best.size() || (inl.size() == best.size() && cost < best_cost)) {
          best = inl;
          best_cost = cost;
          best_X = X;
        }
      }
    }
  }
  if (static_cast<int>(best.size()) < options.min_cameras) return result;

  // Re-estimate from the consensus set, refine, and re-check the inliers.
  {
    std::vector<int> ids;
    std::vector<Eigen::Vector2d> norm;
    for (int k : best) {
      ids.push_back(observations[k].camera);
      norm.push_back(normalized[k]);
    }
    Eigen::Vector3d X;
    if (TriangulateDlt(cameras, ids, norm, &X)) best_X = X;
  }
  Refine(cameras, observations, best, options.refine_iterations, &best_X);
  std::vector<int> final_inliers;
  consensus(best_X, &final_inliers);
  if (static_cast<int>(final_inliers.size()) < options.min_cameras) return result;

  double sum = 0;
  for (int k : final_inliers) {
    const double e = ReprojectionError(cameras[observations[k].camera], best_X, observations[k].pixel);
    sum += e * e;
    result.inlier_cameras.push_back(observations[k].camera);
  }
  result.success = true;
  result.point_in_world = best_X;
  result.rms_px = std::sqrt(sum / static_cast<double>(final_inliers.size()));
  return result;
}

}  // namespace hl
