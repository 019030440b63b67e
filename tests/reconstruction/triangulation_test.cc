#include "reconstruction/triangulation.h"

#include <gtest/gtest.h>

#include <random>

namespace hl {
namespace {

// A camera at `center` looking at `target`, Z up, 1920x1080 with a
// machine-vision-like lens.
Camera LookAt(const Eigen::Vector3d& center, const Eigen::Vector3d& target) {
  Camera cam;
  cam.width = 1920;
  cam.height = 1080;
  cam.fx = cam.fy = 1400;
  cam.cx = 960.5;
  cam.cy = 539.5;
  cam.dist = {-0.12, 0.08, 1e-4, -1e-4, -0.01};
  const Eigen::Vector3d z = (target - center).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d R;
  R.row(0) = x;
  R.row(1) = y;
  R.row(2) = z;
  cam.cam_from_world = Rigid3d(Eigen::Quaterniond(R), -R * center);
  return cam;
}

std::vector<Camera> Studio(int n) {
  std::vector<Camera> cams;
  for (int i = 0; i < n; ++i) {
    const double a = 2 * M_PI * i / n + 0.3;
    cams.push_back(LookAt({3.0 * std::cos(a), 3.0 * std::sin(a), 1.8}, {0, 0, 0.9}));
  }
  return cams;
}

TEST(TriangulationTest, ExactWithoutNoise) {
  const auto cams = Studio(4);
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  for (int t = 0; t < 100; ++t) {
    const Eigen::Vector3d X(u(rng), u(rng), 0.9 + u(rng));
    std::vector<PointObservation> obs;
    for (int c = 0; c < 4; ++c) {
      PointObservation o;
      o.camera = c;
      ASSERT_TRUE(cams[c].Project(X, &o.pixel));
      obs.push_back(o);
    }
    const auto r = TriangulatePoint(cams, obs);
    ASSERT_TRUE(r.success);
    EXPECT_LT((r.point_in_world - X).norm(), 1e-9);
    EXPECT_EQ(r.inlier_cameras.size(), 4u);
    EXPECT_LT(r.rms_px, 1e-6);
  }
}

TEST(TriangulationTest, NoiseGivesSubMillimetreAndRejectsAnOutlierCamera) {
  const auto cams = Studio(4);
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  std::normal_distribution<double> noise(0.0, 0.2);
  double sum_sq = 0, plain_sum_sq = 0;
  int rejected_right = 0;
  const int trials = 200;
  for (int t = 0; t < trials; ++t) {
    const Eigen::Vector3d X(u(rng), u(rng), 0.9 + u(rng));
    std::vector<PointObservation> obs;
    for (int c = 0; c < 4; ++c) {
      PointObservation o;
      o.camera = c;
      ASSERT_TRUE(cams[c].Project(X, &o.pixel));
      o.pixel += Eigen::Vector2d(noise(rng), noise(rng));
      obs.push_back(o);
    }
    // One camera confuses the marker with another 40 px away.
    const int bad = t % 4;
    obs[bad].pixel += Eigen::Vector2d(30, -27);
    const auto r = TriangulatePoint(cams, obs);
    ASSERT_TRUE(r.success);
    sum_sq += (r.point_in_world - X).squaredNorm();
    std::vector<int> ids;
    std::vector<Eigen::Vector2d> norm;
    for (const auto& o : obs) {
      ids.push_back(o.camera);
      norm.push_back(cams[o.camera].NormalizedFromImage(o.pixel));
    }
    Eigen::Vector3d plain;
    ASSERT_TRUE(TriangulateDlt(cams, ids, norm, &plain));
    plain_sum_sq += (plain - X).squaredNorm();
    if (r.inlier_cameras.size() == 3 &&
        std::find(r.inlier_cameras.begin(), r.inlier_cameras.end(), bad) == r.inlier_cameras.end()) {
      ++rejected_right;
    }
  }
  const double rms_mm = 1000 * std::sqrt(sum_sq / trials);
  const double plain_rms_mm = 1000 * std::sqrt(plain_sum_sq / trials);
  std::printf("RMS error, 0.2 px noise + one outlier camera: ours %.3f mm, plain DLT %.3f mm\n",
              rms_mm, plain_rms_mm);
  // Three cameras 3.2 m away at f = 1400 px: 0.2 px is 0.46 mm across each
  // ray, about 0.65 mm of 3D RMS from three rays, so 0.8 mm is the honest bound.
  EXPECT_LT(rms_mm, 0.8);
  EXPECT_LT(rms_mm, 0.1 * plain_rms_mm);
  EXPECT_EQ(rejected_right, trials);
}

TEST(TriangulationTest, OneCameraIsNotGuessed) {
  const auto cams = Studio(4);
  PointObservation o;
  o.camera = 0;
  ASSERT_TRUE(cams[0].Project({0, 0, 1}, &o.pixel));
  EXPECT_FALSE(TriangulatePoint(cams, {o}).success);
  // Two cameras that disagree by far more than the threshold: no point.
  PointObservation o2;
  o2.camera = 1;
  ASSERT_TRUE(cams[1].Project({0.3, 0.2, 1.2}, &o2.pixel));
  EXPECT_FALSE(TriangulatePoint(cams, {o, o2}).success);
}

}  // namespace
}  // namespace hl
