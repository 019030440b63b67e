#include "capture/sim/calibration_scene.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.h"

namespace hl::sim {
namespace {

constexpr double kDegree = M_PI / 180.0;

struct Waypoint {
  Eigen::Vector3d center_in_world;  // board centre
  Eigen::Quaterniond world_from_board;
};

// World rotation of a board whose printed face looks along `face` (unit),
// upright as seen from there (board y, down the printed columns, towards
// world -Z), then rolled by `roll` about the face normal.
Eigen::Quaterniond BoardFacing(const Eigen::Vector3d& face, double roll) {
  const Eigen::Vector3d z = -face;  // OpenCV's board z points into the print
  Eigen::Vector3d y = -Eigen::Vector3d::UnitZ() + z.z() * z;
  if (y.norm() < 1e-6) y = Eigen::Vector3d::UnitX() - z.x() * z;  // board flat
  y.normalize();
  const Eigen::Vector3d x = y.cross(z);
  Eigen::Matrix3d r;
  r << x, y, z;
  return Eigen::Quaterniond(Eigen::AngleAxisd(roll, z) * r);
}

// Tilts `face` by up to max_tilt_deg about a random perpendicular axis
// (uniform over the disc of directions) and turns it into a board rotation.
Eigen::Quaterniond TiltedBoard(Eigen::Vector3d face, double max_tilt_deg, double max_roll_deg,
                               std::mt19937_64* rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> sym(-1.0, 1.0);
  Eigen::Vector3d axis = face.unitOrthogonal();
  axis = Eigen::AngleAxisd(2 * M_PI * unit(*rng), face) * axis;
  face = Eigen::AngleAxisd(max_tilt_deg * kDegree * std::sqrt(unit(*rng)), axis) * face;
  return BoardFacing(face, max_roll_deg * kDegree * sym(*rng));
}

// The board held close to one camera, its centre on a random pixel.
Waypoint CloseWaypoint(const Rig& rig, const CalibrationSceneOptions& o, std::mt19937_64* rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const int n = static_cast<int>(rig.cameras.size());
  const Camera& camera = rig.cameras[std::min(n - 1, static_cast<int>(unit(*rng) * n))];
  const double m = o.close_margin;
  const Eigen::Vector2d pixel((m + (1 - 2 * m) * unit(*rng)) * camera.width,
                              (m + (1 - 2 * m) * unit(*rng)) * camera.height);
  const double distance = o.close_min_m + (o.close_max_m - o.close_min_m) * unit(*rng);
  Waypoint w;
  w.center_in_world = camera.CenterInWorld() + distance * camera.RayInWorld(pixel).normalized();
  const Eigen::Vector3d face = (camera.CenterInWorld() - w.center_in_world).normalized();
  w.world_from_board = TiltedBoard(face, o.close_max_tilt_deg, o.max_roll_deg, rng);
  return w;
}

Waypoint RandomWaypoint(const Rig& rig, const CalibrationSceneOptions& o, std::mt19937_64* rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::uniform_real_distribution<double> sym(-1.0, 1.0);
  if (o.close_fraction > 0 && unit(*rng) < o.close_fraction) return CloseWaypoint(rig, o, rng);
  Waypoint w;
  w.center_in_world = Eigen::Vector3d(o.half_extent_xy_m * sym(*rng), o.half_extent_xy_m * sym(*rng),
                                      o.min_height_m + (o.max_height_m - o.min_height_m) * unit(*rng));
  // Face one camera, or a point between it and the camera nearest in
  // direction, so neighbouring cameras share views.
  const int n = static_cast<int>(rig.cameras.size());
  const int k = std::min(n - 1, static_cast<int>(unit(*rng) * n));
  auto direction_to = [&](int i) {
    return (rig.cameras[i].CenterInWorld() - w.center_in_world).normalized();
  };
  Eigen::Vector3d face = direction_to(k);
  if (n > 1 && unit(*rng) < 0.6) {
    int best = -1;
    double best_cos = -2;
    for (int i = 0; i < n; ++i) {
      if (i == k) continue;
      const double c = direction_to(i).dot(face);
      if (c > best_cos) best_cos = c, best = i;
    }
    const double blend = 0.25 + 0.5 * unit(*rng);
    face = ((1 - blend) * face + blend * direction_to(best)).normalized();
  }
  w.world_from_board = TiltedBoard(face, o.max_tilt_deg, o.max_roll_deg, rng);
  return w;
}

double SmoothStep(double t) { return t * t * (3 - 2 * t); }

}  // namespace

void CalibrationSceneOptions::Check() const {
  auto fail = [](const std::string& what) { throw Error("calibration scene", what); };
  board.Create();  // throws for a bad board
  if (frames < 0 || floor_frames < 0 || frames + floor_frames == 0) {
    fail("frames and floor_frames must be >= 0 and not both 0");
  }
  if (!(fps > 0)) fail("fps must be > 0");
  if (keyframe_interval < 1) fail("keyframe_interval must be >= 1");
  if (!(half_extent_xy_m >= 0) || !(min_height_m > 0) || !(max_height_m >= min_height_m)) {
    fail("the board's range needs half_extent_xy_m >= 0 and 0 < min_height_m <= max_height_m");
  }
  if (!(max_tilt_deg >= 0 && max_tilt_deg < 90) || !(max_roll_deg >= 0 && max_roll_deg <= 180)) {
    fail("max_tilt_deg must be in [0, 90) and max_roll_deg in [0, 180]");
  }
  if (!(close_fraction >= 0 && close_fraction <= 1) || !(close_min_m > 0) ||
      !(close_max_m >= close_min_m) || !(close_margin >= 0 && close_margin < 0.5) ||
      !(close_max_tilt_deg >= 0 && close_max_tilt_deg < 90)) {
    fail("close views need close_fraction in [0, 1], 0 < close_min_m <= close_max_m, "
         "close_margin in [0, 0.5) and close_max_tilt_deg in [0, 90)");
  }
  if (pixels_per_square < 8 || pixels_per_square > 1024) fail("pixels_per_square must be 8..1024");
}

Rigid3d FloorBoardPose() {
  return Rigid3d(Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitX())),
                 Eigen::Vector3d::Zero());
}

