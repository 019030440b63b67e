#pragma once

// The world frame from a board lying on the floor: origin at the board's
// origin (its first corner), X along the board's x axis, Z up, Y = Z x X.
//
// "Up" is the side of the floor the cameras are on. A board's own z axis in
// OpenCV's convention points into the printed face, i.e. down into the
// floor, so world = board rotated 180 deg about x; deciding by the cameras
// instead of the convention also copes with a board whose z points up.
//
// The board pose comes from every camera that sees it (a small Ceres solve
// with the cameras fixed), started from the view with the most corners.

#include <string>
#include <vector>

#include "calibration/board.h"
#include "calibration/rig_calibration.h"
#include "core/camera.h"

namespace hl {

struct FloorBoardResult {
  Rigid3d world_from_rig;  // rig = the cameras' current frame
  double rms_px = 0.0;     // of the floor views after the board pose solve
  int views_used = 0;
};

// `views` hold the floor board as each camera sees it (frame ignored).
// Throws hl::Error("--floor", ...) when no camera sees the board.
FloorBoardResult WorldFromFloorBoard(const Board& board, const std::vector<RigView>& views,
                                     const std::vector<Camera>& cameras);

// cam_from_world <- cam_from_world * world_from_rig^-1 for every camera.
void ApplyWorldFrame(const Rigid3d& world_from_rig, std::vector<Camera>* cameras);

}  // namespace hl
