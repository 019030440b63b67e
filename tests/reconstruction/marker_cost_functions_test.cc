#include "reconstruction/marker_cost_functions.h"

#include <memory>
#include <random>

#include <ceres/gradient_checker.h>
#include <ceres/manifold.h>
#include <gtest/gtest.h>

namespace hl {
namespace {

Camera TestCamera() {
  Camera cam;
  cam.name = "cam0";
  cam.width = 1920;
  cam.height = 1080;
  cam.fx = 1400, cam.fy = 1395, cam.cx = 955, cam.cy = 545;
  cam.dist = {-0.12, 0.08, 1e-4, -2e-4, -0.01};
  cam.cam_from_world = Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(0.3, Eigen::Vector3d(1, 2, 3).normalized())),
                               Eigen::Vector3d(0.1, -0.2, 3.0));
  return cam;
}

Rigid3d RandomPose(std::mt19937* rng, double spread_m) {
  std::normal_distribution<double> n(0.0, 1.0);
  const Eigen::Vector4d q(n(*rng), n(*rng), n(*rng), n(*rng));
  return Rigid3d(Eigen::Quaterniond(q(3), q(0), q(1), q(2)).normalized(),
                 Eigen::Vector3d(n(*rng), n(*rng), n(*rng)) * spread_m);
}

TEST(RigidCornerErrorTest, ResidualIsProjectionMinusObservation) {
  const Camera cam = TestCamera();
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    const Rigid3d world_from_body = RandomPose(&rng, 0.2);
    const Eigen::Vector3d corner = MarkerCorner(trial % 4, 0.05) + Eigen::Vector3d(0.01 * trial, 0, 0);
    const Eigen::Vector2d observed(900 + trial, 500 - trial);
    const RigidCornerError functor(FixedCamera::From(cam), corner, observed);
    const auto block = PackPose(world_from_body);
    double r[2];
    ASSERT_TRUE(functor(block.data(), r));
    // By hand: the camera model of core/camera.h, independent of the functor.
    Eigen::Vector2d px;
    ASSERT_TRUE(cam.Project(world_from_body * corner, &px));
    EXPECT_NEAR(r[0], px.x() - observed.x(), 1e-9);
    EXPECT_NEAR(r[1], px.y() - observed.y(), 1e-9);
  }
}

TEST(RigidCornerErrorTest, BehindTheCameraIsRejected) {
  const Camera cam = TestCamera();
  const Rigid3d behind = cam.cam_from_world.Inverse() * Rigid3d(Eigen::Quaterniond::Identity(),
                                                                Eigen::Vector3d(0, 0, -1));
  const RigidCornerError functor(FixedCamera::From(cam), Eigen::Vector3d::Zero(), {0, 0});
  const auto block = PackPose(behind);
  double r[2];
  EXPECT_FALSE(functor(block.data(), r));
}

TEST(LayoutCornerErrorTest, ResidualIsProjectionMinusObservation) {
  const Camera cam = TestCamera();
  std::mt19937 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    const Rigid3d world_from_segment = RandomPose(&rng, 0.2);
    const Rigid3d segment_from_marker = RandomPose(&rng, 0.1);
    const Eigen::Vector3d corner = MarkerCorner(trial % 4, 0.04);
    const Eigen::Vector2d observed(1000 - trial, 600 + 2 * trial);
    const LayoutCornerError functor(FixedCamera::From(cam), corner, observed);
    const auto ws = PackPose(world_from_segment);
    const auto sm = PackPose(segment_from_marker);
    double r[2];
    ASSERT_TRUE(functor(ws.data(), sm.data(), r));
    Eigen::Vector2d px;
    ASSERT_TRUE(cam.Project(world_from_segment * (segment_from_marker * corner), &px));
    EXPECT_NEAR(r[0], px.x() - observed.x(), 1e-9);
    EXPECT_NEAR(r[1], px.y() - observed.y(), 1e-9);
  }
}

TEST(MarkerCornerTest, OpenCvOrderAndFaceAlongPlusZ) {
  const double L = 0.05;
  EXPECT_TRUE(MarkerCorner(0, L).isApprox(Eigen::Vector3d(-L / 2, L / 2, 0)));
  EXPECT_TRUE(MarkerCorner(2, L).isApprox(Eigen::Vector3d(L / 2, -L / 2, 0)));
  const Eigen::Vector3d normal =
      (MarkerCorner(3, L) - MarkerCorner(0, L)).cross(MarkerCorner(1, L) - MarkerCorner(0, L));
  EXPECT_GT(normal.z(), 0);
}

// Jacobians of the autodiff functors against central numeric differences, on
// the pose manifold, at random points (fixed seed).
TEST(MarkerCostFunctionsTest, JacobiansMatchNumericDifferentiation) {
  const Camera cam = TestCamera();
  std::mt19937 rng(42);
  ceres::NumericDiffOptions numeric;
  numeric.relative_step_size = 1e-7;
  for (int trial = 0; trial < 10; ++trial) {
    const Rigid3d world_from_segment = RandomPose(&rng, 0.2);
    const Rigid3d segment_from_marker = RandomPose(&rng, 0.1);
    const Eigen::Vector3d corner = MarkerCorner(trial % 4, 0.05);
    const Eigen::Vector2d observed(960, 540);
    {
      std::unique_ptr<ceres::CostFunction> cost(
          RigidCornerError::Create(FixedCamera::From(cam), corner, observed));
      PoseManifold manifold;
      std::vector<const ceres::Manifold*> manifolds = {&manifold};
      ceres::GradientChecker checker(cost.get(), &manifolds, numeric);
      auto block = PackPose(world_from_segment);
      const double* params[] = {block.data()};
      ceres::GradientChecker::ProbeResults results;
      EXPECT_TRUE(checker.Probe(params, 1e-6, &results)) << results.error_log;
    }
    {
      std::unique_ptr<ceres::CostFunction> cost(
          LayoutCornerError::Create(FixedCamera::From(cam), corner, observed));
      PoseManifold m0, m1;
      std::vector<const ceres::Manifold*> manifolds = {&m0, &m1};
      ceres::GradientChecker checker(cost.get(), &manifolds, numeric);
      auto ws = PackPose(world_from_segment);
      auto sm = PackPose(segment_from_marker);
      const double* params[] = {ws.data(), sm.data()};
      ceres::GradientChecker::ProbeResults results;
      EXPECT_TRUE(checker.Probe(params, 1e-6, &results)) << results.error_log;
    }
  }
}

}  // namespace
}  // namespace hl
