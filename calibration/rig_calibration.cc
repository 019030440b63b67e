#include "calibration/rig_calibration.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <sstream>

#include <ceres/ceres.h>

#include "calibration/reprojection_error.h"
#include "calibration/rig_initialization.h"
#include "core/error.h"

namespace hl {
namespace {

ceres::LossFunction* MakeLoss(const RigCalibrationOptions& o) {
  switch (o.loss) {
    case RigCalibrationOptions::Loss::kHuber:
      return new ceres::HuberLoss(o.loss_scale_px);
    case RigCalibrationOptions::Loss::kCauchy:
      return new ceres::CauchyLoss(o.loss_scale_px);
    case RigCalibrationOptions::Loss::kTrivial:
      break;
  }
  return nullptr;
}

double Median(std::vector<double> v) {
  HL_CHECK(!v.empty());
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return v[v.size() / 2];
}

// One bundle adjustment over the views marked active; writes poses back.
void BundleAdjust(const Board& board, const std::vector<RigView>& views,
                  const std::vector<bool>& active, const RigCalibrationOptions& options,
                  std::vector<Camera>* cameras, std::map<int, Rigid3d>* world_from_board) {
  using Pose = std::array<double, kPoseBlockSize>;
  std::vector<Pose> cam_blocks;
  std::vector<std::array<double, kIntrinsicsBlockSize>> intrinsics;
  for (const Camera& c : *cameras) {
    cam_blocks.push_back(PackPose(c.cam_from_world));
    intrinsics.push_back(PackIntrinsics(c));
  }
  std::map<int, Pose> board_blocks;
  for (const auto& [frame, pose] : *world_from_board) board_blocks.emplace(frame, PackPose(pose));

  ceres::Problem problem;
  std::vector<bool> camera_used(cameras->size(), false);
  for (size_t i = 0; i < views.size(); ++i) {
    if (!active[i]) continue;
    const RigView& v = views[i];
    camera_used[v.camera] = true;
    for (size_t k = 0; k < v.ids.size(); ++k) {
      problem.AddResidualBlock(
          BoardReprojectionError::Create(board.CornerInBoard(v.ids[k]), v.corners[k]),
          MakeLoss(options), cam_blocks[v.camera].data(), board_blocks.at(v.frame).data(),
          intrinsics[v.camera].data());
    }
  }
  // Board poses first: the Schur complement eliminates them, leaving a small
  // camera system.
  auto ordering = std::make_shared<ceres::ParameterBlockOrdering>();
  for (auto& [frame, b] : board_blocks) {
    if (!problem.HasParameterBlock(b.data())) continue;
    problem.SetManifold(b.data(), new PoseManifold());
    ordering->AddElementToGroup(b.data(), 0);
  }
  for (size_t c = 0; c < cameras->size(); ++c) {
    if (!camera_used[c]) continue;
    problem.SetManifold(cam_blocks[c].data(), new PoseManifold());
    if (options.refine_intrinsics) {
      problem.SetManifold(intrinsics[c].data(),
                          NewIntrinsicsManifold(static_cast<int>((*cameras)[c].dist.size())));
    } else {
      problem.SetParameterBlockConstant(intrinsics[c].data());
    }
    ordering->AddElementToGroup(cam_blocks[c].data(), 1);
    ordering->AddElementToGroup(intrinsics[c].data(), 1);
  }
  // Camera 0 fixes the gauge (the board fixes the scale).
  if (camera_used[0]) problem.SetParameterBlockConstant(cam_blocks[0].data());

  ceres::Solver::Options solver_options;
  solver_options.linear_solver_type = ceres::SPARSE_SCHUR;
  solver_options.linear_solver_ordering = ordering;
  solver_options.max_num_iterations = options.max_num_iterations;
  solver_options.num_threads = options.num_threads;
  solver_options.function_tolerance = 1e-10;
  solver_options.logging_type = options.verbose ? ceres::PER_MINIMIZER_ITERATION : ceres::SILENT;
  ceres::Solver::Summary summary;
  ceres::Solve(solver_options, &problem, &summary);
  if (options.verbose) std::fprintf(stderr, "%s\n", summary.BriefReport().c_str());
  if (!summary.IsSolutionUsable()) {
    throw Error("rig", "bundle adjustment failed (" + summary.message +
                           "): check the board SPEC matches the printed board");
  }
  for (size_t c = 0; c < cameras->size(); ++c) {
    (*cameras)[c].cam_from_world = UnpackPose(cam_blocks[c]);
    UnpackIntrinsics(intrinsics[c], &(*cameras)[c]);
  }
  for (auto& [frame, b] : board_blocks) (*world_from_board)[frame] = UnpackPose(b);
}

}  // namespace

void RigCalibrationOptions::Check() const {
  HL_CHECK(loss_scale_px > 0.0);
  HL_CHECK(outlier_factor > 1.0);
  HL_CHECK(min_outlier_rms_px >= 0.0);
  HL_CHECK(max_outlier_rounds >= 1);
  HL_CHECK(min_corners >= 4);
  HL_CHECK(max_num_iterations >= 1);
  HL_CHECK(num_threads >= 1);
}

RigCalibrator::RigCalibrator(const RigCalibrationOptions& options) : options_(options) {
  options_.Check();
}

void RigCalibrator::Solve(const Board& board, const std::vector<RigView>& views,
                          std::vector<Camera>* cameras) {
  HL_CHECK(cameras != nullptr && !cameras->empty());
  const int num_cameras = static_cast<int>(cameras->size());
  rejected_.clear();
  world_from_board_.clear();
  for (const RigView& v : views) {
    HL_CHECK(v.camera >= 0 && v.camera < num_cameras);
    HL_CHECK(v.ids.size() == v.corners.size());
    for (int id : v.ids) HL_CHECK(id >= 0 && id < board.NumCorners());
  }

  std::vector<std::optional<Rigid3d>> poses = EstimateViewPoses(board, views, *cameras);
  std::vector<bool> active(views.size(), false);
  for (size_t i = 0; i < views.size(); ++i) {
    if (static_cast<int>(views[i].ids.size()) < options_.min_corners) {
      rejected_.push_back({views[i].camera, views[i].frame, -1.0, "too few corners"});
      poses[i].reset();
    } else if (!poses[i]) {
      rejected_.push_back({views[i].camera, views[i].frame, -1.0, "no board pose (PnP failed)"});
    } else {
      active[i] = true;
    }
  }
  InitializeCameraPoses(views, poses, cameras);
  world_from_board_ = InitializeBoardPoses(board, views, poses, *cameras);

  std::vector<double> view_rms(views.size(), -1.0);
  for (int round = 0; round < options_.max_outlier_rounds; ++round) {
    BundleAdjust(board, views, active, options_, cameras, &world_from_board_);
    std::vector<double> active_rms;
    for (size_t i = 0; i < views.size(); ++i) {
      if (!active[i]) continue;
      const RigView& v = views[i];
      view_rms[i] = ViewRms(board, v, (*cameras)[v.camera], world_from_board_.at(v.frame));
      active_rms.push_back(view_rms[i]);
    }
    const double limit =
        std::max(options_.outlier_factor * Median(active_rms), options_.min_outlier_rms_px);
    // Only the worst view of a frame goes per round: one bad view drags the
    // board pose and with it the frame's good views over the limit.
    std::map<int, size_t> worst_in_frame;
    for (size_t i = 0; i < views.size(); ++i) {
      if (!active[i]) continue;
      const auto it = worst_in_frame.find(views[i].frame);
      if (it == worst_in_frame.end() || view_rms[i] > view_rms[it->second]) {
        worst_in_frame[views[i].frame] = i;
      }
    }
    int removed = 0;
    for (const auto& [frame, i] : worst_in_frame) {
      if (view_rms[i] <= limit) continue;
      // Never cut a camera off: its last views stay and show in its RMS.
      int camera_views = 0;
      for (size_t j = 0; j < views.size(); ++j) {
        camera_views += active[j] && views[j].camera == views[i].camera;
      }
      if (camera_views <= 1) continue;
      active[i] = false;
      ++removed;
      std::ostringstream s;
      s << "outlier: RMS " << view_rms[i] << " px > " << limit << " px";
      rejected_.push_back({views[i].camera, views[i].frame, view_rms[i], s.str()});
    }
    if (removed == 0) break;
    if (round + 1 == options_.max_outlier_rounds) {
      BundleAdjust(board, views, active, options_, cameras, &world_from_board_);
    }
  }

  // Quality, over the views that survived.
  std::map<int, bool> frame_used;
  std::vector<double> sum_sq(num_cameras, 0.0);
  std::vector<int> corners(num_cameras, 0);
  quality_.assign(num_cameras, CameraQuality());
  double total_sq = 0;
  int total_corners = 0;
  num_views_used_ = 0;
  for (size_t i = 0; i < views.size(); ++i) {
    if (!active[i]) continue;
    const RigView& v = views[i];
    const double rms = ViewRms(board, v, (*cameras)[v.camera], world_from_board_.at(v.frame));
    const double sq = rms * rms * static_cast<double>(v.ids.size());
    sum_sq[v.camera] += sq;
    corners[v.camera] += static_cast<int>(v.ids.size());
    total_sq += sq;
    total_corners += static_cast<int>(v.ids.size());
    ++quality_[v.camera].views_used;
    ++num_views_used_;
    frame_used[v.frame] = true;
  }
  for (auto it = world_from_board_.begin(); it != world_from_board_.end();) {
    it = frame_used.count(it->first) ? std::next(it) : world_from_board_.erase(it);
  }
  rms_px_ = total_corners > 0 ? std::sqrt(total_sq / total_corners) : 0.0;
  Eigen::Vector3d volume_centre = Eigen::Vector3d::Zero();
  for (const auto& [frame, pose] : world_from_board_) volume_centre += pose * board.CenterInBoard();
  if (!world_from_board_.empty()) volume_centre /= static_cast<double>(world_from_board_.size());
  baselines_m_ = Eigen::MatrixXd::Zero(num_cameras, num_cameras);
  for (int c = 0; c < num_cameras; ++c) {
    for (int d = 0; d < num_cameras; ++d) {
      baselines_m_(c, d) = ((*cameras)[c].CenterInWorld() - (*cameras)[d].CenterInWorld()).norm();
    }
  }
  for (int c = 0; c < num_cameras; ++c) {
    Camera& cam = (*cameras)[c];
    CameraQuality& q = quality_[c];
    q.rms_px = corners[c] > 0 ? std::sqrt(sum_sq[c] / corners[c]) : 0.0;
    cam.rms_px = q.rms_px;
    q.depth_m = (cam.cam_from_world * volume_centre).z();
    q.world_error_mm = q.rms_px * std::abs(q.depth_m) / (0.5 * (cam.fx + cam.fy)) * 1000.0;
    for (int d = 0; d < num_cameras; ++d) {
      if (d != c && (q.nearest_camera < 0 || baselines_m_(c, d) < q.nearest_baseline_m)) {
        q.nearest_camera = d;
        q.nearest_baseline_m = baselines_m_(c, d);
      }
    }
  }
}

std::string RigCalibrator::Summary(const std::vector<Camera>& cameras) const {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(3);
  s << "rig: " << cameras.size() << " cameras, " << num_views_used_ << " views over "
    << world_from_board_.size() << " board poses, RMS " << rms_px_ << " px, " << rejected_.size()
    << " views rejected\n";
  for (size_t c = 0; c < cameras.size() && c < quality_.size(); ++c) {
    const CameraQuality& q = quality_[c];
    s << "  " << cameras[c].name << ": RMS " << q.rms_px << " px, " << q.world_error_mm << " mm at "
      << q.depth_m << " m, " << q.views_used << " views";
    if (q.nearest_camera >= 0) {
      s << ", nearest " << cameras[q.nearest_camera].name << " at " << q.nearest_baseline_m << " m";
    }
    s << "\n";
  }
  for (const RejectedView& r : rejected_) {
    s << "  rejected " << cameras[r.camera].name << " frame " << r.frame << ": " << r.reason
      << "\n";
  }
  return s.str();
}

}  // namespace hl
