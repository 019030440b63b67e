#include "calibration/rig_alignment.h"

#include <cmath>
#include <cstdio>

#include <Eigen/Geometry>

#include "core/error.h"

namespace hl {
namespace {

// Points that pin a rig down: the centres, plus with two cameras a point on
// each optical axis.
Eigen::Matrix3Xd RigPoints(const std::vector<Camera>& cameras) {
  const bool add_axes = cameras.size() < 3;
  Eigen::Matrix3Xd points(3, cameras.size() * (add_axes ? 2 : 1));
  for (size_t c = 0; c < cameras.size(); ++c) {
    const Eigen::Vector3d centre = cameras[c].CenterInWorld();
    points.col(c) = centre;
    if (add_axes) {
      points.col(cameras.size() + c) =
          centre + cameras[c].cam_from_world.rotation.conjugate() * Eigen::Vector3d::UnitZ();
    }
  }
  return points;
}

}  // namespace

RigComparison CompareRigs(const std::vector<Camera>& estimate, const std::vector<Camera>& truth) {
  if (estimate.size() != truth.size() || truth.size() < 2) {
    throw Error("rig comparison", "needs the same cameras (at least two) in both rigs, got " +
                                      std::to_string(estimate.size()) + " and " +
                                      std::to_string(truth.size()));
  }
  const Eigen::Matrix3Xd from = RigPoints(estimate);
  const Eigen::Matrix3Xd to = RigPoints(truth);
  const Eigen::Matrix4d rigid = Eigen::umeyama(from, to, /*with_scaling=*/false);
  const Eigen::Matrix4d similar = Eigen::umeyama(from, to, /*with_scaling=*/true);

  RigComparison out;
  // umeyama's scale maps the estimate onto the truth: its inverse is the
  // estimate's size relative to the truth.
  const double det = similar.topLeftCorner<3, 3>().determinant();
  out.scale = det > 0 ? 1.0 / std::cbrt(det) : 0.0;
  out.truth_from_estimate =
      Rigid3d(Eigen::Quaterniond(Eigen::Matrix3d(rigid.topLeftCorner<3, 3>())),
              rigid.topRightCorner<3, 1>());
  const Rigid3d estimate_from_truth = out.truth_from_estimate.Inverse();
  double sum_sq = 0;
  for (size_t c = 0; c < truth.size(); ++c) {
    // The estimated camera moved into the truth's frame.
    const Rigid3d cam_from_truth_world = estimate[c].cam_from_world * estimate_from_truth;
    const double centre_mm =
        1e3 *
        (out.truth_from_estimate * estimate[c].CenterInWorld() - truth[c].CenterInWorld()).norm();
    const double rotation_deg =
        cam_from_truth_world.rotation.angularDistance(truth[c].cam_from_world.rotation) * 180.0 /
        M_PI;
    out.centre_error_mm.push_back(centre_mm);
    out.rotation_error_deg.push_back(rotation_deg);
    out.max_centre_error_mm = std::max(out.max_centre_error_mm, centre_mm);
    out.max_rotation_error_deg = std::max(out.max_rotation_error_deg, rotation_deg);
    sum_sq += centre_mm * centre_mm;
  }
  out.rms_centre_error_mm = std::sqrt(sum_sq / static_cast<double>(truth.size()));
  return out;
}

std::string RigComparison::Summary() const {
  char line[200];
  std::snprintf(line, sizeof(line),
                "after rigid alignment: centres within %.3f mm (RMS %.3f), rotations within "
                "%.4f deg, scale %.6f",
                max_centre_error_mm, rms_centre_error_mm, max_rotation_error_deg, scale);
  return line;
}

}  // namespace hl
