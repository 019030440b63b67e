#include "reconstruction/segment_layout.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include <ceres/ceres.h>

#include "core/error.h"
#include "reconstruction/marker_cost_functions.h"

namespace hl {

bool LayoutLearningOptions::Check() const {
  return max_frames >= 1 && min_covisible_frames >= 1 && max_marker_rms_px > 0 &&
         max_scan_frames >= 1 && max_iterations >= 1 && refinement.Check();
}

namespace {

// Chordal mean of relative poses (quaternions sign-aligned to the first).
Rigid3d MeanPose(const std::vector<Rigid3d>& poses) {
  Eigen::Vector4d q = Eigen::Vector4d::Zero();
  Eigen::Vector3d t = Eigen::Vector3d::Zero();
  const Eigen::Vector4d q0 = poses.front().rotation.coeffs();
  for (const Rigid3d& p : poses) {
    const Eigen::Vector4d c = p.rotation.coeffs();
    q += c.dot(q0) < 0 ? Eigen::Vector4d(-c) : c;
    t += p.translation;
  }
  return Rigid3d(Eigen::Quaterniond(q(3), q(0), q(1), q(2)).normalized(),
                 t / static_cast<double>(poses.size()));
}

int CamerasSeeing(const FrameObservations& frame, const std::vector<int>& ids) {
  std::set<int> cams;
  for (int id : ids) {
    auto it = frame.find(id);
    if (it == frame.end()) continue;
    for (const auto& v : it->second) cams.insert(v.camera);
  }
  return static_cast<int>(cams.size());
}

// Steps 2 and 3 of the header for one segment; returns the linked layout.
RigidBodyLayout LearnSegment(const std::vector<Camera>& cameras, const MarkerSet& set,
                             const std::string& segment, const std::vector<int>& ids,
                             const std::vector<FrameObservations>& frames,
                             const LayoutLearningOptions& options, LayoutSummary* summary) {
  // 1. Single-marker poses over (a spread of) the take.
  const int n_frames = static_cast<int>(frames.size());
  const int stride = std::max(1, (n_frames + options.max_scan_frames - 1) / options.max_scan_frames);
  std::map<int, std::map<int, Rigid3d>> poses;  // id -> frame -> world_from_marker
  for (int f = 0; f < n_frames; f += stride) {
    for (int id : ids) {
      auto it = frames[f].find(id);
      if (it == frames[f].end() || it->second.size() < 2) continue;
      const RigidBodyLayout single = RigidBodyLayout::Single(id, set.Find(id)->length_m, segment);
      const RigidBodyFit fit = FitRigidBody(cameras, single, frames[f], options.refinement);
      if (fit.success && fit.rms_px <= options.max_marker_rms_px && fit.n_cameras >= 2) {
        poses[id][f] = fit.world_from_segment;
      }
    }
  }
  // 2. Reference and links by co-visibility.
  int reference = -1;
  size_t most = 0;
  for (int id : ids) {
    if (poses[id].size() > most) most = poses[id].size(), reference = id;
  }
  RigidBodyLayout layout;
  layout.segment = segment;
  if (reference < 0) return layout;
  std::map<int, Rigid3d> placed = {{reference, Rigid3d()}};
  bool progress = true;
  while (progress) {
    progress = false;
    int best_k = -1, best_j = -1;
    std::vector<int> best_frames;
    for (int k : ids) {
      if (placed.count(k)) continue;
      for (const auto& [j, unused] : placed) {
        std::vector<int> shared;
        for (const auto& [f, pose] : poses[k]) {
          if (poses[j].count(f)) shared.push_back(f);
        }
        if (shared.size() > best_frames.size()) best_frames = shared, best_k = k, best_j = j;
      }
    }
    if (best_k >= 0 && static_cast<int>(best_frames.size()) >= options.min_covisible_frames) {
      std::vector<Rigid3d> rel;
      for (int f : best_frames) rel.push_back(poses[best_j][f].Inverse() * poses[best_k][f]);
      placed[best_k] = placed[best_j] * MeanPose(rel);
      progress = true;
    }
  }
  for (int id : ids) {
    auto it = placed.find(id);
    if (it == placed.end()) continue;
    layout.ids.push_back(id);
    layout.length_m.push_back(set.Find(id)->length_m);
    layout.segment_from_marker.push_back(it->second);
  }
  summary->segment = segment;
  summary->markers = layout.size();
  if (layout.size() < 2) return layout;

  // 3. Joint adjustment over frames where two or more linked markers are seen.
  std::vector<int> candidates;
  for (int f = 0; f < n_frames; ++f) {
    int seen = 0;
    for (int id : layout.ids) seen += frames[f].count(id) ? 1 : 0;
    if (seen >= 2 && CamerasSeeing(frames[f], layout.ids) >= 2) candidates.push_back(f);
  }
  std::vector<int> chosen;
  const int n_cand = static_cast<int>(candidates.size());
  const int n_take = std::min(n_cand, options.max_frames);
  for (int i = 0; i < n_take; ++i) chosen.push_back(candidates[static_cast<int64_t>(i) * n_cand / n_take]);

  std::vector<std::array<double, kPoseBlockSize>> marker_blocks(layout.size());
  for (int k = 0; k < layout.size(); ++k) marker_blocks[k] = PackPose(layout.segment_from_marker[k]);
  std::vector<std::array<double, kPoseBlockSize>> frame_blocks;
  frame_blocks.reserve(chosen.size());
  std::vector<FixedCamera> cams;
  for (const Camera& c : cameras) cams.push_back(FixedCamera::From(c));

  ceres::Problem problem;
  ceres::LossFunction* loss = new ceres::HuberLoss(options.refinement.huber_px);
  for (int k = 0; k < layout.size(); ++k) {
    problem.AddParameterBlock(marker_blocks[k].data(), kPoseBlockSize, new PoseManifold());
  }
  int residuals = 0;
  for (int f : chosen) {
    Rigid3d start;
    if (!InitializeRigidBody(cameras, layout, frames[f], options.refinement, &start)) continue;
    frame_blocks.push_back(PackPose(start));
    double* fb = frame_blocks.back().data();
    problem.AddParameterBlock(fb, kPoseBlockSize, new PoseManifold());
    for (int k = 0; k < layout.size(); ++k) {
      auto it = frames[f].find(layout.ids[k]);
      if (it == frames[f].end()) continue;
      for (const MarkerView& v : it->second) {
        if (v.camera < 0 || v.camera >= static_cast<int>(cams.size())) continue;
        for (int i = 0; i < 4; ++i) {
          problem.AddResidualBlock(LayoutCornerError::Create(cams[v.camera],
                                                             MarkerCorner(i, layout.length_m[k]),
                                                             v.corners_px[i]),
                                   loss, fb, marker_blocks[k].data());
          ++residuals;
        }
      }
    }
  }
  if (frame_blocks.empty()) return layout;
  const int ref_k = static_cast<int>(std::find(layout.ids.begin(), layout.ids.end(), reference) -
                                     layout.ids.begin());
  problem.SetParameterBlockConstant(marker_blocks[ref_k].data());
  ceres::Solver::Options solver;
  solver.linear_solver_type = ceres::DENSE_SCHUR;
  solver.max_num_iterations = options.max_iterations;
  solver.logging_type = ceres::SILENT;
  solver.num_threads = 2;
  ceres::Solver::Summary result;
  ceres::Solve(solver, &problem, &result);
  if (result.IsSolutionUsable()) {
    for (int k = 0; k < layout.size(); ++k) layout.segment_from_marker[k] = UnpackPose(marker_blocks[k]);
    // Huber-weighted cost back to an RMS in pixels (exact below the Huber scale).
    summary->rms_px = std::sqrt(2.0 * result.final_cost / std::max(1, residuals));
  }
  summary->frames_used = static_cast<int>(frame_blocks.size());
  return layout;
}

}  // namespace

std::vector<RigidBodyLayout> LearnLayouts(const std::vector<Camera>& cameras, const MarkerSet& set,
                                          const std::vector<FrameObservations>& frames,
                                          const LayoutLearningOptions& options,
                                          std::vector<LayoutSummary>* summaries) {
  HL_CHECK(options.Check());
  std::vector<RigidBodyLayout> layouts;
  std::set<int> linked;
  for (const std::string& segment : set.Segments()) {
    const std::vector<int> ids = set.IdsOfSegment(segment);
    if (ids.size() < 2) continue;
    LayoutSummary summary;
    RigidBodyLayout layout = LearnSegment(cameras, set, segment, ids, frames, options, &summary);
    if (layout.size() < 2) continue;
    for (int id : layout.ids) linked.insert(id);
    layouts.push_back(std::move(layout));
    if (summaries) summaries->push_back(summary);
  }
  for (const MarkerSpec& m : set.markers) {
    if (linked.count(m.id) == 0) layouts.push_back(RigidBodyLayout::Single(m.id, m.length_m, m.segment));
  }
  return layouts;
}

}  // namespace hl
