#include "calibration/rig_initialization.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "core/error.h"

namespace hl {
namespace {

double PoseDistance(const Rigid3d& a, const Rigid3d& b) {
  // Radians plus metres: both are small near agreement, and a wrong view is
  // off by much more than either.
  return a.rotation.angularDistance(b.rotation) + (a.translation - b.translation).norm();
}

// The estimate with the least summed distance to the others.
Rigid3d Medoid(const std::vector<Rigid3d>& estimates) {
  HL_CHECK(!estimates.empty());
  size_t best = 0;
  double best_cost = std::numeric_limits<double>::infinity();
  for (size_t i = 0; i < estimates.size(); ++i) {
    double cost = 0;
    for (size_t j = 0; j < estimates.size(); ++j) cost += PoseDistance(estimates[i], estimates[j]);
    if (cost < best_cost) best_cost = cost, best = i;
  }
  return estimates[best];
}

std::string NameList(const std::vector<Camera>& cameras, const std::vector<int>& ids) {
  std::string out;
  for (int i : ids) out += (out.empty() ? "" : ", ") + cameras[i].name;
  return out;
}

}  // namespace

std::vector<std::optional<Rigid3d>> EstimateViewPoses(const Board& board,
                                                      const std::vector<RigView>& views,
                                                      const std::vector<Camera>& cameras) {
  std::vector<std::optional<Rigid3d>> poses(views.size());
  for (size_t i = 0; i < views.size(); ++i) {
    BoardView bv;
    bv.ids = views[i].ids;
    bv.corners = views[i].corners;
    Rigid3d cam_from_board;
    if (board.EstimatePose(bv, cameras.at(views[i].camera), &cam_from_board)) {
      poses[i] = cam_from_board;
    }
  }
  return poses;
}

Eigen::MatrixXi CoObservations(const std::vector<RigView>& views,
                               const std::vector<std::optional<Rigid3d>>& poses, int num_cameras) {
  std::map<int, std::vector<int>> cameras_in_frame;
  for (size_t i = 0; i < views.size(); ++i) {
    if (poses[i]) cameras_in_frame[views[i].frame].push_back(views[i].camera);
  }
  Eigen::MatrixXi co = Eigen::MatrixXi::Zero(num_cameras, num_cameras);
  for (auto& [frame, cams] : cameras_in_frame) {
    std::sort(cams.begin(), cams.end());
    cams.erase(std::unique(cams.begin(), cams.end()), cams.end());
    for (size_t a = 0; a < cams.size(); ++a) {
      for (size_t b = a + 1; b < cams.size(); ++b) {
        ++co(cams[a], cams[b]);
        ++co(cams[b], cams[a]);
      }
    }
  }
  return co;
}

void InitializeCameraPoses(const std::vector<RigView>& views,
                           const std::vector<std::optional<Rigid3d>>& poses,
                           std::vector<Camera>* cameras) {
  const int n = static_cast<int>(cameras->size());
  const Eigen::MatrixXi co = CoObservations(views, poses, n);
  // Prim's maximum spanning tree from camera 0.
  std::vector<int> parent(n, -1);
  std::vector<bool> in_tree(n, false);
  std::vector<int> order = {0};
  in_tree[0] = true;
  while (true) {
    int best_child = -1, best_parent = -1, best_weight = 0;
    for (int p : order) {
      for (int c = 0; c < n; ++c) {
        if (!in_tree[c] && co(p, c) > best_weight)
          best_weight = co(p, c), best_child = c, best_parent = p;
      }
    }
    if (best_child < 0) break;
    in_tree[best_child] = true;
    parent[best_child] = best_parent;
    order.push_back(best_child);
  }
  if (static_cast<int>(order.size()) < n) {
    std::vector<int> seen_by;
    for (size_t i = 0; i < views.size(); ++i) {
      if (poses[i]) seen_by.push_back(views[i].camera);
    }
    std::vector<int> blind, apart;
    for (int c = 0; c < n; ++c) {
      if (in_tree[c]) continue;
      (std::count(seen_by.begin(), seen_by.end(), c) == 0 ? blind : apart).push_back(c);
    }
    std::vector<int> connected = order;
    std::sort(connected.begin(), connected.end());
    std::ostringstream s;
    if (!apart.empty()) {
      s << "camera(s) " << NameList(*cameras, apart)
        << " never see the board at the same moment as " << NameList(*cameras, connected);
    }
    if (!blind.empty()) {
      s << (apart.empty() ? "" : "; ") << "camera(s) " << NameList(*cameras, blind)
        << " have no usable board view";
    }
    s << ": record the board where these cameras and the others see it together";
    throw Error("rig", s.str());
  }

  (*cameras)[0].cam_from_world = Rigid3d();
  for (size_t k = 1; k < order.size(); ++k) {
    const int c = order[k], p = parent[c];
    std::map<int, Rigid3d> parent_from_board;
    for (size_t i = 0; i < views.size(); ++i) {
      if (poses[i] && views[i].camera == p) parent_from_board[views[i].frame] = *poses[i];
    }
    std::vector<Rigid3d> estimates;
    for (size_t i = 0; i < views.size(); ++i) {
      if (!poses[i] || views[i].camera != c) continue;
      const auto it = parent_from_board.find(views[i].frame);
      if (it != parent_from_board.end()) estimates.push_back(*poses[i] * it->second.Inverse());
    }
    const Rigid3d child_from_parent = Medoid(estimates);
    (*cameras)[c].cam_from_world = child_from_parent * (*cameras)[p].cam_from_world;
  }
}

double ViewRms(const Board& board, const RigView& view, const Camera& camera,
               const Rigid3d& world_from_board) {
  const Rigid3d cam_from_board = camera.cam_from_world * world_from_board;
  double sum = 0;
  for (size_t k = 0; k < view.ids.size(); ++k) {
    const Eigen::Vector3d p = cam_from_board * board.CornerInBoard(view.ids[k]);
    if (p.z() <= 1e-9) return std::numeric_limits<double>::infinity();
    sum += (camera.ImageFromCam(p) - view.corners[k]).squaredNorm();
  }
  return std::sqrt(sum / static_cast<double>(std::max<size_t>(view.ids.size(), 1)));
}

std::map<int, Rigid3d> InitializeBoardPoses(const Board& board, const std::vector<RigView>& views,
                                            const std::vector<std::optional<Rigid3d>>& poses,
                                            const std::vector<Camera>& cameras) {
  std::map<int, std::vector<int>> views_in_frame;
  for (size_t i = 0; i < views.size(); ++i) {
    if (poses[i]) views_in_frame[views[i].frame].push_back(static_cast<int>(i));
  }
  std::map<int, Rigid3d> out;
  for (const auto& [frame, ids] : views_in_frame) {
    double best = std::numeric_limits<double>::infinity();
    for (int i : ids) {
      const Rigid3d candidate = cameras[views[i].camera].cam_from_world.Inverse() * *poses[i];
      std::vector<double> rms;
      for (int j : ids)
        rms.push_back(ViewRms(board, views[j], cameras[views[j].camera], candidate));
      std::nth_element(rms.begin(), rms.begin() + rms.size() / 2, rms.end());
      if (rms[rms.size() / 2] < best || out.count(frame) == 0) {
        best = rms[rms.size() / 2];
        out[frame] = candidate;
      }
    }
  }
  return out;
}

}  // namespace hl
