#pragma once

// Rigid transforms and the OpenCV pinhole camera model.
//
// Projection of a world point X (metres):
//   x_cam = R * X + t                    (cam_from_world)
//   (x, y) = (x_cam.x / x_cam.z, x_cam.y / x_cam.z)
//   r2 = x^2 + y^2
//   radial = (1 + k1 r2 + k2 r2^2 + k3 r2^3) / (1 + k4 r2 + k5 r2^2 + k6 r2^3)
//   x' = x radial + 2 p1 x y + p2 (r2 + 2 x^2)
//   y' = y radial + p1 (r2 + 2 y^2) + 2 p2 x y
//   u = fx x' + cx,  v = fy y' + cy
// exactly as cv::projectPoints with 5 (k1 k2 p1 p2 k3) or 8 (+ k4 k5 k6)
// coefficients; 12 add thin-prism terms (s1..s4) and 14 a tilted sensor
// (tau_x, tau_y), also as OpenCV defines them. Undistortion inverts this
// numerically (Gauss-Newton on the 2x2 Jacobian), which stays accurate far
// off-axis where OpenCV's fixed-point iteration in undistortPoints does not
// converge.

#include <Eigen/Core>
#include <Eigen/Geometry>
#include <array>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace hl {

struct Rigid3d {
  Eigen::Quaterniond rotation = Eigen::Quaterniond::Identity();
  Eigen::Vector3d translation = Eigen::Vector3d::Zero();

  Rigid3d() = default;
  Rigid3d(const Eigen::Quaterniond& q, const Eigen::Vector3d& t) : rotation(q.normalized()), translation(t) {}

  Eigen::Vector3d operator*(const Eigen::Vector3d& x) const { return rotation * x + translation; }
  Rigid3d operator*(const Rigid3d& o) const {
    return Rigid3d(rotation * o.rotation, rotation * o.translation + translation);
  }
  Rigid3d Inverse() const {
    const Eigen::Quaterniond qi = rotation.conjugate();
    return Rigid3d(qi, -(qi * translation));
  }
  Eigen::Matrix3d RotationMatrix() const { return rotation.toRotationMatrix(); }

  // Rodrigues vector (axis * angle) <-> rotation.
  static Rigid3d FromRvecTvec(const Eigen::Vector3d& rvec, const Eigen::Vector3d& tvec);
  Eigen::Vector3d Rvec() const;
};

Eigen::Quaterniond QuaternionFromRvec(const Eigen::Vector3d& rvec);
Eigen::Vector3d RvecFromQuaternion(const Eigen::Quaterniond& q);

struct Camera {
  std::string name;
  int width = 0;
  int height = 0;
  double fx = 0, fy = 0, cx = 0, cy = 0;
  // 0, 4, 5, 8, 12 or 14 coefficients in OpenCV order
  // (k1 k2 p1 p2 [k3 [k4 k5 k6 [s1 s2 s3 s4 [tau_x tau_y]]]]).
  std::vector<double> dist;
  Rigid3d cam_from_world;
  // Calibration RMS reprojection error (px); negative when unknown.
  double rms_px = -1.0;

  // Camera coordinates -> pixel (distortion applied). Point must have z > 0.
  Eigen::Vector2d ImageFromCam(const Eigen::Vector3d& point_in_cam) const;
  // World -> pixel. Returns false (and leaves *pixel alone) when the point is
  // behind the camera.
  bool Project(const Eigen::Vector3d& point_in_world, Eigen::Vector2d* pixel) const;
  // Normalized, undistorted coordinates (x/z, y/z) -> distorted pixel.
  Eigen::Vector2d ImageFromNormalized(const Eigen::Vector2d& xy) const;
  // Pixel -> normalized undistorted coordinates (x/z, y/z).
  Eigen::Vector2d NormalizedFromImage(const Eigen::Vector2d& pixel) const;
  // Pixel -> unit ray direction in the world frame.
  Eigen::Vector3d RayInWorld(const Eigen::Vector2d& pixel) const;
  Eigen::Vector3d CenterInWorld() const;

  cv::Mat CameraMatrix() const;  // 3x3 CV_64F
  cv::Mat DistCoeffs() const;    // 1xN CV_64F
  void SetFromCv(const cv::Mat& camera_matrix, const cv::Mat& dist_coeffs);

  // Templated distortion for Ceres cost functors: normalized (x, y) ->
  // distorted normalized (xd, yd). `dist` has `n` coefficients (0, 4, 5, 8,
  // 12 or 14) in OpenCV order: k1 k2 p1 p2 k3 k4 k5 k6 s1 s2 s3 s4 tau_x tau_y.
  template <typename T>
  static void Distort(const double* dist, int n, const T& x, const T& y, T* xd, T* yd) {
    const double k1 = n > 0 ? dist[0] : 0, k2 = n > 1 ? dist[1] : 0;
    const double p1 = n > 2 ? dist[2] : 0, p2 = n > 3 ? dist[3] : 0;
    const double k3 = n > 4 ? dist[4] : 0;
    const double k4 = n > 5 ? dist[5] : 0, k5 = n > 6 ? dist[6] : 0, k6 = n > 7 ? dist[7] : 0;
    const double s1 = n > 8 ? dist[8] : 0, s2 = n > 9 ? dist[9] : 0;
    const double s3 = n > 10 ? dist[10] : 0, s4 = n > 11 ? dist[11] : 0;
    const T r2 = x * x + y * y;
    const T num = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3));
    const T den = 1.0 + r2 * (k4 + r2 * (k5 + r2 * k6));
    const T radial = num / den;
    *xd = x * radial + 2.0 * p1 * x * y + p2 * (r2 + 2.0 * x * x) + r2 * (s1 + r2 * s2);
    *yd = y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * x * y + r2 * (s3 + r2 * s4);
    if (n > 12) {
      // Tilted sensor (Scheimpflug): a homography on the distorted point.
      const std::array<double, 9> m = TiltMatrix(dist[12], dist[13]);
      const T w = m[6] * *xd + m[7] * *yd + m[8];
      const T u = (m[0] * *xd + m[1] * *yd + m[2]) / w;
      const T v = (m[3] * *xd + m[4] * *yd + m[5]) / w;
      *xd = u;
      *yd = v;
    }
  }

  // Row-major 3x3 matrix of OpenCV's tilt model (computeTiltProjectionMatrix).
  static std::array<double, 9> TiltMatrix(double tau_x, double tau_y);
};

}  // namespace hl
