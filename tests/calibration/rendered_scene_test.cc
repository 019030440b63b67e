// End to end on rendered images: the simulated studio's calibration take
// (board waved through the volume, then laid on the floor), rendered with
// blur and sensor noise, detected, and calibrated; compared with the rig
// that rendered it.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>

#include "calibration/board.h"
#include "calibration/intrinsics.h"
#include "calibration/rig_calibration.h"
#include "calibration/world_frame.h"
#include "capture/sim/calibration_scene.h"
#include "capture/sim/renderer.h"
#include "capture/sim/rig_presets.h"

namespace hl {
namespace {

TEST(RenderedSceneTest, Studio4RigAndFloorFromRenderedImages) {
  const auto start = std::chrono::steady_clock::now();
  const Rig truth_rig = sim::MakeRigPreset("studio4");
  sim::CalibrationSceneOptions scene_options;
  scene_options.frames = 60;
  scene_options.floor_frames = 1;
  scene_options.seed = 3;
  sim::CalibrationTruth truth;
  const std::vector<sim::SceneFrame> scene =
      sim::MakeCalibrationScene(truth_rig, scene_options, &truth);
  const Board board(ParseBoardSpec(truth.board.ToString()));

  std::vector<sim::ViewRenderer> renderers;
  for (const Camera& c : truth_rig.cameras) renderers.emplace_back(c, sim::RenderOptions());
  std::vector<RigView> views, floor_views;
  std::vector<std::vector<BoardView>> per_camera(truth_rig.cameras.size());
  int detected = 0, rejected = 0;
  for (size_t f = 0; f < scene.size(); ++f) {
    const std::vector<cv::Mat> images = sim::RenderViews(renderers, scene[f], f);
    for (size_t c = 0; c < images.size(); ++c) {
      const BoardView v = board.Detect(images[c], BoardDetectionOptions());
      if (!v.accepted) {
        rejected += !v.ids.empty();
        continue;
      }
      ++detected;
      RigView rv{static_cast<int>(c), static_cast<int>(f), v.ids, v.corners};
      if (static_cast<int>(f) >= truth.first_floor_frame) {
        floor_views.push_back(rv);
      } else {
        views.push_back(rv);
        per_camera[c].push_back(v);
      }
    }
  }
  std::printf("rendered %zu frames x %zu cameras: %d views accepted, %d with corners rejected\n",
              scene.size(), renderers.size(), detected, rejected);

  // Intrinsics from the rendered views of each camera land near the truth.
  std::vector<Camera> cameras;
  for (size_t c = 0; c < truth_rig.cameras.size(); ++c) {
    const Camera& t = truth_rig.cameras[c];
    const IntrinsicsResult r = CalibrateIntrinsics(
        board, per_camera[c], cv::Size(t.width, t.height), IntrinsicsOptions(), t.name);
    std::printf("%s (truth fx %.1f cx %.1f cy %.1f)\n", r.Summary().c_str(), t.fx, t.cx, t.cy);
    EXPECT_LT(r.rms_px, 0.3) << t.name;
    EXPECT_NEAR(r.camera.fx, t.fx, 0.02 * t.fx) << t.name;
    // The extrinsics below use the true intrinsics, so they test the rig alone.
    Camera cam = t;
    cam.cam_from_world = Rigid3d();
    cameras.push_back(cam);
  }

  RigCalibrator calibrator{RigCalibrationOptions()};
  calibrator.Solve(board, views, &cameras);
  std::printf("%s", calibrator.Summary(cameras).c_str());
  EXPECT_LT(calibrator.rms_px(), 0.3);

  const FloorBoardResult floor = WorldFromFloorBoard(board, floor_views, cameras);
  ApplyWorldFrame(floor.world_from_rig, &cameras);
  double max_centre_mm = 0, max_rotation_deg = 0;
  for (size_t c = 0; c < cameras.size(); ++c) {
    const Camera& t = truth_rig.cameras[c];
    max_centre_mm =
        std::max(max_centre_mm, 1e3 * (cameras[c].CenterInWorld() - t.CenterInWorld()).norm());
    max_rotation_deg = std::max(
        max_rotation_deg,
        cameras[c].cam_from_world.rotation.angularDistance(t.cam_from_world.rotation) * 180 / M_PI);
  }
  std::printf(
      "floor: %d views, RMS %.3f px; camera centres within %.2f mm, rotations within %.3f deg "
      "(%.0f s)\n",
      floor.views_used, floor.rms_px, max_centre_mm, max_rotation_deg,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  EXPECT_GE(floor.views_used, 2);
  // Measured 2.7 mm and 0.044 deg (seed 3); the floor board's pose dominates.
  EXPECT_LT(max_centre_mm, 10.0);
  EXPECT_LT(max_rotation_deg, 0.15);
}

}  // namespace
}  // namespace hl
