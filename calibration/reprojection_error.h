#pragma once

// Ceres cost functor: reprojection of one board corner into one camera.
//
//   X_world = R_wb * X_board + t_wb                       (world_from_board)
//   X_cam   = R_cw * X_world + t_cw                       (cam_from_world)
//   x = X_cam.x / X_cam.z,  y = X_cam.y / X_cam.z
//   r2 = x^2 + y^2
//   radial = (1 + k1 r2 + k2 r2^2 + k3 r2^3) / (1 + k4 r2 + k5 r2^2 + k6 r2^3)
//   x' = x radial + 2 p1 x y + p2 (r2 + 2 x^2)
//   y' = y radial + p1 (r2 + 2 y^2) + 2 p2 x y
//   residual = (fx x' + cx - u,  fy y' + cy - v)            (pixels)
//
// Parameter blocks, in order:
//   0  cam_from_world: Eigen quaternion (x, y, z, w), translation      [7]
//   1  world_from_board: Eigen quaternion (x, y, z, w), translation    [7]
//   2  intrinsics: fx fy cx cy k1 k2 p1 p2 k3 k4 k5 k6                 [12]
// A pose is one block (PoseManifold: EigenQuaternionManifold x R^3) so the
// board poses form an independent set the Schur complement can eliminate.
// A camera with fewer distortion terms keeps the missing ones at zero and
// constant (NewIntrinsicsManifold), so one functor serves 0, 4, 5 and 8 terms.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>
#include <vector>

#include <ceres/autodiff_cost_function.h>
#include <ceres/manifold.h>
#include <ceres/product_manifold.h>

#include "core/camera.h"

namespace hl {

constexpr int kPoseBlockSize = 7;
constexpr int kIntrinsicsBlockSize = 12;

using PoseManifold =
    ceres::ProductManifold<ceres::EigenQuaternionManifold, ceres::EuclideanManifold<3>>;

// A pose as the 7-value block: Eigen quaternion coefficients, translation.
inline std::array<double, kPoseBlockSize> PackPose(const Rigid3d& pose) {
  std::array<double, kPoseBlockSize> p{};
  Eigen::Map<Eigen::Vector4d>(p.data()) = pose.rotation.coeffs();
  Eigen::Map<Eigen::Vector3d>(p.data() + 4) = pose.translation;
  return p;
}

inline Rigid3d UnpackPose(const std::array<double, kPoseBlockSize>& p) {
  return Rigid3d(Eigen::Quaterniond(p[3], p[0], p[1], p[2]), Eigen::Vector3d(p[4], p[5], p[6]));
}

// Packs a camera's intrinsics into the 12-value block (missing terms zero).
inline std::array<double, kIntrinsicsBlockSize> PackIntrinsics(const Camera& camera) {
  std::array<double, kIntrinsicsBlockSize> p{};
  p[0] = camera.fx, p[1] = camera.fy, p[2] = camera.cx, p[3] = camera.cy;
  for (size_t i = 0; i < camera.dist.size() && i < 8; ++i) p[4 + i] = camera.dist[i];
  return p;
}

// Writes the block back, keeping the camera's number of distortion terms.
inline void UnpackIntrinsics(const std::array<double, kIntrinsicsBlockSize>& p, Camera* camera) {
  camera->fx = p[0], camera->fy = p[1], camera->cx = p[2], camera->cy = p[3];
  for (size_t i = 0; i < camera->dist.size() && i < 8; ++i) camera->dist[i] = p[4 + i];
}

// Holds the distortion terms a camera does not have at zero.
inline ceres::Manifold* NewIntrinsicsManifold(int num_dist) {
  std::vector<int> constant;
  for (int i = 4 + num_dist; i < kIntrinsicsBlockSize; ++i) constant.push_back(i);
  if (constant.empty()) return new ceres::EuclideanManifold<kIntrinsicsBlockSize>();
  return new ceres::SubsetManifold(kIntrinsicsBlockSize, constant);
}

class BoardReprojectionError {
 public:
  BoardReprojectionError(const Eigen::Vector3d& corner_in_board, const Eigen::Vector2d& observed_px)
      : corner_in_board_(corner_in_board), observed_px_(observed_px) {}

  template <typename T>
  bool operator()(const T* cam_from_world, const T* world_from_board, const T* intrinsics,
                  T* residuals) const {
    const Eigen::Map<const Eigen::Quaternion<T>> q_cw(cam_from_world);
    const Eigen::Map<const Eigen::Matrix<T, 3, 1>> t_cw(cam_from_world + 4);
    const Eigen::Map<const Eigen::Quaternion<T>> q_wb(world_from_board);
    const Eigen::Map<const Eigen::Matrix<T, 3, 1>> t_wb(world_from_board + 4);
    const Eigen::Matrix<T, 3, 1> point_in_world = q_wb * corner_in_board_.cast<T>() + t_wb;
    const Eigen::Matrix<T, 3, 1> point_in_cam = q_cw * point_in_world + t_cw;
    const T x = point_in_cam.x() / point_in_cam.z();
    const T y = point_in_cam.y() / point_in_cam.z();
    const T* k = intrinsics + 4;  // k1 k2 p1 p2 k3 k4 k5 k6
    const T r2 = x * x + y * y;
    const T radial = (1.0 + r2 * (k[0] + r2 * (k[1] + r2 * k[4]))) /
                     (1.0 + r2 * (k[5] + r2 * (k[6] + r2 * k[7])));
    const T xd = x * radial + 2.0 * k[2] * x * y + k[3] * (r2 + 2.0 * x * x);
    const T yd = y * radial + k[2] * (r2 + 2.0 * y * y) + 2.0 * k[3] * x * y;
    residuals[0] = intrinsics[0] * xd + intrinsics[2] - observed_px_.x();
    residuals[1] = intrinsics[1] * yd + intrinsics[3] - observed_px_.y();
    return true;
  }

  static ceres::CostFunction* Create(const Eigen::Vector3d& corner_in_board,
                                     const Eigen::Vector2d& observed_px) {
    return new ceres::AutoDiffCostFunction<BoardReprojectionError, 2, kPoseBlockSize,
                                           kPoseBlockSize, kIntrinsicsBlockSize>(
        new BoardReprojectionError(corner_in_board, observed_px));
  }

 private:
  const Eigen::Vector3d corner_in_board_;
  const Eigen::Vector2d observed_px_;
};

}  // namespace hl
