#include "core/camera.h"

#include <cmath>

#include "core/error.h"

namespace hl {

Eigen::Quaterniond QuaternionFromRvec(const Eigen::Vector3d& rvec) {
  const double angle = rvec.norm();
  if (angle < 1e-300) return Eigen::Quaterniond::Identity();
  return Eigen::Quaterniond(Eigen::AngleAxisd(angle, rvec / angle));
}

Eigen::Vector3d RvecFromQuaternion(const Eigen::Quaterniond& q_in) {
  Eigen::Quaterniond q = q_in.normalized();
  if (q.w() < 0) q.coeffs() = -q.coeffs();
  const double s = q.vec().norm();
  if (s < 1e-300) return Eigen::Vector3d::Zero();
  // atan2 keeps full precision for both small and large angles.
  const double angle = 2.0 * std::atan2(s, q.w());
  return q.vec() * (angle / s);
}

Rigid3d Rigid3d::FromRvecTvec(const Eigen::Vector3d& rvec, const Eigen::Vector3d& tvec) {
  return Rigid3d(QuaternionFromRvec(rvec), tvec);
}

Eigen::Vector3d Rigid3d::Rvec() const { return RvecFromQuaternion(rotation); }

std::array<double, 9> Camera::TiltMatrix(double tau_x, double tau_y) {
  const double cx = std::cos(tau_x), sx = std::sin(tau_x);
  const double cy = std::cos(tau_y), sy = std::sin(tau_y);
  Eigen::Matrix3d rot_x, rot_y;
  rot_x << 1, 0, 0, 0, cx, sx, 0, -sx, cx;
  rot_y << cy, 0, -sy, 0, 1, 0, sy, 0, cy;
  const Eigen::Matrix3d rot_xy = rot_y * rot_x;
  Eigen::Matrix3d proj_z;
  proj_z << rot_xy(2, 2), 0, -rot_xy(0, 2), 0, rot_xy(2, 2), -rot_xy(1, 2), 0, 0, 1;
  const Eigen::Matrix3d m = proj_z * rot_xy;
  return {m(0, 0), m(0, 1), m(0, 2), m(1, 0), m(1, 1), m(1, 2), m(2, 0), m(2, 1), m(2, 2)};
}

Eigen::Vector2d Camera::ImageFromNormalized(const Eigen::Vector2d& xy) const {
  double xd, yd;
  Distort(dist.data(), static_cast<int>(dist.size()), xy.x(), xy.y(), &xd, &yd);
  return {fx * xd + cx, fy * yd + cy};
}

Eigen::Vector2d Camera::ImageFromCam(const Eigen::Vector3d& p) const {
  return ImageFromNormalized({p.x() / p.z(), p.y() / p.z()});
}

bool Camera::Project(const Eigen::Vector3d& point_in_world, Eigen::Vector2d* pixel) const {
  const Eigen::Vector3d p = cam_from_world * point_in_world;
  if (p.z() <= 1e-9) return false;
  *pixel = ImageFromCam(p);
  return true;
}

Eigen::Vector2d Camera::NormalizedFromImage(const Eigen::Vector2d& pixel) const {
  const Eigen::Vector2d target((pixel.x() - cx) / fx, (pixel.y() - cy) / fy);
  if (dist.empty()) return target;
  const int n = static_cast<int>(dist.size());
  // Start from the distorted point and run Gauss-Newton with a numeric 2x2
  // Jacobian; a handful of steps reach 1e-14 even near the image corners.
  Eigen::Vector2d x = target;
  for (int it = 0; it < 50; ++it) {
    double xd, yd;
    Distort(dist.data(), n, x.x(), x.y(), &xd, &yd);
    const Eigen::Vector2d r(xd - target.x(), yd - target.y());
    if (r.squaredNorm() < 1e-30) break;
    const double h = 1e-7;
    double ax, ay, bx, by;
    Distort(dist.data(), n, x.x() + h, x.y(), &ax, &ay);
    Distort(dist.data(), n, x.x(), x.y() + h, &bx, &by);
    Eigen::Matrix2d J;
    J << (ax - xd) / h, (bx - xd) / h, (ay - yd) / h, (by - yd) / h;
    const double det = J.determinant();
    if (std::abs(det) < 1e-12) break;
    Eigen::Vector2d step = J.inverse() * r;
    // Damp huge steps so a wild start cannot jump across the distortion fold.
    const double sn = step.norm();
    if (sn > 0.5) step *= 0.5 / sn;
    x -= step;
  }
  return x;
}

Eigen::Vector3d Camera::RayInWorld(const Eigen::Vector2d& pixel) const {
  const Eigen::Vector2d n = NormalizedFromImage(pixel);
  const Eigen::Vector3d ray_in_cam = Eigen::Vector3d(n.x(), n.y(), 1.0).normalized();
  return cam_from_world.rotation.conjugate() * ray_in_cam;
}

Eigen::Vector3d Camera::CenterInWorld() const { return cam_from_world.Inverse().translation; }

cv::Mat Camera::CameraMatrix() const {
  cv::Mat K = cv::Mat::eye(3, 3, CV_64F);
  K.at<double>(0, 0) = fx;
  K.at<double>(1, 1) = fy;
  K.at<double>(0, 2) = cx;
  K.at<double>(1, 2) = cy;
  return K;
}

cv::Mat Camera::DistCoeffs() const {
  cv::Mat d(1, static_cast<int>(dist.size()), CV_64F);
  for (size_t i = 0; i < dist.size(); ++i) d.at<double>(0, static_cast<int>(i)) = dist[i];
  return d;
}

void Camera::SetFromCv(const cv::Mat& K_in, const cv::Mat& d_in) {
  HL_CHECK(K_in.rows == 3 && K_in.cols == 3);
  cv::Mat K;
  K_in.convertTo(K, CV_64F);
  fx = K.at<double>(0, 0);
  fy = K.at<double>(1, 1);
  cx = K.at<double>(0, 2);
  cy = K.at<double>(1, 2);
  cv::Mat d;
  d_in.convertTo(d, CV_64F);
  d = d.reshape(1, 1);
  dist.assign(d.begin<double>(), d.end<double>());
}

}  // namespace hl
