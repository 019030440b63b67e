#pragma once

// Ceres cost functors of marker refinement: reprojection of a known corner of
// a rigid body (one marker, or a rigid segment of several markers) into one
// calibrated camera, whose intrinsics and pose are held constant.
//
//   X_world = R_wb * X_body + t_wb                       (world_from_body)
//   X_cam   = R_cw * X_world + t_cw                      (cam_from_world)
//   (x, y)  = (X_cam.x / X_cam.z, X_cam.y / X_cam.z)
//   (xd, yd) = Camera::Distort(x, y)                     (OpenCV model, 0..14 terms)
//   residual = (fx xd + cx - u, fy yd + cy - v)           (pixels)
//
// RigidCornerError: X_body is a constant corner of the body.
//   block 0  world_from_body: Eigen quaternion (x, y, z, w), translation   [7]
// LayoutCornerError (learning a segment's layout): X_body = segment_from_marker * corner.
//   block 0  world_from_segment                                            [7]
//   block 1  segment_from_marker                                           [7]
// Poses use PoseManifold (EigenQuaternionManifold x R^3).

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <algorithm>
#include <array>

#include <ceres/autodiff_cost_function.h>

#include "calibration/reprojection_error.h"
#include "core/camera.h"

namespace hl {

// A camera's constants in the form the functors need (no heap, no strings).
struct FixedCamera {
  Eigen::Quaterniond q_cam_from_world = Eigen::Quaterniond::Identity();
  Eigen::Vector3d t_cam_from_world = Eigen::Vector3d::Zero();
  double fx = 0, fy = 0, cx = 0, cy = 0;
  std::array<double, 14> dist{};
  int num_dist = 0;

  static FixedCamera From(const Camera& camera) {
    FixedCamera f;
    f.q_cam_from_world = camera.cam_from_world.rotation;
    f.t_cam_from_world = camera.cam_from_world.translation;
    f.fx = camera.fx, f.fy = camera.fy, f.cx = camera.cx, f.cy = camera.cy;
    f.num_dist = static_cast<int>(std::min<size_t>(camera.dist.size(), 14));
    for (int i = 0; i < f.num_dist; ++i) f.dist[i] = camera.dist[i];
    return f;
  }

  // World point -> pixel residual against `observed`. False behind the camera.
  template <typename T>
  bool Residual(const Eigen::Matrix<T, 3, 1>& point_in_world, const Eigen::Vector2d& observed,
                T* residuals) const {
    const Eigen::Matrix<T, 3, 1> p =
        q_cam_from_world.cast<T>() * point_in_world + t_cam_from_world.cast<T>();
    if (!(p.z() > T(1e-9))) return false;
    const T x = p.x() / p.z();
    const T y = p.y() / p.z();
    T xd, yd;
    Camera::Distort(dist.data(), num_dist, x, y, &xd, &yd);
    residuals[0] = fx * xd + cx - observed.x();
    residuals[1] = fy * yd + cy - observed.y();
    return true;
  }
};

class RigidCornerError {
 public:
  RigidCornerError(const FixedCamera& camera, const Eigen::Vector3d& corner_in_body,
                   const Eigen::Vector2d& observed_px)
      : camera_(camera), corner_in_body_(corner_in_body), observed_px_(observed_px) {}

  template <typename T>
  bool operator()(const T* world_from_body, T* residuals) const {
    const Eigen::Map<const Eigen::Quaternion<T>> q(world_from_body);
    const Eigen::Map<const Eigen::Matrix<T, 3, 1>> t(world_from_body + 4);
    const Eigen::Matrix<T, 3, 1> point_in_world = q * corner_in_body_.cast<T>() + t;
    return camera_.Residual(point_in_world, observed_px_, residuals);
  }

  static ceres::CostFunction* Create(const FixedCamera& camera, const Eigen::Vector3d& corner_in_body,
                                     const Eigen::Vector2d& observed_px) {
    return new ceres::AutoDiffCostFunction<RigidCornerError, 2, kPoseBlockSize>(
        new RigidCornerError(camera, corner_in_body, observed_px));
  }

 private:
  const FixedCamera camera_;
  const Eigen::Vector3d corner_in_body_;
  const Eigen::Vector2d observed_px_;
};

class LayoutCornerError {
 public:
  LayoutCornerError(const FixedCamera& camera, const Eigen::Vector3d& corner_in_marker,
                    const Eigen::Vector2d& observed_px)
      : camera_(camera), corner_in_marker_(corner_in_marker), observed_px_(observed_px) {}

  template <typename T>
  bool operator()(const T* world_from_segment, const T* segment_from_marker, T* residuals) const {
    const Eigen::Map<const Eigen::Quaternion<T>> q_ws(world_from_segment);
    const Eigen::Map<const Eigen::Matrix<T, 3, 1>> t_ws(world_from_segment + 4);
    const Eigen::Map<const Eigen::Quaternion<T>> q_sm(segment_from_marker);
    const Eigen::Map<const Eigen::Matrix<T, 3, 1>> t_sm(segment_from_marker + 4);
    const Eigen::Matrix<T, 3, 1> point_in_segment = q_sm * corner_in_marker_.cast<T>() + t_sm;
    const Eigen::Matrix<T, 3, 1> point_in_world = q_ws * point_in_segment + t_ws;
    return camera_.Residual(point_in_world, observed_px_, residuals);
  }

  static ceres::CostFunction* Create(const FixedCamera& camera,
                                     const Eigen::Vector3d& corner_in_marker,
                                     const Eigen::Vector2d& observed_px) {
    return new ceres::AutoDiffCostFunction<LayoutCornerError, 2, kPoseBlockSize, kPoseBlockSize>(
        new LayoutCornerError(camera, corner_in_marker, observed_px));
  }

 private:
  const FixedCamera camera_;
  const Eigen::Vector3d corner_in_marker_;
  const Eigen::Vector2d observed_px_;
};

// Corner k of a square marker of side `length_m` in its own frame (OpenCV
// order; the printed face looks along +z).
inline Eigen::Vector3d MarkerCorner(int k, double length_m) {
  const double h = 0.5 * length_m;
  static constexpr double kSign[4][2] = {{-1, 1}, {1, 1}, {1, -1}, {-1, -1}};
  return Eigen::Vector3d(kSign[k][0] * h, kSign[k][1] * h, 0.0);
}

}  // namespace hl
