// 1. Speed: rig bundle adjustment of 8 cameras x 300 board placements
//    (synthetic), beside OpenCV's cv::stereoCalibrate on one camera pair of
//    the same data, measured in the same run. The ratio says how many stereo
//    pairs' worth of time the whole-rig solve costs; a rig needs at least 7
//    pairs chained.
// 2. Accuracy on rendered images: each rig preset's calibration take
//    rendered at full resolution, calibrated with true / estimated / refined
//    intrinsics, clean and with 10 % of the views corrupted, against truth.
//
// Usage: calibration_bench [speed] [rendered [PRESET...] [--frames N] [--seed S] [--close F]
// [--tilt DEG] [--interval N]]

#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <opencv2/calib3d.hpp>

#include "calibration/intrinsics.h"
#include "calibration/rig_calibration.h"
#include "calibration/sim_calibration.h"
#include "calibration/synthetic_rig.h"
#include "capture/sim/rig_presets.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void BundleAdjustmentSpeed() {
  const hl::Board board(hl::ParseBoardSpec("charuco:8x6:0.09:0.07:DICT_5X5_100"));
  hl::SyntheticRigOptions options;
  options.num_cameras = 8;
  options.num_frames = 300;
  options.seed = 11;
  const hl::SyntheticRig data = hl::SynthesizeRig(board, options);
  std::vector<hl::Camera> cameras = data.cameras;
  for (auto& c : cameras) c.cam_from_world = hl::Rigid3d();

  auto start = std::chrono::steady_clock::now();
  hl::RigCalibrator calibrator{hl::RigCalibrationOptions()};
  calibrator.Solve(board, data.views, &cameras);
  const double rig_s = Seconds(start);

  // The views of cameras 0 and 1 in the frames both saw, intrinsics fixed.
  std::map<int, const hl::RigView*> cam0;
  for (const auto& v : data.views) {
    if (v.camera == 0) cam0[v.frame] = &v;
  }
  std::vector<std::vector<cv::Point3f>> object;
  std::vector<std::vector<cv::Point2f>> image0, image1;
  for (const auto& v : data.views) {
    // OpenCV has no outlier rejection: give it only clean views.
    if (v.camera != 1 || cam0.count(v.frame) == 0 || data.corrupted.count({0, v.frame}) ||
        data.corrupted.count({1, v.frame})) {
      continue;
    }
    const hl::RigView& a = *cam0[v.frame];
    std::map<int, Eigen::Vector2d> in_a;
    for (size_t k = 0; k < a.ids.size(); ++k) in_a[a.ids[k]] = a.corners[k];
    std::vector<cv::Point3f> obj;
    std::vector<cv::Point2f> p0, p1;
    for (size_t k = 0; k < v.ids.size(); ++k) {
      const auto it = in_a.find(v.ids[k]);
      if (it == in_a.end()) continue;
      const Eigen::Vector3d& x = board.CornerInBoard(v.ids[k]);
      obj.emplace_back(static_cast<float>(x.x()), static_cast<float>(x.y()), 0.f);
      p0.emplace_back(static_cast<float>(it->second.x()), static_cast<float>(it->second.y()));
      p1.emplace_back(static_cast<float>(v.corners[k].x()), static_cast<float>(v.corners[k].y()));
    }
    if (obj.size() < 6) continue;
    object.push_back(obj);
    image0.push_back(p0);
    image1.push_back(p1);
  }
  cv::Mat k0 = data.cameras[0].CameraMatrix(), d0 = data.cameras[0].DistCoeffs();
  cv::Mat k1 = data.cameras[1].CameraMatrix(), d1 = data.cameras[1].DistCoeffs();
  cv::Mat r, t, e, f;
  start = std::chrono::steady_clock::now();
  const double stereo_rms = cv::stereoCalibrate(object, image0, image1, k0, d0, k1, d1,
                                                cv::Size(options.width, options.height), r, t, e, f,
                                                cv::CALIB_FIX_INTRINSIC);
  const double stereo_s = Seconds(start);

  std::printf(
      "rig bundle adjustment: %d cameras, %d frames, %d views used, %zu rejected: %.3f s, "
      "RMS %.3f px\n",
      options.num_cameras, options.num_frames, calibrator.num_views_used(),
      calibrator.rejected().size(), rig_s, calibrator.rms_px());
  std::printf(
      "cv::stereoCalibrate (cam0-cam1, %zu shared views, fixed intrinsics): %.3f s, RMS %.3f px\n",
      object.size(), stereo_s, stereo_rms);
  std::printf("ratio rig / one stereo pair: %.2f\n", rig_s / stereo_s);
}

