#include "calibration/synthetic_rig.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/error.h"

namespace hl {
namespace {

Eigen::Vector3d RandomUnit(std::mt19937* rng) {
  std::normal_distribution<double> n(0.0, 1.0);
  Eigen::Vector3d v(n(*rng), n(*rng), n(*rng));
  return v.normalized();
}

// Camera at `position` looking at `target`, image y pointing down (world Z up).
Rigid3d LookAt(const Eigen::Vector3d& position, const Eigen::Vector3d& target) {
  const Eigen::Vector3d z = (target - position).normalized();
  const Eigen::Vector3d x = z.cross(Eigen::Vector3d::UnitZ()).normalized();
  const Eigen::Vector3d y = z.cross(x);
  Eigen::Matrix3d world_from_cam;
  world_from_cam << x, y, z;
  const Eigen::Matrix3d r = world_from_cam.transpose();
  return Rigid3d(Eigen::Quaterniond(r), -(r * position));
}

void AddNoise(double sigma, std::mt19937* rng, RigView* view) {
  std::normal_distribution<double> n(0.0, sigma);
  for (auto& c : view->corners) c += Eigen::Vector2d(n(*rng), n(*rng));
}

}  // namespace

RigView ProjectBoard(const Board& board, const Camera& camera, const Rigid3d& world_from_board,
                     double max_view_angle_deg) {
  RigView view;
  const Rigid3d cam_from_board = camera.cam_from_world * world_from_board;
  const Eigen::Vector3d centre = cam_from_board * board.CenterInBoard();
  const Eigen::Vector3d face = cam_from_board.rotation * board.BoardFaceNormal();
  // The printed face must look back at the camera (towards -centre).
  const double cos_angle = -face.dot(centre.normalized());
  if (cos_angle < std::cos(max_view_angle_deg * M_PI / 180.0)) return view;
  for (int id = 0; id < board.NumCorners(); ++id) {
    const Eigen::Vector3d p = cam_from_board * board.CornerInBoard(id);
    if (p.z() < 0.1) continue;
    const Eigen::Vector2d px = camera.ImageFromCam(p);
    if (px.x() < 2 || px.y() < 2 || px.x() > camera.width - 3 || px.y() > camera.height - 3)
      continue;
    view.ids.push_back(id);
    view.corners.push_back(px);
  }
  return view;
}

std::set<std::pair<int, int>> CorruptRigViews(const Board& board,
                                              const std::vector<Camera>& cameras,
                                              const std::vector<Rigid3d>& world_from_board,
                                              double fraction, std::mt19937* rng,
                                              std::vector<RigView>* views) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  int num_frames = 0;
  for (const RigView& v : *views) num_frames = std::max(num_frames, v.frame + 1);
  std::set<std::pair<int, int>> corrupted;
  // Only views whose frame other cameras also saw can be told apart from the
  // truth; a desynchronised view needs two witnesses to be outvoted.
  std::vector<int> views_in_frame(num_frames, 0);
  for (const RigView& v : *views) ++views_in_frame[v.frame];
  std::vector<size_t> order;
  for (size_t i = 0; i < views->size(); ++i) {
    if (views_in_frame[(*views)[i].frame] >= 2) order.push_back(i);
  }
  std::shuffle(order.begin(), order.end(), *rng);
  const size_t num_corrupt = std::min(
      order.size(), static_cast<size_t>(std::lround(fraction * views->size())));
  std::vector<int> corrupted_in_frame(num_frames, 0);
  size_t n = 0;
  for (size_t i : order) {
    if (n == num_corrupt) break;
    RigView& v = (*views)[i];
    // At most one corrupted view per frame, so the others can outvote it.
    if (corrupted_in_frame[v.frame]++ > 0) continue;
    ++n;
    if (n % 2 == 0 && views_in_frame[v.frame] >= 3) {
      const Rigid3d& truth = world_from_board[v.frame];
      const Eigen::Quaterniond dq(
          Eigen::AngleAxisd((2.0 + 2.0 * unit(*rng)) * M_PI / 180.0, RandomUnit(rng)));
      // Sideways to this camera's view of the board, as a moving board is.
      const Eigen::Vector3d ray =
          (truth * board.CenterInBoard() - cameras[v.camera].CenterInWorld()).normalized();
      Eigen::Vector3d side = RandomUnit(rng);
      side = (side - side.dot(ray) * ray).normalized();
      const Rigid3d moved(dq * truth.rotation,
                          truth.translation + (0.04 + 0.04 * unit(*rng)) * side);
      // Keep the ids that were seen; project them where the board had moved to.
      const Rigid3d cam_from_board = cameras[v.camera].cam_from_world * moved;
      for (size_t k = 0; k < v.ids.size(); ++k) {
        v.corners[k] =
            cameras[v.camera].ImageFromCam(cam_from_board * board.CornerInBoard(v.ids[k]));
      }
    } else {
      for (size_t k = 0; k < v.corners.size(); k += 3) {
        const double ang = 2.0 * M_PI * unit(*rng);
        v.corners[k] += (5.0 + 15.0 * unit(*rng)) * Eigen::Vector2d(std::cos(ang), std::sin(ang));
      }
    }
    corrupted.insert({v.camera, v.frame});
  }
  return corrupted;
}

