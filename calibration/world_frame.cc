#include "calibration/world_frame.h"

#include <cmath>

#include <ceres/ceres.h>

#include "calibration/reprojection_error.h"
#include "calibration/rig_initialization.h"
#include "core/error.h"

namespace hl {

FloorBoardResult WorldFromFloorBoard(const Board& board, const std::vector<RigView>& views,
                                     const std::vector<Camera>& cameras) {
  const std::vector<std::optional<Rigid3d>> poses = EstimateViewPoses(board, views, cameras);
  int best = -1;
  for (size_t i = 0; i < views.size(); ++i) {
    if (poses[i] && (best < 0 || views[i].ids.size() > views[best].ids.size())) {
      best = static_cast<int>(i);
    }
  }
  if (best < 0) {
    throw Error("--floor",
                "no camera sees the floor board well enough for a pose: lay the whole "
                "board flat in view of at least one camera");
  }
  const Rigid3d init = cameras[views[best].camera].cam_from_world.Inverse() * *poses[best];
  std::array<double, kPoseBlockSize> board_pose = PackPose(init);

  // The board pose (rig_from_board) from all views, cameras held fixed.
  std::vector<std::array<double, kIntrinsicsBlockSize>> intrinsics;
  std::vector<std::array<double, kPoseBlockSize>> cam_poses;
  for (const Camera& c : cameras) {
    intrinsics.push_back(PackIntrinsics(c));
    cam_poses.push_back(PackPose(c.cam_from_world));
  }
  ceres::Problem problem;
  std::vector<bool> used(views.size(), false);
  FloorBoardResult result;
  for (size_t i = 0; i < views.size(); ++i) {
    // A view that disagrees grossly with the best view's pose is not the
    // same board placement (or is misdetected): leave it out.
    if (!poses[i] || ViewRms(board, views[i], cameras[views[i].camera], init) > 20.0) continue;
    used[i] = true;
    ++result.views_used;
    const int c = views[i].camera;
    for (size_t k = 0; k < views[i].ids.size(); ++k) {
      problem.AddResidualBlock(
          BoardReprojectionError::Create(board.CornerInBoard(views[i].ids[k]), views[i].corners[k]),
          new ceres::HuberLoss(1.0), cam_poses[c].data(), board_pose.data(), intrinsics[c].data());
    }
    problem.SetParameterBlockConstant(cam_poses[c].data());
    problem.SetParameterBlockConstant(intrinsics[c].data());
  }
  problem.SetManifold(board_pose.data(), new PoseManifold());
  ceres::Solver::Options options;
  options.linear_solver_type = ceres::DENSE_QR;
  options.logging_type = ceres::SILENT;
  ceres::Solver::Summary summary;
  ceres::Solve(options, &problem, &summary);
  const Rigid3d rig_from_board = UnpackPose(board_pose);

  double sum_sq = 0;
  int n = 0;
  for (size_t i = 0; i < views.size(); ++i) {
    if (!used[i]) continue;
    const double rms = ViewRms(board, views[i], cameras[views[i].camera], rig_from_board);
    sum_sq += rms * rms * static_cast<double>(views[i].ids.size());
    n += static_cast<int>(views[i].ids.size());
  }
  result.rms_px = std::sqrt(sum_sq / std::max(n, 1));

  // Up is where the cameras are.
  const Rigid3d board_from_rig = rig_from_board.Inverse();
  double mean_z = 0;
  for (const Camera& c : cameras) mean_z += (board_from_rig * c.CenterInWorld()).z();
  Rigid3d world_from_board;
  if (mean_z < 0) {
    world_from_board.rotation =
        Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitX()));
  }
  result.world_from_rig = world_from_board * board_from_rig;
  return result;
}

void ApplyWorldFrame(const Rigid3d& world_from_rig, std::vector<Camera>* cameras) {
  const Rigid3d rig_from_world = world_from_rig.Inverse();
  for (Camera& c : *cameras) c.cam_from_world = c.cam_from_world * rig_from_world;
}

}  // namespace hl
