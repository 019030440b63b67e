#pragma once

// The starting point of the rig bundle adjustment (steps 1-3 in
// rig_calibration.h): per-view PnP, camera poses along the maximum spanning
// tree of the co-observation graph, and one board pose per frame.

#include <map>
#include <optional>
#include <vector>

#include "calibration/board.h"
#include "calibration/rig_calibration.h"
#include "core/camera.h"

namespace hl {

// cam_from_board of each view by PnP; nullopt where PnP fails.
std::vector<std::optional<Rigid3d>> EstimateViewPoses(const Board& board,
                                                      const std::vector<RigView>& views,
                                                      const std::vector<Camera>& cameras);

// co_observations(i, j): frames in which cameras i and j both have a posed view.
Eigen::MatrixXi CoObservations(const std::vector<RigView>& views,
                               const std::vector<std::optional<Rigid3d>>& poses, int num_cameras);

// Sets cameras[i].cam_from_world in camera 0's frame. Throws hl::Error("rig")
// listing the cameras not connected to camera 0 through shared board views.
void InitializeCameraPoses(const std::vector<RigView>& views,
                           const std::vector<std::optional<Rigid3d>>& poses,
                           std::vector<Camera>* cameras);

// RMS (px) of a view given a board pose in the world and the camera's pose.
double ViewRms(const Board& board, const RigView& view, const Camera& camera,
               const Rigid3d& world_from_board);

// world_from_board per frame: of the frame's posed views, the one whose
// board pose gives the lowest median RMS over the frame's views.
std::map<int, Rigid3d> InitializeBoardPoses(const Board& board, const std::vector<RigView>& views,
                                            const std::vector<std::optional<Rigid3d>>& poses,
                                            const std::vector<Camera>& cameras);

}  // namespace hl
