#include "plugins/host/landmark_geometry.h"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>
#include <Eigen/LU>
#include <Eigen/SVD>
#include <algorithm>
#include <bit>
#include <cmath>

#include "core/poly_fit.h"

namespace hl::landmarks {

using Eigen::Matrix3d;
using Eigen::Vector3d;

Track CentreTrack(const Trajectories& t, const std::vector<int>& idx) {
  Track track(t.num_frames());
  for (int f = 0; f < t.num_frames(); ++f) {
    Vector3d sum = Vector3d::Zero();
    bool all = true;
    for (int l : idx) {
      const Sample& s = t.at(f, l);
      all = all && s.valid();
      sum += s.position_m;
    }
    if (all && !idx.empty()) {
      track.p[f] = sum / static_cast<double>(idx.size());
      track.ok[f] = 1;
    }
  }
  return track;
}

std::vector<int> MostSeenSubset(const Trajectories& t, const std::vector<int>& idx) {
  if (idx.size() <= 1 || idx.size() > 8) return idx;
  const uint32_t full = (1u << idx.size()) - 1;
  std::vector<uint32_t> seen_mask(t.num_frames(), 0);
  for (int f = 0; f < t.num_frames(); ++f) {
    for (size_t k = 0; k < idx.size(); ++k) seen_mask[f] |= t.at(f, idx[k]).valid() ? 1u << k : 0u;
  }
  std::vector<int> coverage(full + 1, 0);
  for (uint32_t set = 1; set <= full; ++set) {
    for (uint32_t m : seen_mask) coverage[set] += (m & set) == set;
  }
  const int best = *std::max_element(coverage.begin() + 1, coverage.end());
  uint32_t chosen = full;
  int chosen_size = -1;
  for (uint32_t set = full; set >= 1; --set) {
    const int size = std::popcount(set);
    if (coverage[set] >= 0.95 * best &&
        (size > chosen_size || (size == chosen_size && coverage[set] > coverage[chosen]))) {
      chosen = set, chosen_size = size;
    }
  }
  std::vector<int> out;
  for (size_t k = 0; k < idx.size(); ++k) {
    if (chosen & (1u << k)) out.push_back(idx[k]);
  }
  return out;
}

Vector3d PoseCentre(const Pose& pose, const Trajectories& t, const std::vector<int>& idx) {
  Vector3d sum = Vector3d::Zero();
  for (int l : idx) sum += pose.at(t.labels()[l]);
  return sum / static_cast<double>(idx.size());
}

bool FitLine(const std::vector<Vector3d>& pts, Vector3d* centre, Vector3d* dir) {
  if (pts.size() < 2) return false;
  Vector3d c = Vector3d::Zero();
  for (const auto& p : pts) c += p;
  c /= static_cast<double>(pts.size());
  Matrix3d scatter = Matrix3d::Zero();
  for (const auto& p : pts) scatter += (p - c) * (p - c).transpose();
  Eigen::SelfAdjointEigenSolver<Matrix3d> eig(scatter);
  if (eig.eigenvalues()(2) < 1e-8) return false;  // points coincide (< 0.1 mm apart)
  *centre = c;
  *dir = eig.eigenvectors().col(2).normalized();
  return true;
}

double DistanceToLine(const Vector3d& p, const Vector3d& centre, const Vector3d& dir) {
  const Vector3d d = p - centre;
  return (d - d.dot(dir) * dir).norm();
}

double AngleBetween(const Vector3d& a, const Vector3d& b) {
  return std::atan2(a.cross(b).norm(), a.dot(b));
}

bool OffOneLine(const std::vector<Vector3d>& pts) {
  if (pts.size() < 3) return false;
  Vector3d c = Vector3d::Zero();
  for (const auto& p : pts) c += p;
  c /= static_cast<double>(pts.size());
  Matrix3d scatter = Matrix3d::Zero();
  for (const auto& p : pts) scatter += (p - c) * (p - c).transpose();
  const Eigen::Vector3d ev = Eigen::SelfAdjointEigenSolver<Matrix3d>(scatter).eigenvalues();
  return ev(1) / static_cast<double>(pts.size()) > 1e-4;  // spread across the line > 1 cm rms
}

Matrix3d RigidRotation(const std::vector<Vector3d>& ref, const std::vector<Vector3d>& cur) {
  if (ref.size() < 2) return Matrix3d::Identity();  // one marker carries position only
  Vector3d cr = Vector3d::Zero(), cc = Vector3d::Zero();
  for (size_t i = 0; i < ref.size(); ++i) {
    cr += ref[i];
    cc += cur[i];
  }
  cr /= static_cast<double>(ref.size());
  cc /= static_cast<double>(cur.size());
  Matrix3d h = Matrix3d::Zero();
  for (size_t i = 0; i < ref.size(); ++i) h += (ref[i] - cr) * (cur[i] - cc).transpose();
  Eigen::JacobiSVD<Matrix3d> svd(h, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const Eigen::Vector3d s = svd.singularValues();
  if (ref.size() >= 3 && s(1) > 1e-3 * s(0)) {
    Matrix3d d = Matrix3d::Identity();
    d(2, 2) = (svd.matrixV() * svd.matrixU().transpose()).determinant() < 0 ? -1.0 : 1.0;
    return svd.matrixV() * d * svd.matrixU().transpose();
  }
  // The two markers furthest apart define an axis.
  size_t a = 0, b = 1;
  double best = -1;
  for (size_t i = 0; i < ref.size(); ++i) {
    for (size_t j = i + 1; j < ref.size(); ++j) {
      if ((ref[i] - ref[j]).norm() > best) best = (ref[i] - ref[j]).norm(), a = i, b = j;
    }
  }
  return Eigen::Quaterniond::FromTwoVectors(ref[b] - ref[a], cur[b] - cur[a]).toRotationMatrix();
}

Vector3d Centroid(const std::vector<Vector3d>& pts) {
  Vector3d sum = Vector3d::Zero();
  for (const auto& p : pts) sum += p;
  return pts.empty() ? sum : Vector3d(sum / static_cast<double>(pts.size()));
}

RigidMotion FitRigidMotion(const std::vector<Vector3d>& ref, const std::vector<Vector3d>& cur) {
  return RigidMotion{Centroid(ref), Centroid(cur), RigidRotation(ref, cur)};
}

void SeenMarkers(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                 std::vector<Vector3d>* ref_pts, std::vector<Vector3d>* cur_pts) {
  ref_pts->clear();
  cur_pts->clear();
  for (int l : idx) {
    const Sample& s = t.at(f, l);
    const auto it = ref.find(t.labels()[l]);
    if (!s.valid() || it == ref.end()) continue;
    ref_pts->push_back(it->second);
    cur_pts->push_back(s.position_m);
  }
}

bool CarryPoint(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                const Vector3d& point_ref, size_t min_markers, bool all, Vector3d* out) {
  std::vector<Vector3d> r, c;
  SeenMarkers(t, f, idx, ref, &r, &c);
  if (all && r.size() < idx.size()) return false;
  if (r.size() < std::max<size_t>(1, min_markers)) return false;
  if (min_markers >= 3 && !OffOneLine(r)) return false;  // a turn about the line is hidden
  *out = FitRigidMotion(r, c).ToFrame(point_ref);
  return true;
}

bool CarryPointHeld(const Trajectories& t, int f, const std::vector<int>& idx, const Pose& ref,
                    const Vector3d& point_ref, Matrix3d* rotation, bool* have_rotation,
                    Vector3d* out) {
  std::vector<Vector3d> r, c;
  SeenMarkers(t, f, idx, ref, &r, &c);
  if (r.size() < 2) return false;
  RigidMotion motion = FitRigidMotion(r, c);
  if (r.size() >= 3 && OffOneLine(r)) {
    *rotation = motion.rotation;
    *have_rotation = true;
  } else if (*have_rotation) {
    size_t a = 0, b = 1;
    double best = -1;
    for (size_t i = 0; i < r.size(); ++i) {
      for (size_t j = i + 1; j < r.size(); ++j) {
        if ((r[i] - r[j]).norm() > best) best = (r[i] - r[j]).norm(), a = i, b = j;
      }
    }
    const Vector3d line_before = *rotation * (r[b] - r[a]);
    motion.rotation =
        Eigen::Quaterniond::FromTwoVectors(line_before, c[b] - c[a]).toRotationMatrix() *
        *rotation;
  }
  *out = motion.ToFrame(point_ref);
  return true;
}

bool MeanOfLabel(const Trajectories& t, const char* label, Vector3d* out) {
  const int l = t.LabelIndex(label);
  if (l < 0) return false;
  Vector3d sum = Vector3d::Zero();
  int n = 0;
  for (int f = 0; f < t.num_frames(); ++f) {
    if (t.at(f, l).valid()) sum += t.at(f, l).position_m, ++n;
  }
  if (n == 0) return false;
  *out = sum / n;
  return true;
}

Pose MeanPose(const Trajectories& t, int begin, int end, const std::vector<std::string>& labels) {
  Pose pose;
  for (const auto& label : labels) {
    const int l = t.LabelIndex(label);
    Vector3d sum = Vector3d::Zero();
    int n = 0;
    for (int f = begin; l >= 0 && f < end; ++f) {
      if (t.at(f, l).valid()) sum += t.at(f, l).position_m, ++n;
    }
    if (n > 0) pose[label] = sum / n;
  }
  return pose;
}

bool StartOf(const Track& t, int window, Vector3d* out) {
  int first = -1;
  for (size_t f = 0; f < t.ok.size() && first < 0; ++f) first = t.ok[f] ? static_cast<int>(f) : -1;
  if (first < 0) return false;
  Eigen::Matrix3d ata = Eigen::Matrix3d::Zero();
  Eigen::Matrix3d atb = Eigen::Matrix3d::Zero();  // column per coordinate
  Vector3d sum = Vector3d::Zero();
  int n = 0;
  for (int f = first; f < first + window && f < static_cast<int>(t.ok.size()); ++f) {
    if (!t.ok[f]) continue;
    const double x = f - first;
    const Vector3d basis(1.0, x, x * x);
    ata += basis * basis.transpose();
    atb += basis * t.p[f].transpose();
    sum += t.p[f], ++n;
  }
  *out = sum / n;
  if (n >= 6) {
    const Eigen::Matrix3d coef = ata.ldlt().solve(atb);
    if (coef.allFinite()) *out = coef.row(0).transpose();
  }
  return true;
}

Track RobustSmooth(const Track& t, const SmoothOptions& options) {
  Track out = t;
  const int n = static_cast<int>(t.ok.size());
  const int h = std::max(1, options.half_window);
  std::vector<double> x, w, r;
  std::vector<Vector3d> p;
  for (int f = 0; f < n; ++f) {
    if (!t.ok[f]) continue;
    x.clear(), p.clear();
    // Near the ends the window shifts to stay 2h + 1 frames long.
    const int first = std::max(0, std::min(f - h, n - 1 - 2 * h));
    for (int k = first; k <= std::min(n - 1, first + 2 * h); ++k) {
      if (t.ok[k]) x.push_back(k - f), p.push_back(t.p[k]);
    }
    if (static_cast<int>(x.size()) < std::max(4, options.min_samples)) continue;
    w.assign(x.size(), 1.0);
    r.assign(x.size(), 0.0);
    Vector3d at_f = t.p[f];
    for (int it = 0; it <= options.iterations; ++it) {
      PolyFit3<2> fit;
      for (size_t i = 0; i < x.size(); ++i) fit.Add(x[i], p[i], w[i]);
      const Eigen::FullPivLU<Matrix3d> lu(fit.normal());
      if (!lu.isInvertible()) break;
      const Matrix3d coef = lu.solve(fit.rhs());
      at_f = coef.row(0).transpose();
      if (it == options.iterations) break;
      // Residuals as if each sample were left out, in units of their own
      // spread (studentized: divided by sqrt(1 - leverage)): a jump at the
      // window's edge bends the curve onto itself, while a quadratic's value
      // at its window's edge (a take's last frame, leverage 0.8) is uncertain
      // by itself; dividing by 1 - leverage there dropped the frame's own
      // sample and extrapolated from a tilted neighbour (scoring_bench
      // foam_roller seed 3, last frame: 4.5 mm off, its sample 1.5 mm).
      const Matrix3d inv = lu.inverse();
      for (size_t i = 0; i < x.size(); ++i) {
        const Vector3d basis = PolyFit3<2>::BasisAt(x[i]);
        const double leverage = w[i] * basis.dot(inv * basis);
        r[i] = (p[i] - coef.transpose() * basis).norm() /
               std::sqrt(std::max(0.0025, 1.0 - leverage));
      }
      // Huber weights; for the last solve a sample beyond 3 scales is
      // dropped (Huber alone let a 7 mm jump pull its neighbours 0.3 mm),
      // unless that leaves too few for a quadratic.
      int beyond = 0;
      for (size_t i = 0; i < x.size(); ++i) beyond += r[i] > 3.0 * options.huber_m;
      const bool cut = it + 1 == options.iterations && x.size() - beyond >= 4;
      for (size_t i = 0; i < x.size(); ++i) {
        w[i] = r[i] <= options.huber_m ? 1.0 : options.huber_m / r[i];
        if (cut && r[i] > 3.0 * options.huber_m) w[i] = 0.0;
      }
    }
    out.p[f] = at_f;
  }
  return out;
}

}  // namespace hl::landmarks
