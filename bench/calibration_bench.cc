// Rig bundle adjustment of 8 cameras x 300 board placements (synthetic),
// beside OpenCV's cv::stereoCalibrate on one camera pair of the same data,
// measured in the same run. The ratio says how many stereo pairs' worth of
// time the whole-rig solve costs; a rig needs at least 7 pairs chained.

#include <chrono>
#include <cstdio>
#include <map>

#include <opencv2/calib3d.hpp>

#include "calibration/rig_calibration.h"
#include "calibration/synthetic_rig.h"

namespace {

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main() {
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
  return 0;
}
