#include "calibration/rig_alignment.h"

#include <gtest/gtest.h>

#include <cmath>

#include "capture/sim/rig_presets.h"
#include "core/error.h"

namespace hl {
namespace {

// The same rig in another world frame (a rigid motion of every camera).
std::vector<Camera> Moved(const std::vector<Camera>& cameras, const Rigid3d& new_from_old) {
  std::vector<Camera> out = cameras;
  for (Camera& c : out) c.cam_from_world = c.cam_from_world * new_from_old.Inverse();
  return out;
}

const Rigid3d kMotion(Eigen::Quaterniond(Eigen::AngleAxisd(0.7,
                                                           Eigen::Vector3d(1, 2, 3).normalized())),
                      Eigen::Vector3d(0.4, -1.5, 2.0));

TEST(RigAlignmentTest, SameRigInAnotherFrameComparesEqual) {
  for (const char* preset : {"studio4", "studio8", "lab2"}) {
    const std::vector<Camera> truth = sim::MakeRigPreset(preset).cameras;
    const RigComparison r = CompareRigs(Moved(truth, kMotion), truth);
    EXPECT_LT(r.max_centre_error_mm, 1e-6) << preset;
    EXPECT_LT(r.max_rotation_error_deg, 1e-6) << preset;
    EXPECT_NEAR(r.scale, 1.0, 1e-9) << preset;
    // The aligning transform undoes the motion.
    EXPECT_LT((r.truth_from_estimate * kMotion).translation.norm(), 1e-9) << preset;
  }
}

TEST(RigAlignmentTest, OneDisplacedCameraAndScaleShowAfterAlignment) {
  const std::vector<Camera> truth = sim::MakeRigPreset("studio4").cameras;
  std::vector<Camera> estimate = Moved(truth, kMotion);
  // Camera 2 moves 4 mm along its own x axis and turns 0.1 deg about it.
  Camera& c = estimate[2];
  c.cam_from_world.translation -= Eigen::Vector3d(0.004, 0, 0);
  c.cam_from_world =
      Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(0.1 * M_PI / 180, Eigen::Vector3d::UnitX())),
              Eigen::Vector3d::Zero()) *
      c.cam_from_world;
  RigComparison r = CompareRigs(estimate, truth);
  // Least squares spreads the 4 mm over the four centres (a shift and a
  // turn of the whole rig take part of it): most stays on camera 2.
  EXPECT_GT(r.max_centre_error_mm, 1.5);
  EXPECT_LT(r.max_centre_error_mm, 4.0);
  for (int i : {0, 1, 3}) EXPECT_LT(r.centre_error_mm[i], r.centre_error_mm[2]);
  EXPECT_GT(r.max_rotation_error_deg, 0.05);
  EXPECT_LT(r.max_rotation_error_deg, 0.15);

  // A rig 0.1 % too large: scale shows, and the centres carry it (rigid fit).
  std::vector<Camera> larger = truth;
  for (Camera& cam : larger) cam.cam_from_world.translation *= 1.001;
  r = CompareRigs(larger, truth);
  EXPECT_NEAR(r.scale, 1.001, 1e-6);
  EXPECT_GT(r.max_centre_error_mm, 1.0);
  EXPECT_LT(r.max_rotation_error_deg, 1e-6);
}

TEST(RigAlignmentTest, MismatchedRigsAreAnError) {
  const std::vector<Camera> truth = sim::MakeRigPreset("studio4").cameras;
  EXPECT_THROW(CompareRigs({truth[0], truth[1]}, truth), Error);
  EXPECT_THROW(CompareRigs({truth[0]}, {truth[0]}), Error);
}

}  // namespace
}  // namespace hl
