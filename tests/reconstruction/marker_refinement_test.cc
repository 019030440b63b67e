#include "reconstruction/marker_refinement.h"

#include <random>

#include <gtest/gtest.h>

#include "capture/sim/rig_presets.h"
#include "tests/reconstruction/synthetic_views.h"

namespace hl {
namespace {

// The dowel standing in the middle of the studio, leaning forward.
Rigid3d DowelPose(double lean) {
  return Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(lean, Eigen::Vector3d::UnitY())),
                 Eigen::Vector3d(0.05, -0.03, 0.55));
}

FrameObservations DowelViews(const std::vector<Camera>& cams, const RigidBodyLayout& layout,
                             const Rigid3d& world_from_segment, double noise, std::mt19937* rng) {
  FrameObservations frame;
  for (int k = 0; k < layout.size(); ++k) {
    testing::AddSyntheticViews(cams, layout.ids[k], layout.length_m[k],
                               world_from_segment * layout.segment_from_marker[k], noise, rng, &frame);
  }
  return frame;
}

TEST(MarkerRefinementTest, SingleMarkerPoseFromNoisyCorners) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  std::mt19937 rng(3);
  double sum_sq = 0;
  int n = 0;
  for (int trial = 0; trial < 30; ++trial) {
    const Rigid3d truth(Eigen::Quaterniond(Eigen::AngleAxisd(0.2 * trial, Eigen::Vector3d::UnitZ())) *
                            Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitY())),
                        Eigen::Vector3d(0.01 * trial - 0.15, 0.1, 1.0));
    FrameObservations frame;
    testing::AddSyntheticViews(cams, 10, 0.05, truth, 0.2, &rng, &frame);
    if (frame[10].size() < 2) continue;
    const RigidBodyFit fit =
        FitRigidBody(cams, RigidBodyLayout::Single(10, 0.05, "pelvis"), frame, RefinementOptions());
    ASSERT_TRUE(fit.success) << trial;
    ASSERT_EQ(fit.markers.size(), 1u);
    EXPECT_EQ(fit.markers[0].n_cameras, static_cast<int>(frame[10].size()));
    EXPECT_LT(fit.rms_px, 0.5);
    sum_sq += (fit.markers[0].center_in_world - truth.translation).squaredNorm();
    ++n;
  }
  ASSERT_GT(n, 20);
  // 0.2 px corner noise at ~2.5 m with f = 1400 px: well under a millimetre.
  EXPECT_LT(std::sqrt(sum_sq / n), 0.5e-3);
}

TEST(MarkerRefinementTest, SegmentFitBeatsItsMarkersAndUsesSingleCameraViews) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout dowel = testing::DowelLayout();
  std::mt19937 rng(5);
  const Rigid3d truth = DowelPose(0.4);
  const FrameObservations frame = DowelViews(cams, dowel, truth, 0.3, &rng);
  const RigidBodyFit fit = FitRigidBody(cams, dowel, frame, RefinementOptions());
  ASSERT_TRUE(fit.success);
  for (int k = 0; k < dowel.size(); ++k) {
    const Eigen::Vector3d expected = truth * dowel.segment_from_marker[k].translation;
    EXPECT_LT((fit.markers[k].center_in_world - expected).norm(), 0.5e-3) << "marker " << k;
  }
  // Keep only one camera's views of marker 3: it is still placed (measured by
  // one camera) because the segment is seen by others.
  FrameObservations one = frame;
  ASSERT_FALSE(one[3].empty());
  one[3].resize(1);
  const RigidBodyFit fit1 = FitRigidBody(cams, dowel, one, RefinementOptions());
  ASSERT_TRUE(fit1.success);
  EXPECT_EQ(fit1.markers[3].n_cameras, 1);
  EXPECT_LT((fit1.markers[3].center_in_world - truth * dowel.segment_from_marker[3].translation).norm(),
            1e-3);
  // Alone, a one-camera marker is not reconstructed (one camera never guesses).
  FrameObservations alone;
  alone[3] = one[3];
  EXPECT_FALSE(FitRigidBody(cams, RigidBodyLayout::Single(3, 0.04, "dowel"), alone,
                            RefinementOptions())
                   .success);
}

TEST(MarkerRefinementTest, MisdetectedViewIsRejected) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout dowel = testing::DowelLayout();
  std::mt19937 rng(9);
  const Rigid3d truth = DowelPose(0.2);
  FrameObservations frame = DowelViews(cams, dowel, truth, 0.2, &rng);
  // Shift one view of marker 1 by 25 px (another marker decoded as id 1).
  ASSERT_GE(frame[1].size(), 2u);
  for (auto& c : frame[1][0].corners_px) c += Eigen::Vector2d(25, -10);
  const RigidBodyFit fit = FitRigidBody(cams, dowel, frame, RefinementOptions());
  ASSERT_TRUE(fit.success);
  EXPECT_EQ(fit.rejected_views, 1);
  EXPECT_LT(fit.rms_px, 0.6);
  EXPECT_LT((fit.markers[1].center_in_world - truth * dowel.segment_from_marker[1].translation).norm(),
            0.5e-3);
}

TEST(MarkerRefinementTest, StartsFromPreviousPoseOrRecoversFromABadOne) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout dowel = testing::DowelLayout();
  std::mt19937 rng(13);
  const Rigid3d truth = DowelPose(0.6);
  const FrameObservations frame = DowelViews(cams, dowel, truth, 0.2, &rng);
  const Rigid3d near = DowelPose(0.58);
  const Rigid3d far(Eigen::Quaterniond(Eigen::AngleAxisd(2.5, Eigen::Vector3d::UnitX())),
                    Eigen::Vector3d(1.0, 1.0, 2.0));
  for (const Rigid3d* init : {&near, &far}) {
    const RigidBodyFit fit = FitRigidBody(cams, dowel, frame, RefinementOptions(), init);
    ASSERT_TRUE(fit.success);
    EXPECT_LT((fit.world_from_segment.translation - truth.translation).norm(), 1e-3);
    EXPECT_EQ(fit.rejected_views, 0);
  }
}

TEST(MarkerRefinementTest, CeresAndHandWrittenSolverAgree) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const RigidBodyLayout dowel = testing::DowelLayout();
  std::mt19937 rng(21);
  for (int trial = 0; trial < 5; ++trial) {
    FrameObservations frame = DowelViews(cams, dowel, DowelPose(0.15 * trial), 0.3, &rng);
    // An outlier view, so the Huber loss is active in both.
    for (auto& c : frame[0][0].corners_px) c += Eigen::Vector2d(1.5, 0.0);
    RefinementOptions ceres_options;
    ceres_options.solver = RefinementOptions::Solver::kCeres;
    RefinementOptions lm_options;
    lm_options.solver = RefinementOptions::Solver::kLevenbergMarquardt;
    const RigidBodyFit a = FitRigidBody(cams, dowel, frame, ceres_options);
    const RigidBodyFit b = FitRigidBody(cams, dowel, frame, lm_options);
    ASSERT_TRUE(a.success && b.success);
    for (int k = 0; k < dowel.size(); ++k) {
      EXPECT_LT((a.markers[k].center_in_world - b.markers[k].center_in_world).norm(), 1e-6);
    }
    EXPECT_NEAR(a.rms_px, b.rms_px, 1e-6);
  }
}

TEST(MarkerRefinementTest, TooFewCamerasFails) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  FrameObservations empty;
  EXPECT_FALSE(FitRigidBody(cams, testing::DowelLayout(), empty, RefinementOptions()).success);
}

}  // namespace
}  // namespace hl
