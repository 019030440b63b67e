// End to end on rendered images (issue #4, acceptance 2 and 3): the studio4
// calibration take (board waved through the volume and held close to each
// camera, then laid on the floor), rendered with blur and sensor noise at the
// preset's 1920x1080, detected, calibrated, and compared with the rig that
// rendered it after rigid alignment (calibration/rig_alignment.h). studio8
// and lab2 take too long for a test: bench/calibration_bench measures them.

#include <gtest/gtest.h>

#include <cstdio>

#include "calibration/sim_calibration.h"
#include "capture/sim/rig_presets.h"

namespace hl {
namespace {

// Rendered once for all tests of this file (about 20 s).
const RenderedCalibration& Studio4Take() {
  static const RenderedCalibration take = [] {
    sim::CalibrationSceneOptions scene;
    scene.frames = 60;
    scene.floor_frames = 1;
    scene.seed = 3;
    scene.keyframe_interval = 1;  // stills: every frame a new placement
    scene.close_fraction = 0.4;
    scene.max_tilt_deg = 45;
    RenderedCalibration t = RenderCalibrationTake(sim::MakeRigPreset("studio4"), scene,
                                                  sim::RenderOptions(), BoardDetectionOptions());
    std::printf(
        "studio4: %zu views, %zu floor views, corner error %.4f px RMS (max %.3f, mean "
        "offset %+.3f %+.3f px), %.1f s\n",
        t.views.size(), t.floor_views.size(), t.noise_floor_px, t.max_corner_error_px,
        t.mean_corner_offset_px.x(), t.mean_corner_offset_px.y(), t.render_seconds);
    return t;
  }();
  return take;
}

SimCalibrationResult Calibrate(SimCalibrationOptions::Intrinsics intrinsics, double corrupt) {
  SimCalibrationOptions options;
  options.intrinsics = intrinsics;
  options.corrupt_fraction = corrupt;
  const SimCalibrationResult r = CalibrateRenderedTake(Studio4Take(), options);
  std::printf("%s\n", r.Summary().c_str());
  return r;
}

TEST(RenderedSceneTest, DetectedCornersNearTruth) {
  const RenderedCalibration& take = Studio4Take();
  EXPECT_GE(take.views.size(), 80u);  // measured 91
  EXPECT_EQ(take.floor_views.size(), 4u);
  // Measured 0.221 px RMS. Before Board::Detect undid OpenCV 4.6's (0.5, 0.5)
  // ChArUco shift this was 0.708 px, the mean offset +0.5 +0.5.
  EXPECT_LT(take.noise_floor_px, 0.3);
  EXPECT_LT(take.mean_corner_offset_px.norm(), 0.1);
}

// The rig alone (the rendering cameras' intrinsics): acceptance 2's bounds.
TEST(RenderedSceneTest, Studio4RigWithTrueIntrinsicsWithinAcceptance) {
  const SimCalibrationResult r = Calibrate(SimCalibrationOptions::Intrinsics::kTruth, 0.0);
  // Measured 0.84 mm, 0.012 deg; RMS 0.991 x the true cameras'.
  EXPECT_LT(r.comparison.max_centre_error_mm, 1.0);
  EXPECT_LT(r.comparison.max_rotation_error_deg, 0.05);
  EXPECT_NEAR(r.rms_px / r.true_fit_rms_px, 1.0, 0.1);
  // The floor board's world frame adds to that (measured 2.0 mm).
  EXPECT_LT(r.max_world_centre_error_mm, 3.0);
}

// The full pipeline: per-camera intrinsics refined in the joint BA. NOT yet
// within acceptance 2 (1 mm, 0.05 deg): intrinsics from biased corners.
TEST(RenderedSceneTest, Studio4RigWithRefinedIntrinsics) {
  const SimCalibrationResult r = Calibrate(SimCalibrationOptions::Intrinsics::kRefined, 0.0);
  // Measured 1.42 mm, 0.111 deg, fx within 0.048 %; RMS 0.98 x the true cameras'.
  EXPECT_LT(r.comparison.max_centre_error_mm, 2.0);
  EXPECT_LT(r.comparison.max_rotation_error_deg, 0.15);
  EXPECT_LT(r.max_focal_error_rel, 0.001);
  EXPECT_NEAR(r.rms_px / r.true_fit_rms_px, 1.0, 0.1);
}

// Acceptance 3: 10 % of the detections corrupted on purpose (half moved as by
// a desynchronised camera, half with corners 5-20 px off).
TEST(RenderedSceneTest, Studio4CorruptedViewsRejectedAndReported) {
  const SimCalibrationResult r = Calibrate(SimCalibrationOptions::Intrinsics::kRefined, 0.1);
  ASSERT_GE(r.corrupted.size(), 8u);  // 10 % of 91
  EXPECT_EQ(r.corrupted_rejected, static_cast<int>(r.corrupted.size()));
  for (const RejectedView& v : r.rejected) EXPECT_FALSE(v.reason.empty());
  // Measured 3.03 mm, 0.093 deg; RMS 0.98 x the true cameras'.
  EXPECT_LT(r.comparison.max_centre_error_mm, 4.0);
  EXPECT_LT(r.comparison.max_rotation_error_deg, 0.15);
  EXPECT_NEAR(r.rms_px / r.true_fit_rms_px, 1.0, 0.1);
}

}  // namespace
}  // namespace hl
