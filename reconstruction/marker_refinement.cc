#include "reconstruction/marker_refinement.h"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include <ceres/ceres.h>
#include <opencv2/calib3d.hpp>

#include "core/error.h"
#include "reconstruction/marker_cost_functions.h"
#include "reconstruction/triangulation.h"

namespace hl {

std::array<Eigen::Vector3d, 4> RigidBodyLayout::CornersInSegment(int k) const {
  std::array<Eigen::Vector3d, 4> out;
  for (int i = 0; i < 4; ++i) out[i] = segment_from_marker[k] * MarkerCorner(i, length_m[k]);
  return out;
}

RigidBodyLayout RigidBodyLayout::Single(int id, double length_m, const std::string& segment) {
  RigidBodyLayout layout;
  layout.segment = segment;
  layout.ids = {id};
  layout.length_m = {length_m};
  layout.segment_from_marker = {Rigid3d()};
  return layout;
}

bool RefinementOptions::Check() const {
  return huber_px > 0 && max_iterations > 0 && min_cameras >= 1 && max_view_rms_px > 0 &&
         max_rms_px > 0 && triangulation_max_px > 0;
}

namespace {

struct ViewRef {
  int k = -1;  // marker index in the layout
  const MarkerView* view = nullptr;
};

std::vector<ViewRef> CollectViews(const RigidBodyLayout& layout, const FrameObservations& frame,
                                  int num_cameras) {
  std::vector<ViewRef> views;
  for (int k = 0; k < layout.size(); ++k) {
    auto it = frame.find(layout.ids[k]);
    if (it == frame.end()) continue;
    for (const MarkerView& v : it->second) {
      if (v.camera >= 0 && v.camera < num_cameras) views.push_back({k, &v});
    }
  }
  return views;
}

int DistinctCameras(const std::vector<ViewRef>& views) {
  std::set<int> cams;
  for (const auto& v : views) cams.insert(v.view->camera);
  return static_cast<int>(cams.size());
}

// Sum of squared pixel residuals of one view (4 corners); inf behind a camera.
double ViewSquaredError(const FixedCamera& cam, const std::array<Eigen::Vector3d, 4>& corners,
                        const Rigid3d& world_from_segment, const MarkerView& view) {
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double r[2];
    if (!cam.Residual<double>(world_from_segment * corners[i], view.corners_px[i], r)) {
      return std::numeric_limits<double>::infinity();
    }
    sum += r[0] * r[0] + r[1] * r[1];
  }
  return sum;
}

void SolveWithCeres(const std::vector<FixedCamera>& cams, const RigidBodyLayout& layout,
                    const std::vector<ViewRef>& views, const RefinementOptions& options,
                    Rigid3d* world_from_segment) {
  std::array<double, kPoseBlockSize> block = PackPose(*world_from_segment);
  ceres::Problem problem;
  problem.AddParameterBlock(block.data(), kPoseBlockSize, new PoseManifold());
  // One loss object shared by every residual; the problem deletes it once.
  ceres::LossFunction* loss = new ceres::HuberLoss(options.huber_px);
  for (const ViewRef& v : views) {
    const auto corners = layout.CornersInSegment(v.k);
    for (int i = 0; i < 4; ++i) {
      problem.AddResidualBlock(
          RigidCornerError::Create(cams[v.view->camera], corners[i], v.view->corners_px[i]), loss,
          block.data());
    }
  }
  ceres::Solver::Options solver;
  solver.linear_solver_type = ceres::DENSE_QR;
  solver.max_num_iterations = options.max_iterations;
  solver.logging_type = ceres::SILENT;
  solver.minimizer_progress_to_stdout = false;
  solver.num_threads = 1;
  solver.function_tolerance = 1e-10;
  solver.parameter_tolerance = 1e-10;
  ceres::Solver::Summary summary;
  ceres::Solve(solver, &problem, &summary);
  const Rigid3d solved = UnpackPose(block);
  if (solved.translation.allFinite() && solved.rotation.coeffs().allFinite()) {
    *world_from_segment = solved;
  }
}

// The same minimization without a ceres::Problem: Levenberg-Marquardt with
// Huber weights (IRLS) on the pose manifold, Jacobians of RigidCornerError by
// Ceres' Jets. A Problem's set-up (cost objects, program, evaluator, linear
// solver) costs more than the whole solve for a body of a few dozen corners.
void SolveWithLm(const std::vector<FixedCamera>& cams, const RigidBodyLayout& layout,
                 const std::vector<ViewRef>& views, const RefinementOptions& options,
                 Rigid3d* world_from_segment) {
  using Jet = ceres::Jet<double, kPoseBlockSize>;
  std::vector<RigidCornerError> functors;
  functors.reserve(views.size() * 4);
  for (const ViewRef& v : views) {
    const auto corners = layout.CornersInSegment(v.k);
    for (int i = 0; i < 4; ++i) functors.emplace_back(cams[v.view->camera], corners[i], v.view->corners_px[i]);
  }
  const PoseManifold manifold;
  std::array<double, kPoseBlockSize> x = PackPose(*world_from_segment);
  const double huber2 = options.huber_px * options.huber_px;
  // Robust cost and, when asked, the normal equations in the 6-D tangent space.
  auto evaluate = [&](const std::array<double, kPoseBlockSize>& at, Eigen::Matrix<double, 6, 6>* H,
                      Eigen::Matrix<double, 6, 1>* g) {
    double cost = 0;
    Eigen::Matrix<double, kPoseBlockSize, 6, Eigen::RowMajor> plus_jacobian;
    if (H) {
      manifold.PlusJacobian(at.data(), plus_jacobian.data());
      H->setZero();
      g->setZero();
    }
    std::array<Jet, kPoseBlockSize> jets;
    for (int j = 0; j < kPoseBlockSize; ++j) jets[j] = Jet(at[j], j);
    for (const RigidCornerError& f : functors) {
      Eigen::Matrix<double, 2, 1> r;
      Eigen::Matrix<double, 2, kPoseBlockSize> J;
      if (H) {
        Jet rj[2];
        if (!f(jets.data(), rj)) return std::numeric_limits<double>::infinity();
        for (int k = 0; k < 2; ++k) {
          r(k) = rj[k].a;
          J.row(k) = rj[k].v.transpose();
        }
      } else if (!f(at.data(), r.data())) {
        return std::numeric_limits<double>::infinity();
      }
      const double s2 = r.squaredNorm();
      // Huber: rho(s) = s below scale^2, 2 scale sqrt(s) - scale^2 above.
      const double weight = s2 <= huber2 ? 1.0 : options.huber_px / std::sqrt(s2);
      cost += s2 <= huber2 ? s2 : 2.0 * options.huber_px * std::sqrt(s2) - huber2;
      if (H) {
        const Eigen::Matrix<double, 2, 6> Jt = J * plus_jacobian;
        H->noalias() += weight * Jt.transpose() * Jt;
        g->noalias() += weight * Jt.transpose() * r;
      }
    }
    return cost;
  };
  double lambda = 1e-4;
  Eigen::Matrix<double, 6, 6> H;
  Eigen::Matrix<double, 6, 1> g;
  double cost = evaluate(x, &H, &g);
  if (!std::isfinite(cost)) return;
  for (int it = 0; it < options.max_iterations; ++it) {
    Eigen::Matrix<double, 6, 6> A = H;
    A.diagonal() += lambda * H.diagonal().cwiseMax(1e-9);
    const Eigen::Matrix<double, 6, 1> delta = A.ldlt().solve(-g);
    if (!delta.allFinite()) break;
    std::array<double, kPoseBlockSize> next;
    manifold.Plus(x.data(), delta.data(), next.data());
    const double next_cost = evaluate(next, nullptr, nullptr);
    if (next_cost < cost) {
      const double gain = cost - next_cost;
      x = next;
      cost = evaluate(x, &H, &g);
      lambda = std::max(1e-9, lambda * 0.1);
      if (gain <= 1e-12 * cost || delta.norm() < 1e-12) break;
    } else {
      lambda *= 10.0;
      if (lambda > 1e8) break;
    }
  }
  const Rigid3d solved = UnpackPose(x);
  if (solved.translation.allFinite() && solved.rotation.coeffs().allFinite()) *world_from_segment = solved;
}

void Solve(const std::vector<FixedCamera>& cams, const RigidBodyLayout& layout,
           const std::vector<ViewRef>& views, const RefinementOptions& options,
           Rigid3d* world_from_segment) {
  if (options.solver == RefinementOptions::Solver::kCeres) {
    SolveWithCeres(cams, layout, views, options, world_from_segment);
  } else {
    SolveWithLm(cams, layout, views, options, world_from_segment);
  }
}

// Fits from `pose`, rejecting bad views; fills *fit. Returns fit->success.
bool FitFrom(const std::vector<FixedCamera>& cams, const RigidBodyLayout& layout,
             std::vector<ViewRef> views, const RefinementOptions& options, Rigid3d pose,
             bool reject, RigidBodyFit* fit) {
  *fit = RigidBodyFit();
  for (int round = 0; round < 3; ++round) {
    if (DistinctCameras(views) < options.min_cameras) return false;
    Solve(cams, layout, views, options, &pose);
    std::vector<ViewRef> kept;
    for (const ViewRef& v : views) {
      const double e = ViewSquaredError(cams[v.view->camera], layout.CornersInSegment(v.k), pose,
                                        *v.view);
      if (std::sqrt(e / 4.0) <= options.max_view_rms_px) kept.push_back(v);
    }
    const int rejected = static_cast<int>(views.size() - kept.size());
    if (rejected == 0) break;
    if (!reject) return false;
    fit->rejected_views += rejected;
    views = std::move(kept);
    if (round == 2) return false;
  }
  if (DistinctCameras(views) < options.min_cameras) return false;

  fit->world_from_segment = pose;
  fit->n_cameras = DistinctCameras(views);
  fit->markers.resize(layout.size());
  std::vector<double> sum(layout.size(), 0.0);
  std::vector<int> n(layout.size(), 0);
  double total = 0;
  for (const ViewRef& v : views) {
    const double e = ViewSquaredError(cams[v.view->camera], layout.CornersInSegment(v.k), pose,
                                      *v.view);
    sum[v.k] += e;
    ++n[v.k];
    total += e;
  }
  for (int k = 0; k < layout.size(); ++k) {
    MarkerFit& m = fit->markers[k];
    m.id = layout.ids[k];
    m.center_in_world = pose * layout.segment_from_marker[k].translation;
    m.n_cameras = n[k];
    m.rms_px = n[k] > 0 ? std::sqrt(sum[k] / (4.0 * n[k])) : -1.0;
  }
  fit->rms_px = std::sqrt(total / (4.0 * static_cast<double>(views.size())));
  fit->success = fit->rms_px <= options.max_rms_px;

  // Position uncertainty of each marker centre: sigma^2 J H^-1 J^T with H the
  // Gauss-Newton information of the pose (tangent space: rotation applied on
  // the left, then translation) and sigma the per-coordinate pixel RMS.
  Eigen::Matrix<double, 6, 6> H = Eigen::Matrix<double, 6, 6>::Zero();
  using Jet = ceres::Jet<double, kPoseBlockSize>;
  const std::array<double, kPoseBlockSize> x = PackPose(pose);
  std::array<Jet, kPoseBlockSize> jets;
  for (int j = 0; j < kPoseBlockSize; ++j) jets[j] = Jet(x[j], j);
  Eigen::Matrix<double, kPoseBlockSize, 6, Eigen::RowMajor> plus_jacobian;
  PoseManifold().PlusJacobian(x.data(), plus_jacobian.data());
  for (const ViewRef& v : views) {
    const auto corners = layout.CornersInSegment(v.k);
    for (int i = 0; i < 4; ++i) {
      Jet r[2];
      if (!RigidCornerError(cams[v.view->camera], corners[i], v.view->corners_px[i])(jets.data(), r)) continue;
      Eigen::Matrix<double, 2, kPoseBlockSize> J;
      J.row(0) = r[0].v.transpose();
      J.row(1) = r[1].v.transpose();
      const Eigen::Matrix<double, 2, 6> Jt = J * plus_jacobian;
      H.noalias() += Jt.transpose() * Jt;
    }
  }
  const double sigma_px = std::max(options.min_sigma_px, fit->rms_px / std::sqrt(2.0));
  const Eigen::FullPivLU<Eigen::Matrix<double, 6, 6>> lu(H);
  for (int k = 0; k < layout.size(); ++k) {
    MarkerFit& m = fit->markers[k];
    if (!lu.isInvertible()) {
      m.sigma_m = std::numeric_limits<double>::infinity();
      continue;
    }
    const Eigen::Vector3d arm = m.center_in_world - pose.translation;
    Eigen::Matrix<double, 3, 6> Jc;
    Jc.leftCols<3>() << 0, arm.z(), -arm.y(), -arm.z(), 0, arm.x(), arm.y(), -arm.x(), 0;
    Jc.rightCols<3>().setIdentity();
    const Eigen::Matrix3d cov = sigma_px * sigma_px * Jc * lu.inverse() * Jc.transpose();
    m.sigma_m = std::sqrt(std::max(0.0, cov.eigenvalues().real().maxCoeff()));
  }
  return fit->success;
}

}  // namespace

