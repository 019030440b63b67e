#include "calibration/reprojection_error.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include <ceres/gradient_checker.h>

namespace hl {
namespace {

Camera TestCamera() {
  Camera c;
  c.width = 1280, c.height = 800;
  c.fx = 1010, c.fy = 1005, c.cx = 641, c.cy = 398;
  c.dist = {-0.08, 0.05, 0.0005, -0.0003, -0.01, 0.002, -0.001, 0.0005};
  c.cam_from_world =
      Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(0.3, Eigen::Vector3d(1, 2, 3).normalized())),
              Eigen::Vector3d(0.2, -0.1, 4.0));
  return c;
}

// The residual equals Camera::Project (the OpenCV model) minus the observation.
TEST(ReprojectionErrorTest, ResidualMatchesCameraModelByHand) {
  const Camera camera = TestCamera();
  const Rigid3d world_from_board(
      Eigen::Quaterniond(Eigen::AngleAxisd(-0.4, Eigen::Vector3d(0.2, 1, -0.5).normalized())),
      Eigen::Vector3d(0.3, 0.1, 0.9));
  const Eigen::Vector3d corner(0.27, 0.18, 0.0);
  const Eigen::Vector2d observed(700.25, 350.5);
  std::unique_ptr<ceres::CostFunction> cost(BoardReprojectionError::Create(corner, observed));
  const auto cam = PackPose(camera.cam_from_world);
  const auto board = PackPose(world_from_board);
  const auto intr = PackIntrinsics(camera);
  const double* params[] = {cam.data(), board.data(), intr.data()};
  double residual[2];
  ASSERT_TRUE(cost->Evaluate(params, residual, nullptr));

  // By hand, step by step, from the model in core/camera.h.
  const Eigen::Vector3d p = camera.cam_from_world * (world_from_board * corner);
  const double x = p.x() / p.z(), y = p.y() / p.z(), r2 = x * x + y * y;
  const auto& d = camera.dist;
  const double radial = (1 + d[0] * r2 + d[1] * r2 * r2 + d[4] * r2 * r2 * r2) /
                        (1 + d[5] * r2 + d[6] * r2 * r2 + d[7] * r2 * r2 * r2);
  const double xd = x * radial + 2 * d[2] * x * y + d[3] * (r2 + 2 * x * x);
  const double yd = y * radial + d[2] * (r2 + 2 * y * y) + 2 * d[3] * x * y;
  EXPECT_NEAR(residual[0], camera.fx * xd + camera.cx - observed.x(), 1e-9);
  EXPECT_NEAR(residual[1], camera.fy * yd + camera.cy - observed.y(), 1e-9);
  Eigen::Vector2d projected;
  ASSERT_TRUE(camera.Project(world_from_board * corner, &projected));
  EXPECT_NEAR(residual[0], projected.x() - observed.x(), 1e-9);
  EXPECT_NEAR(residual[1], projected.y() - observed.y(), 1e-9);
  // Poses round-trip through the packed blocks.
  EXPECT_LT((UnpackPose(board).translation - world_from_board.translation).norm(), 1e-15);
  EXPECT_LT(UnpackPose(board).rotation.angularDistance(world_from_board.rotation), 1e-12);
}

// Autodiff Jacobians (on the manifolds) against numeric differentiation.
TEST(ReprojectionErrorTest, JacobiansMatchNumericDifferentiation) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  const Camera camera = TestCamera();
  PoseManifold pose_manifold_a, pose_manifold_b;
  ceres::EuclideanManifold<kIntrinsicsBlockSize> intrinsics_manifold;
  const std::vector<const ceres::Manifold*> manifolds = {&pose_manifold_a, &pose_manifold_b,
                                                         &intrinsics_manifold};
  for (int trial = 0; trial < 20; ++trial) {
    const Rigid3d world_from_board(
        Eigen::Quaterniond(
            Eigen::AngleAxisd(u(rng), Eigen::Vector3d(u(rng), u(rng), u(rng)).normalized())),
        Eigen::Vector3d(0.5 * u(rng), 0.5 * u(rng), 0.5 * u(rng)));
    const Eigen::Vector3d corner(0.4 * (u(rng) + 1), 0.3 * (u(rng) + 1), 0.0);
    const Eigen::Vector2d observed(640 + 300 * u(rng), 400 + 200 * u(rng));
    std::unique_ptr<ceres::CostFunction> cost(BoardReprojectionError::Create(corner, observed));
    const auto cam = PackPose(camera.cam_from_world);
    const auto board = PackPose(world_from_board);
    const auto intr = PackIntrinsics(camera);
    const double* params[] = {cam.data(), board.data(), intr.data()};
    ceres::NumericDiffOptions numeric;
    numeric.relative_step_size = 1e-6;
    ceres::GradientChecker checker(cost.get(), &manifolds, numeric);
    ceres::GradientChecker::ProbeResults results;
    // Central differences on r2^3 terms carry ~1e-6 relative error; a wrong
    // derivative is off by order one.
    EXPECT_TRUE(checker.Probe(params, 1e-5, &results))
        << "trial " << trial << ": " << results.error_log;
  }
}

TEST(ReprojectionErrorTest, IntrinsicsManifoldHoldsMissingTermsAtZero) {
  std::unique_ptr<ceres::Manifold> m(NewIntrinsicsManifold(5));
  EXPECT_EQ(m->AmbientSize(), kIntrinsicsBlockSize);
  EXPECT_EQ(m->TangentSize(), 9);
  std::unique_ptr<ceres::Manifold> all(NewIntrinsicsManifold(8));
  EXPECT_EQ(all->TangentSize(), kIntrinsicsBlockSize);
}

}  // namespace
}  // namespace hl
