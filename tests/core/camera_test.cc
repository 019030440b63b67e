#include "core/camera.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include <opencv2/calib3d.hpp>

namespace hl {
namespace {

constexpr double kPi = 3.14159265358979323846;

Camera MakeCamera(const std::vector<double>& dist) {
  Camera camera;
  camera.name = "cam0";
  camera.width = 1920;
  camera.height = 1080;
  camera.fx = 1000.0;
  camera.fy = 1002.5;
  camera.cx = 961.3;
  camera.cy = 538.7;
  camera.dist = dist;
  camera.cam_from_world = Rigid3d::FromRvecTvec({0.1, -0.2, 0.05}, {0.3, -0.1, 4.0});
  return camera;
}

const std::vector<double> kFive = {-0.12, 0.08, 0.0011, -0.0007, -0.02};
const std::vector<double> kBarrel = {-0.3, 0.1, 0.0, 0.0, 0.0};
// A wide-angle rational model in the range OpenCV's CALIB_RATIONAL_MODEL fits.
const std::vector<double> kRational = {2.1, 0.9, 0.0008, -0.0005, 0.04, 2.4, 1.5, 0.2};
const std::vector<double> kThinPrism = {-0.12,  0.08,  0.0011, -0.0007, -0.02,  0.01,
                                        -0.003, 0.001, 0.002,  -0.001,  0.0015, 0.0004};
const std::vector<double> kTilted = {-0.12, 0.08,  0.0011, -0.0007, -0.02,  0.01, -0.003,
                                     0.001, 0.002, -0.001, 0.0015,  0.0004, 0.02, -0.015};

// Pixels covering the whole image: a grid through the corners plus random ones.
std::vector<Eigen::Vector2d> ImagePixels(const Camera& camera, std::mt19937_64* rng) {
  std::vector<Eigen::Vector2d> pixels;
  for (int i = 0; i <= 16; ++i) {
    for (int j = 0; j <= 9; ++j) {
      pixels.emplace_back(camera.width * i / 16.0, camera.height * j / 9.0);
    }
  }
  std::uniform_real_distribution<double> u(0.0, camera.width), v(0.0, camera.height);
  for (int k = 0; k < 300; ++k) pixels.emplace_back(u(*rng), v(*rng));
  return pixels;
}

// Max |Camera::Project - cv::projectPoints| in px over random points in view.
double MaxProjectDifference(const Camera& camera, std::mt19937_64* rng) {
  std::uniform_real_distribution<double> xy(-1.6, 1.6), z(1.0, 6.0);
  std::vector<cv::Point3d> object;
  const Rigid3d world_from_cam = camera.cam_from_world.Inverse();
  for (int k = 0; k < 500; ++k) {
    const double depth = z(*rng);
    const Eigen::Vector3d point_in_world =
        world_from_cam * Eigen::Vector3d(xy(*rng) * depth * 0.6, xy(*rng) * depth * 0.35, depth);
    object.emplace_back(point_in_world.x(), point_in_world.y(), point_in_world.z());
  }
  const Eigen::Vector3d r = camera.cam_from_world.Rvec();
  const Eigen::Vector3d t = camera.cam_from_world.translation;
  std::vector<cv::Point2d> image;
  cv::projectPoints(object, cv::Vec3d(r.x(), r.y(), r.z()), cv::Vec3d(t.x(), t.y(), t.z()),
                    camera.CameraMatrix(), camera.DistCoeffs(), image);
  double max_diff = 0.0;
  for (size_t i = 0; i < object.size(); ++i) {
    Eigen::Vector2d pixel;
    EXPECT_TRUE(camera.Project({object[i].x, object[i].y, object[i].z}, &pixel));
    max_diff = std::max(max_diff, (pixel - Eigen::Vector2d(image[i].x, image[i].y)).norm());
  }
  return max_diff;
}

TEST(CameraTest, ProjectMatchesOpenCvForEveryDistortionModel) {
  std::mt19937_64 rng(7);
  for (const auto& dist : {std::vector<double>{}, std::vector<double>{-0.1, 0.05, 0.001, 0.002},
                           kFive, kBarrel, kRational, kThinPrism, kTilted}) {
    const Camera camera = MakeCamera(dist);
    const double diff = MaxProjectDifference(camera, &rng);
    std::printf("project vs cv::projectPoints, %zu coefficients: max %.3g px\n", dist.size(), diff);
    EXPECT_LT(diff, 1e-9) << dist.size() << " coefficients";
  }
}

TEST(CameraTest, ProjectRejectsPointsBehindTheCamera) {
  Camera camera = MakeCamera(kFive);
  camera.cam_from_world = Rigid3d();
  Eigen::Vector2d pixel(-7, -7);
  EXPECT_FALSE(camera.Project({0.1, 0.2, -1.0}, &pixel));
  EXPECT_FALSE(camera.Project({0.1, 0.2, 0.0}, &pixel));
  EXPECT_EQ(pixel, Eigen::Vector2d(-7, -7));
  EXPECT_TRUE(camera.Project({0.1, 0.2, 1.0}, &pixel));
}

// NormalizedFromImage then ImageFromNormalized lands on the same pixel, over
// the whole image including the corners, for strong barrel and rational lenses.
TEST(CameraTest, UndistortRoundTripsToPicopixels) {
  std::mt19937_64 rng(11);
  for (const auto& dist : {kFive, kBarrel, kRational, kThinPrism, kTilted}) {
    const Camera camera = MakeCamera(dist);
    double max_err = 0.0;
    for (const Eigen::Vector2d& pixel : ImagePixels(camera, &rng)) {
      const Eigen::Vector2d back = camera.ImageFromNormalized(camera.NormalizedFromImage(pixel));
      max_err = std::max(max_err, (back - pixel).norm());
    }
    std::printf("undistort round trip, %zu coefficients: max %.3g px\n", dist.size(), max_err);
    EXPECT_LT(max_err, 1e-9) << dist.size() << " coefficients, k1 " << dist[0];
  }
}

// Against OpenCV's own iterative undistortion, run to convergence (the plain
// overload stops after 5 iterations, far from converged at the corners).
TEST(CameraTest, UndistortMatchesConvergedOpenCv) {
  std::mt19937_64 rng(13);
  for (const auto& dist : {kFive, kBarrel, kRational}) {
    const Camera camera = MakeCamera(dist);
    const std::vector<Eigen::Vector2d> pixels = ImagePixels(camera, &rng);
    std::vector<cv::Point2d> src, dst;
    for (const auto& p : pixels) src.emplace_back(p.x(), p.y());
    cv::undistortPoints(src, dst, camera.CameraMatrix(), camera.DistCoeffs(), cv::noArray(),
                        cv::noArray(), cv::TermCriteria(cv::TermCriteria::COUNT, 2000, 0.0));
    double max_diff = 0.0;
    for (size_t i = 0; i < pixels.size(); ++i) {
      const Eigen::Vector2d ours = camera.NormalizedFromImage(pixels[i]);
      max_diff = std::max(max_diff, (ours - Eigen::Vector2d(dst[i].x, dst[i].y)).norm());
    }
    std::printf("undistort vs converged OpenCV, %zu coefficients: max %.3g\n", dist.size(),
                max_diff);
    // 1e-11 in normalized units is 1e-8 px at f = 1000.
    EXPECT_LT(max_diff, 1e-11) << dist.size() << " coefficients, k1 " << dist[0];
  }
}

TEST(CameraTest, RayThroughProjectedPixelHitsThePoint) {
  const Camera camera = MakeCamera(kBarrel);
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  for (int k = 0; k < 200; ++k) {
    const Eigen::Vector3d point_in_world(u(rng), u(rng) * 0.6, u(rng));
    Eigen::Vector2d pixel;
    ASSERT_TRUE(camera.Project(point_in_world, &pixel));
    const Eigen::Vector3d ray = camera.RayInWorld(pixel);
    const Eigen::Vector3d to_point = (point_in_world - camera.CenterInWorld()).normalized();
    EXPECT_NEAR(ray.norm(), 1.0, 1e-14);
    EXPECT_LT((ray - to_point).norm(), 1e-12);
  }
}

TEST(CameraTest, OpenCvMatricesRoundTrip) {
  const Camera camera = MakeCamera(kRational);
  Camera copy;
  copy.SetFromCv(camera.CameraMatrix(), camera.DistCoeffs().t());  // column form too
  EXPECT_EQ(copy.fx, camera.fx);
  EXPECT_EQ(copy.fy, camera.fy);
  EXPECT_EQ(copy.cx, camera.cx);
  EXPECT_EQ(copy.cy, camera.cy);
  EXPECT_EQ(copy.dist, camera.dist);
  const cv::Mat d = camera.DistCoeffs();
  EXPECT_EQ(d.rows, 1);
  EXPECT_EQ(d.cols, 8);
}

double RotationAngleBetween(const Eigen::Quaterniond& a, const Eigen::Quaterniond& b) {
  return a.angularDistance(b);
}

TEST(Rigid3dTest, InverseAndComposeRoundTrip) {
  std::mt19937_64 rng(19);
  std::normal_distribution<double> n(0.0, 1.0);
  for (int k = 0; k < 200; ++k) {
    const Rigid3d a = Rigid3d::FromRvecTvec({n(rng), n(rng), n(rng)}, {n(rng), n(rng), n(rng)});
    const Rigid3d b = Rigid3d::FromRvecTvec({n(rng), n(rng), n(rng)}, {n(rng), n(rng), n(rng)});
    const Eigen::Vector3d x(n(rng), n(rng), n(rng));
    EXPECT_LT(((a * b) * x - a * (b * x)).norm(), 1e-14);
    EXPECT_LT((a.Inverse() * (a * x) - x).norm(), 1e-14);
    const Rigid3d identity = a * a.Inverse();
    EXPECT_LT(identity.translation.norm(), 1e-14);
    EXPECT_LT(RotationAngleBetween(identity.rotation, Eigen::Quaterniond::Identity()), 1e-14);
    EXPECT_LT((a.RotationMatrix() * x + a.translation - a * x).norm(), 1e-14);
  }
}

// Rvec -> quaternion -> rvec keeps 1e-15 relative precision from 1e-20 rad up
// to just below pi; at exactly pi the sign of the axis is free, so compare the
// rotations instead.
TEST(Rigid3dTest, RvecRoundTripNearZeroAndNearPi) {
  std::mt19937_64 rng(23);
  std::normal_distribution<double> n(0.0, 1.0);
  const std::vector<double> angles = {0.0, 1e-20, 1e-12,      1e-8,       1e-4,       0.5,
                                      2.0, 3.0,   kPi - 1e-4, kPi - 1e-8, kPi - 1e-12};
  for (int k = 0; k < 50; ++k) {
    const Eigen::Vector3d axis = Eigen::Vector3d(n(rng), n(rng), n(rng)).normalized();
    for (double angle : angles) {
      const Eigen::Vector3d rvec = axis * angle;
      const Eigen::Vector3d back = RvecFromQuaternion(QuaternionFromRvec(rvec));
      EXPECT_LE((back - rvec).norm(), 1e-15 * std::max(1.0, angle) + 1e-300) << "angle " << angle;
      // And the same rotation as OpenCV's Rodrigues.
      cv::Mat r_cv;
      cv::Rodrigues(cv::Vec3d(rvec.x(), rvec.y(), rvec.z()), r_cv);
      const Eigen::Matrix3d r_ours = QuaternionFromRvec(rvec).toRotationMatrix();
      for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(r_ours(i, j), r_cv.at<double>(i, j), 1e-14);
      }
    }
    // Exactly pi (and beyond): rvec may flip to the other side; the rotation may not.
    for (double angle : {kPi, kPi + 1e-6, 4.0, 2 * kPi - 0.1}) {
      const Eigen::Quaterniond q = QuaternionFromRvec(axis * angle);
      const Eigen::Vector3d back = RvecFromQuaternion(q);
      EXPECT_LE(back.norm(), kPi + 1e-15);
      EXPECT_LT(RotationAngleBetween(QuaternionFromRvec(back), q), 1e-14) << "angle " << angle;
    }
  }
}

TEST(Rigid3dTest, RvecTvecRoundTrip) {
  const Rigid3d a = Rigid3d::FromRvecTvec({0.3, -2.9, 0.4}, {1.0, 2.0, -3.0});
  const Rigid3d b = Rigid3d::FromRvecTvec(a.Rvec(), a.translation);
  EXPECT_LT((a.Rvec() - Eigen::Vector3d(0.3, -2.9, 0.4)).norm(), 1e-15);
  EXPECT_LT(RotationAngleBetween(a.rotation, b.rotation), 1e-15);
  EXPECT_EQ(a.translation, b.translation);
}

}  // namespace
}  // namespace hl