std::vector<SceneFrame> MakeCalibrationScene(const Rig& rig,
                                             const CalibrationSceneOptions& options,
                                             CalibrationTruth* truth) {
  options.Check();
  if (rig.cameras.empty()) {
    throw Error("calibration scene", "the rig has no cameras; give a rig preset or rig file");
  }
  const BoardTexture texture = CharucoBoardTexture(options.board, options.pixels_per_square);
  const Eigen::Vector3d center_in_board(options.board.squares_x * options.board.square_m / 2,
                                        options.board.squares_y * options.board.square_m / 2, 0);
  std::mt19937_64 rng(options.seed);
  const int num_waypoints = options.frames / options.keyframe_interval + 2;
  std::vector<Waypoint> waypoints;
  for (int i = 0; i < num_waypoints; ++i) waypoints.push_back(RandomWaypoint(rig, options, &rng));

  std::vector<Rigid3d> poses;
  for (int f = 0; f < options.frames; ++f) {
    const int k = f / options.keyframe_interval;
    const double t =
        SmoothStep(static_cast<double>(f % options.keyframe_interval) / options.keyframe_interval);
    const Waypoint& a = waypoints[k];
    const Waypoint& b = waypoints[k + 1];
    const Eigen::Quaterniond rotation = a.world_from_board.slerp(t, b.world_from_board);
    const Eigen::Vector3d center = (1 - t) * a.center_in_world + t * b.center_in_world;
    poses.emplace_back(rotation, center - rotation * center_in_board);
  }
  for (int f = 0; f < options.floor_frames; ++f) poses.push_back(FloorBoardPose());

  std::vector<SceneFrame> frames;
  for (size_t f = 0; f < poses.size(); ++f) {
    SceneFrame frame;
    frame.time_s = static_cast<double>(f) / options.fps;
    TexturedQuad quad;
    quad.texture = texture.texture;
    quad.width_m = texture.width_m;
    quad.height_m = texture.height_m;
    quad.world_from_quad = poses[f] * texture.board_from_quad;
    frame.quads.push_back(quad);
    frames.push_back(std::move(frame));
  }
  if (truth != nullptr) {
    truth->board = options.board;
    truth->texture = texture;
    truth->world_from_board = poses;
    truth->first_floor_frame = options.frames;
    truth->fps = options.fps;
  }
  return frames;
}

}  // namespace hl::sim
