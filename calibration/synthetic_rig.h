#pragma once

// Synthetic rig calibration data (no rendering): cameras on a ring around a
// capture volume looking at its centre, a board moved through the volume
// facing one camera or another, its corners projected with Gaussian noise,
// and a fraction of views corrupted on purpose. For tests and benchmarks.

#include <cstdint>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "calibration/board.h"
#include "calibration/rig_calibration.h"
#include "core/camera.h"

namespace hl {

struct SyntheticRigOptions {
  int num_cameras = 4;
  int num_frames = 120;        // board placements
  double volume_m = 3.0;       // side of the cubic-ish volume the board moves through
  double ring_radius_m = 4.0;  // horizontal distance of the cameras from the volume centre
  double camera_height_m = 2.2;
  double volume_centre_height_m = 1.0;
  int width = 1280;
  int height = 800;
  double focal_px = 1000.0;
  std::vector<double> dist = {-0.08, 0.05, 0.0005, -0.0003, -0.01};
  double noise_px = 0.2;  // per-coordinate Gaussian sigma
  // Fraction of views corrupted, at most one per frame and only in frames
  // other cameras saw too: half are desynchronised (the board moved 4-8 cm
  // sideways and 2-4 deg before that camera's exposure; only in frames with
  // 3+ views),
  // the rest carry misidentified corners (5-20 px off on a third of them).
  double corrupt_fraction = 0.1;
  double max_view_angle_deg = 70.0;  // a camera sees the board only below this incidence
  int min_corners = 6;
  uint32_t seed = 1;
};

struct SyntheticRig {
  std::vector<Camera> cameras;              // ground truth
  std::vector<Rigid3d> world_from_board;    // per frame, ground truth
  std::vector<RigView> views;               // observations (noisy, some corrupted)
  std::set<std::pair<int, int>> corrupted;  // (camera, frame) of corrupted views
  std::vector<RigView> floor_views;         // the board on the floor at the world origin
};

// Corrupts round(fraction x views) views on purpose, as SyntheticRigOptions::
// corrupt_fraction describes, using the true cameras and board poses (indexed
// by frame); returns the (camera, frame) pairs corrupted.
std::set<std::pair<int, int>> CorruptRigViews(const Board& board,
                                              const std::vector<Camera>& cameras,
                                              const std::vector<Rigid3d>& world_from_board,
                                              double fraction, std::mt19937* rng,
                                              std::vector<RigView>* views);

SyntheticRig SynthesizeRig(const Board& board, const SyntheticRigOptions& options);

// Noise-free projection of the board at `world_from_board` into `camera`;
// only corners in the image and in front, and only when the board faces the
// camera within max_view_angle_deg. Empty otherwise.
RigView ProjectBoard(const Board& board, const Camera& camera, const Rigid3d& world_from_board,
                     double max_view_angle_deg);

}  // namespace hl
