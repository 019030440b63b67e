#include "calibration/sim_calibration.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <random>

#include "calibration/synthetic_rig.h"
#include "calibration/world_frame.h"
#include "core/error.h"

namespace hl {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// RMS reprojection error of `views` with the TRUE cameras, each frame's
// board pose fitted to its views (the floor-board solve is exactly that fit).
double TrueCameraFitRms(const Board& board, const std::vector<RigView>& views,
                        const std::vector<Camera>& truth) {
  std::map<int, std::vector<RigView>> by_frame;
  for (const RigView& v : views) by_frame[v.frame].push_back(v);
  double sum_sq = 0;
  size_t corners = 0;
  for (const auto& [frame, frame_views] : by_frame) {
    const FloorBoardResult fit = WorldFromFloorBoard(board, frame_views, truth);
    size_t n = 0;
    for (const RigView& v : frame_views) n += v.ids.size();
    sum_sq += fit.rms_px * fit.rms_px * static_cast<double>(n);
    corners += n;
  }
  return corners > 0 ? std::sqrt(sum_sq / static_cast<double>(corners)) : 0.0;
}

}  // namespace

RenderedCalibration RenderCalibrationTake(const Rig& truth_rig,
                                          const sim::CalibrationSceneOptions& scene_options,
                                          const sim::RenderOptions& render,
                                          const BoardDetectionOptions& detection) {
  const auto start = std::chrono::steady_clock::now();
  RenderedCalibration out;
  out.truth_rig = truth_rig;
  const std::vector<sim::SceneFrame> scene =
      sim::MakeCalibrationScene(truth_rig, scene_options, &out.truth);
  const Board board(ParseBoardSpec(out.truth.board.ToString()));
  std::vector<sim::ViewRenderer> renderers;
  for (const Camera& c : truth_rig.cameras) renderers.emplace_back(c, render);
  out.per_camera.resize(truth_rig.cameras.size());
  double sum_sq = 0;
  int num_corners = 0;
  for (size_t f = 0; f < scene.size(); ++f) {
    const std::vector<cv::Mat> images = sim::RenderViews(renderers, scene[f], f);
    for (size_t c = 0; c < images.size(); ++c) {
      const BoardView v = board.Detect(images[c], detection);
      if (!v.accepted) {
        out.rejected_with_corners += !v.ids.empty();
        continue;
      }
      RigView rv{static_cast<int>(c), static_cast<int>(f), v.ids, v.corners};
      if (static_cast<int>(f) >= out.truth.first_floor_frame) {
        out.floor_views.push_back(std::move(rv));
        continue;
      }
      const Camera& camera = truth_rig.cameras[c];
      for (size_t k = 0; k < v.ids.size(); ++k) {
        Eigen::Vector2d truth_px;
        const Eigen::Vector3d corner_in_world =
            out.truth.world_from_board[f] * board.CornerInBoard(v.ids[k]);
        HL_CHECK(camera.Project(corner_in_world, &truth_px));
        out.mean_corner_offset_px += v.corners[k] - truth_px;
        const double error = (v.corners[k] - truth_px).norm();
        sum_sq += error * error;
        out.max_corner_error_px = std::max(out.max_corner_error_px, error);
        ++num_corners;
      }
      out.views.push_back(std::move(rv));
      out.per_camera[c].push_back(v);
    }
  }
  if (num_corners > 0) {
    out.noise_floor_px = std::sqrt(sum_sq / num_corners);
    out.mean_corner_offset_px /= num_corners;
  }
  out.render_seconds = SecondsSince(start);
  return out;
}

SimCalibrationResult CalibrateRenderedTake(const RenderedCalibration& take,
                                           const SimCalibrationOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Board board(ParseBoardSpec(take.truth.board.ToString()));
  const std::vector<Camera>& truth = take.truth_rig.cameras;
  SimCalibrationResult out;

  std::vector<RigView> views = take.views;
  if (options.corrupt_fraction > 0) {
    std::mt19937 rng(options.corrupt_seed);
    out.corrupted = CorruptRigViews(board, truth, take.truth.world_from_board,
                                    options.corrupt_fraction, &rng, &views);
  }

  for (size_t c = 0; c < truth.size(); ++c) {
    Camera camera = truth[c];
    if (options.intrinsics != SimCalibrationOptions::Intrinsics::kTruth) {
      const IntrinsicsResult r =
          CalibrateIntrinsics(board, take.per_camera[c], cv::Size(camera.width, camera.height),
                              options.intrinsics_options, camera.name);
      camera = r.camera;
      out.intrinsics_coverage.push_back(r.coverage);
    }
    camera.cam_from_world = Rigid3d();
    out.cameras.push_back(camera);
  }
  RigCalibrationOptions rig_options = options.rig;
  rig_options.refine_intrinsics = options.intrinsics == SimCalibrationOptions::Intrinsics::kRefined;
  RigCalibrator calibrator(rig_options);
  calibrator.Solve(board, views, &out.cameras);
  out.rms_px = calibrator.rms_px();
  out.views_used = calibrator.num_views_used();
  out.rejected = calibrator.rejected();
  for (const RejectedView& r : out.rejected) {
    if (out.corrupted.count({r.camera, r.frame})) {
      ++out.corrupted_rejected;
    } else {
      ++out.clean_rejected;
    }
  }

  std::set<std::pair<int, int>> rejected;
  for (const RejectedView& r : out.rejected) rejected.insert({r.camera, r.frame});
  std::vector<RigView> used;
  for (const RigView& v : views) {
    if (!rejected.count({v.camera, v.frame})) used.push_back(v);
  }
  out.true_fit_rms_px = TrueCameraFitRms(board, used, truth);

  if (!take.floor_views.empty()) {
    const FloorBoardResult floor = WorldFromFloorBoard(board, take.floor_views, out.cameras);
    ApplyWorldFrame(floor.world_from_rig, &out.cameras);
  }
  out.comparison = CompareRigs(out.cameras, truth);
  for (size_t c = 0; c < truth.size(); ++c) {
    out.max_world_centre_error_mm =
        std::max(out.max_world_centre_error_mm,
                 1e3 * (out.cameras[c].CenterInWorld() - truth[c].CenterInWorld()).norm());
    out.max_focal_error_rel =
        std::max(out.max_focal_error_rel, std::abs(out.cameras[c].fx - truth[c].fx) / truth[c].fx);
  }
  out.solve_seconds = SecondsSince(start);
  return out;
}

std::string SimCalibrationResult::Summary() const {
  char line[400];
  std::snprintf(line, sizeof(line),
                "RMS %.4f px over %d views (true cameras: %.4f px); %s; world frame adds: centres "
                "within %.2f mm; "
                "worst fx error %.4f %%; rejected %zu (%d of %zu corrupted, %d clean); %.1f s",
                rms_px, views_used, true_fit_rms_px, comparison.Summary().c_str(),
                max_world_centre_error_mm, 100 * max_focal_error_rel, rejected.size(),
                corrupted_rejected, corrupted.size(), clean_rejected, solve_seconds);
  return line;
}

}  // namespace hl