void RenderedAccuracy(const std::string& preset, hl::sim::CalibrationSceneOptions scene,
                      const hl::BoardDetectionOptions& detection) {
  const int frames = scene.frames;
  scene.floor_frames = 1;
  const hl::RenderedCalibration take = hl::RenderCalibrationTake(
      hl::sim::MakeRigPreset(preset), scene, hl::sim::RenderOptions(), detection);
  std::printf(
      "%s: %d frames rendered x %zu cameras in %.1f s: %zu views accepted (%d with corners "
      "rejected), %zu floor views; noise floor (detected vs true corners) %.4f px RMS, max %.3f "
      "px\n",
      preset.c_str(), frames + 1, take.truth_rig.cameras.size(), take.render_seconds,
      take.views.size(), take.rejected_with_corners, take.floor_views.size(), take.noise_floor_px,
      take.max_corner_error_px);
  const hl::Board board(hl::ParseBoardSpec(take.truth.board.ToString()));
  for (size_t c = 0; c < take.truth_rig.cameras.size(); ++c) {
    const hl::Camera& t = take.truth_rig.cameras[c];
    const hl::IntrinsicsResult r = hl::CalibrateIntrinsics(
        board, take.per_camera[c], cv::Size(t.width, t.height), hl::IntrinsicsOptions(), t.name);
    std::printf(
        "  intrinsics %s: %zu views, %d corners dropped, RMS %.3f px, coverage %.0f %%: fx %+.2f "
        "fy %+.2f cx "
        "%+.2f cy %+.2f px, k1 %+.4f k2 %+.4f off truth\n",
        t.name.c_str(), r.used_views.size(), r.corners_dropped, r.rms_px, 100 * r.coverage,
        r.camera.fx - t.fx, r.camera.fy - t.fy, r.camera.cx - t.cx, r.camera.cy - t.cy,
        r.camera.dist[0] - t.dist[0], r.camera.dist[1] - t.dist[1]);
  }
  using Mode = hl::SimCalibrationOptions::Intrinsics;
  const std::pair<Mode, const char*> modes[] = {{Mode::kTruth, "true intrinsics"},
                                                {Mode::kEstimated, "estimated intrinsics"},
                                                {Mode::kRefined, "refined intrinsics"}};
  for (double corrupt : {0.0, 0.1}) {
    for (const auto& [mode, name] : modes) {
      hl::SimCalibrationOptions options;
      options.intrinsics = mode;
      options.corrupt_fraction = corrupt;
      const hl::SimCalibrationResult r = hl::CalibrateRenderedTake(take, options);
      std::printf("  %s, %.0f %% corrupted: RMS / true-camera RMS %.3f; %s\n", name, 100 * corrupt,
                  r.rms_px / r.true_fit_rms_px, r.Summary().c_str());
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) args = {"speed", "rendered"};
  bool speed = false, rendered = false;
  std::vector<std::string> presets;
  hl::sim::CalibrationSceneOptions scene;
  scene.frames = 60;
  scene.seed = 3;
  scene.close_fraction = 0.4;
  scene.keyframe_interval = 1;
  scene.max_tilt_deg = 45;
  hl::BoardDetectionOptions detection;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "speed") {
      speed = true;
    } else if (args[i] == "rendered") {
      rendered = true;
    } else if (args[i] == "--frames" && i + 1 < args.size()) {
      scene.frames = std::stoi(args[++i]);
    } else if (args[i] == "--seed" && i + 1 < args.size()) {
      scene.seed = std::stoull(args[++i]);
    } else if (args[i] == "--close" && i + 1 < args.size()) {
      scene.close_fraction = std::stod(args[++i]);
    } else if (args[i] == "--interval" && i + 1 < args.size()) {
      scene.keyframe_interval = std::stoi(args[++i]);
    } else if (args[i] == "--tilt" && i + 1 < args.size()) {
      scene.max_tilt_deg = std::stod(args[++i]);
    } else if (hl::sim::IsRigPreset(args[i])) {
      presets.push_back(args[i]);
    } else {
      std::fprintf(stderr,
                   "usage: calibration_bench [speed] [rendered [PRESET...] [--frames N] "
                   "[--seed S] [--close F] [--tilt DEG] [--interval N]]\n");
      return 2;
    }
  }
  if (presets.empty()) presets = hl::sim::RigPresetNames();
  if (speed) BundleAdjustmentSpeed();
  if (rendered) {
    for (const std::string& p : presets) RenderedAccuracy(p, scene, detection);
  }
  return 0;
}
