#pragma once

// The simulated calibration take: a ChArUco board waved through the capture
// volume, then laid flat on the floor at the world origin to fix the world
// frame.
//
// While waved, the board's printed face turns towards one camera or between
// two neighbouring ones (so pairs of cameras share views for the extrinsics),
// tilted and rolled at random, its centre anywhere in the volume. The board is
// one-sided, as a real one: cameras behind it see nothing.
//
// On the floor (the last floor_frames frames) its pose is FloorBoardPose():
// board origin (OpenCV's: the top-left chessboard corner as printed) at the
// world origin, board x along world +X, printed face up (+Z). OpenCV's board
// y runs down the printed columns and its z into the print, so board y is
// world -Y and board z world -Z there.

#include <cstdint>
#include <vector>

#include "capture/sim/scene.h"
#include "capture/sim/textures.h"
#include "core/rig.h"

namespace hl::sim {

struct CalibrationSceneOptions {
  // 7 x 5 squares of 10 cm with 7.5 cm DICT_5X5_100 markers: 70 x 50 cm, its
  // squares 40-90 px wide across a 3 m volume at f = 1400 px.
  CharucoBoardSpec board;
  // Frames with the board waved, then frames with it on the floor.
  int frames = 120;
  int floor_frames = 10;
  // A calibration take is a set of stills; a low rate keeps it small.
  double fps = 10.0;
  uint64_t seed = 1;
  // A new random waypoint every this many frames; poses between waypoints
  // are interpolated smoothly, as a hand moves.
  int keyframe_interval = 4;
  // Range of the board centre: |X|, |Y| <= half_extent_xy_m, Z in
  // [min_height_m, max_height_m].
  double half_extent_xy_m = 1.0;
  double min_height_m = 0.6;
  double max_height_m = 1.8;
  // Largest angle (degrees) between the face normal and the direction to the
  // camera(s) it turns to, and largest roll away from upright.
  double max_tilt_deg = 35.0;
  double max_roll_deg = 60.0;
  // Fraction of waypoints where the board is held close to one camera, its
  // centre anywhere in that camera's image (up to the margins below), as a
  // person walks the board to each camera: the board then fills the image's
  // edges and corners, which the far views never reach, and pins down the
  // distortion and focal length. Tilted up to close_max_tilt_deg.
  double close_fraction = 0.0;
  double close_min_m = 1.2;  // distance range from the camera
  double close_max_m = 2.0;
  // The board centre's pixel stays this fraction of the image size from the
  // border (so the board is cut off by at most about half).
  double close_margin = 0.12;
  double close_max_tilt_deg = 45.0;
  // Texture resolution (see CharucoBoardTexture).
  int pixels_per_square = 112;

  // Throws hl::Error("calibration scene", ...) naming the bad field.
  void Check() const;
};

// Ground truth of a calibration take.
struct CalibrationTruth {
  CharucoBoardSpec board;
  BoardTexture texture;                 // the printed sheet (size, margin)
  std::vector<Rigid3d> world_from_board;  // per frame, OpenCV's board frame
  int first_floor_frame = 0;            // frames from here on are on the floor
  double fps = 0.0;
};

// The board on the floor at the world origin (see above).
Rigid3d FloorBoardPose();

// Throws hl::Error for an empty rig or bad options.
std::vector<SceneFrame> MakeCalibrationScene(const Rig& rig,
                                             const CalibrationSceneOptions& options,
                                             CalibrationTruth* truth = nullptr);

}  // namespace hl::sim