bool InitializeRigidBody(const std::vector<Camera>& cameras, const RigidBodyLayout& layout,
                         const FrameObservations& frame, const RefinementOptions& options,
                         Rigid3d* world_from_segment) {
  const std::vector<ViewRef> views = CollectViews(layout, frame, static_cast<int>(cameras.size()));
  if (views.empty()) return false;
  TriangulationOptions tri;
  tri.max_reprojection_px = options.triangulation_max_px;
  tri.refine_iterations = 2;
  std::vector<Eigen::Vector3d> in_segment, in_world;
  for (int k = 0; k < layout.size(); ++k) {
    std::vector<const MarkerView*> mv;
    for (const auto& v : views) {
      if (v.k == k) mv.push_back(v.view);
    }
    if (mv.size() < 2) continue;
    const auto corners = layout.CornersInSegment(k);
    for (int i = 0; i < 4; ++i) {
      std::vector<PointObservation> obs;
      for (const MarkerView* v : mv) obs.push_back({v->camera, v->corners_px[i]});
      const TriangulationResult r = TriangulatePoint(cameras, obs, tri);
      if (!r.success) continue;
      in_segment.push_back(corners[i]);
      in_world.push_back(r.point_in_world);
    }
  }
  if (in_segment.size() >= 3) {
    Eigen::Matrix3Xd src(3, in_segment.size()), dst(3, in_world.size());
    for (size_t j = 0; j < in_segment.size(); ++j) {
      src.col(j) = in_segment[j];
      dst.col(j) = in_world[j];
    }
    const Eigen::Matrix4d T = Eigen::umeyama(src, dst, false);
    if (T.allFinite()) {
      *world_from_segment = Rigid3d(Eigen::Quaterniond(Eigen::Matrix3d(T.topLeftCorner<3, 3>())),
                                    T.topRightCorner<3, 1>());
      return true;
    }
  }
  // Single-camera views only: planar PnP of the largest view.
  const ViewRef* best = nullptr;
  double best_perimeter = 0;
  for (const auto& v : views) {
    double p = 0;
    for (int i = 0; i < 4; ++i) p += (v.view->corners_px[i] - v.view->corners_px[(i + 1) % 4]).norm();
    if (p > best_perimeter) best_perimeter = p, best = &v;
  }
  const Camera& cam = cameras[best->view->camera];
  std::vector<cv::Point3d> object;
  std::vector<cv::Point2d> image;
  for (int i = 0; i < 4; ++i) {
    const Eigen::Vector3d c = MarkerCorner(i, layout.length_m[best->k]);
    object.emplace_back(c.x(), c.y(), c.z());
    image.emplace_back(best->view->corners_px[i].x(), best->view->corners_px[i].y());
  }
  cv::Mat rvec, tvec;
  try {
    if (!cv::solvePnP(object, image, cam.CameraMatrix(), cam.DistCoeffs(), rvec, tvec, false,
                      cv::SOLVEPNP_IPPE_SQUARE)) {
      return false;
    }
  } catch (const cv::Exception&) {
    return false;  // degenerate corners (a collapsed quad)
  }
  const Rigid3d cam_from_marker = Rigid3d::FromRvecTvec(
      Eigen::Vector3d(rvec.at<double>(0), rvec.at<double>(1), rvec.at<double>(2)),
      Eigen::Vector3d(tvec.at<double>(0), tvec.at<double>(1), tvec.at<double>(2)));
  *world_from_segment = cam.cam_from_world.Inverse() * cam_from_marker *
                        layout.segment_from_marker[best->k].Inverse();
  return world_from_segment->translation.allFinite();
}

RigidBodyFit FitRigidBody(const std::vector<Camera>& cameras, const RigidBodyLayout& layout,
                          const FrameObservations& frame, const RefinementOptions& options,
                          const Rigid3d* initial) {
  HL_CHECK(options.Check());
  HL_CHECK(layout.ids.size() == layout.length_m.size() &&
           layout.ids.size() == layout.segment_from_marker.size());
  RigidBodyFit fit;
  const std::vector<ViewRef> views = CollectViews(layout, frame, static_cast<int>(cameras.size()));
  if (DistinctCameras(views) < options.min_cameras) return fit;
  std::vector<FixedCamera> cams;
  cams.reserve(cameras.size());
  for (const Camera& c : cameras) cams.push_back(FixedCamera::From(c));

  // From the previous pose without rejecting anything: any bad view sends
  // the body to the full path, so a wrong start cannot discard good views.
  if (initial != nullptr && FitFrom(cams, layout, views, options, *initial, false, &fit)) return fit;
  Rigid3d start;
  if (!InitializeRigidBody(cameras, layout, frame, options, &start)) return RigidBodyFit();
  FitFrom(cams, layout, views, options, start, true, &fit);
  return fit;
}

}  // namespace hl