SyntheticRig SynthesizeRig(const Board& board, const SyntheticRigOptions& o) {
  HL_CHECK(o.num_cameras >= 1 && o.num_frames >= 1);
  std::mt19937 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  SyntheticRig out;
  const Eigen::Vector3d volume_centre(0, 0, o.volume_centre_height_m);
  for (int k = 0; k < o.num_cameras; ++k) {
    Camera c;
    c.name = "cam" + std::to_string(k);
    c.width = o.width;
    c.height = o.height;
    c.fx = o.focal_px * (1.0 + 0.02 * k);
    c.fy = c.fx * 1.001;
    c.cx = 0.5 * o.width + 3.0 * k;
    c.cy = 0.5 * o.height - 2.0 * k;
    c.dist = o.dist;
    // Two or three cameras sit a quarter turn apart, so they share views.
    const double a = 2.0 * M_PI * k / std::max(o.num_cameras, 4);
    const Eigen::Vector3d position(o.ring_radius_m * std::cos(a), o.ring_radius_m * std::sin(a),
                                   o.camera_height_m + 0.4 * (k % 2));
    c.cam_from_world = LookAt(position, volume_centre);
    out.cameras.push_back(c);
  }

  const double half = 0.5 * o.volume_m;
  for (int f = 0; f < o.num_frames; ++f) {
    const Eigen::Vector3d p(
        -half + o.volume_m * unit(rng), -half + o.volume_m * unit(rng),
        std::max(0.3, o.volume_centre_height_m - 0.6 * half + 1.2 * half * unit(rng)));
    // Face a point between two neighbouring cameras (so both see it), tilted
    // up to 25 deg off it, any in-plane angle.
    const size_t k0 = static_cast<size_t>(f) % out.cameras.size();
    const size_t k1 = (k0 + 1) % out.cameras.size();
    const double w = unit(rng);
    const Eigen::Vector3d target =
        (1.0 - w) * out.cameras[k0].CenterInWorld() + w * out.cameras[k1].CenterInWorld();
    Eigen::Vector3d face = (target - p).normalized();
    const Eigen::Vector3d axis = face.cross(RandomUnit(&rng)).normalized();
    face = Eigen::AngleAxisd(25.0 * M_PI / 180.0 * unit(rng), axis) * face;
    const Eigen::Vector3d z_board = -face;  // board +z points into the print
    Eigen::Vector3d x_board = z_board.cross(RandomUnit(&rng)).normalized();
    const Eigen::Vector3d y_board = z_board.cross(x_board);
    Eigen::Matrix3d r;
    r << x_board, y_board, z_board;
    // Board frames in which z is the face normal's opposite: flip if this
    // board's face normal is +z.
    if (board.BoardFaceNormal().z() > 0) r.col(2) = -r.col(2), r.col(1) = -r.col(1);
    Rigid3d world_from_board(Eigen::Quaterniond(r), Eigen::Vector3d::Zero());
    world_from_board.translation = p - world_from_board.rotation * board.CenterInBoard();
    out.world_from_board.push_back(world_from_board);
    for (int k = 0; k < o.num_cameras; ++k) {
      RigView v = ProjectBoard(board, out.cameras[k], world_from_board, o.max_view_angle_deg);
      if (static_cast<int>(v.ids.size()) < o.min_corners) continue;
      v.camera = k;
      v.frame = f;
      out.views.push_back(std::move(v));
    }
  }

  out.corrupted = CorruptRigViews(board, out.cameras, out.world_from_board, o.corrupt_fraction,
                                  &rng, &out.views);
  for (RigView& v : out.views) AddNoise(o.noise_px, &rng, &v);

  // Board on the floor at the world origin, printed face up.
  Rigid3d world_from_floor(Eigen::Quaterniond(Eigen::AngleAxisd(M_PI, Eigen::Vector3d::UnitX())),
                           Eigen::Vector3d::Zero());
  if (board.BoardFaceNormal().z() > 0) world_from_floor = Rigid3d();
  for (int k = 0; k < o.num_cameras; ++k) {
    RigView v = ProjectBoard(board, out.cameras[k], world_from_floor, 85.0);
    if (static_cast<int>(v.ids.size()) < o.min_corners) continue;
    v.camera = k;
    AddNoise(o.noise_px, &rng, &v);
    out.floor_views.push_back(std::move(v));
  }
  return out;
}

}  // namespace hl
