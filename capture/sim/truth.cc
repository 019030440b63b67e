#include "capture/sim/truth.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace hl::sim {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

constexpr double kRadToDeg = 180.0 / M_PI;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double DistanceToLine(const Vector3d& p, const Vector3d& origin, const Vector3d& dir) {
  const Vector3d d = p - origin;
  return (d - d.dot(dir) * dir).norm();
}

// The line a measure of "the trunk" uses: the dowel when held, else the thorax.
Vector3d TrunkDirection(const PosedBody& posed) {
  const Rigid3d& frame = posed.props.dowel ? posed.props.world_from_dowel : posed.frames.thorax;
  return frame.RotationMatrix().col(2);
}

struct DowelGaps {
  double sacrum, thorax, head;
};

DowelGaps Gaps(const PosedBody& posed, const Anthropometry& body) {
  const BodyLandmarks l = Landmarks(posed.frames, body);
  const Vector3d o = posed.props.world_from_dowel.translation;
  const Vector3d d = posed.props.world_from_dowel.RotationMatrix().col(2);
  return {DistanceToLine(l.sacrum, o, d), DistanceToLine(l.thoracic_contact, o, d),
          DistanceToLine(l.occiput, o, d)};
}

double Angle(const Vector3d& a, const Vector3d& b) {
  return std::atan2(a.cross(b).norm(), a.dot(b)) * kRadToDeg;
}

}  // namespace

TrueMeasures MeasureFrame(const PosedBody& now, const PosedBody& first, const Anthropometry& b,
                          const MountOptions& mounts, double phase, double target_gap_m) {
  TrueMeasures m;
  m.phase = phase;
  const BodyLandmarks l = Landmarks(now.frames, b);
  const BodyLandmarks l0 = Landmarks(first.frames, b);
  if (now.props.dowel) {
    // The static trial: the neutral pose holding the dowel.
    PosedBody neutral;
    neutral.frames = ForwardKinematics(Pose{}, b);
    neutral.props.dowel = true;
    neutral.props.world_from_dowel = DowelInWorld(neutral.frames, b, mounts);
    const DowelGaps g = Gaps(now, b), g0 = Gaps(neutral, b);
    m.dowel_gap_sacrum_m = g.sacrum - g0.sacrum;
    m.dowel_gap_thorax_m = g.thorax - g0.thorax;
    m.dowel_gap_head_m = g.head - g0.head;
  } else {
    m.dowel_gap_sacrum_m = m.dowel_gap_thorax_m = m.dowel_gap_head_m = kNaN;
  }
  m.hip_back_m = -(l.sacrum.x() - l0.sacrum.x());
  m.hip_down_m = -(l.sacrum.z() - l0.sacrum.z());
  m.knee_forward_l_m = l.knee[kLeft].x() - l0.knee[kLeft].x();
  m.knee_forward_r_m = l.knee[kRight].x() - l0.knee[kRight].x();
  const Vector3d trunk = TrunkDirection(now);
  m.trunk_inclination_deg = Angle(trunk, Vector3d::UnitZ());
  const Matrix3d pelvis = now.frames.pelvis.RotationMatrix();
  const Vector3d trunk_in_pelvis = pelvis.transpose() * trunk;
  m.back_flexion_deg = std::atan2(trunk_in_pelvis.x(), trunk_in_pelvis.z()) * kRadToDeg;
  for (int s = 0; s < 2; ++s) {
    const Vector3d thigh = pelvis.transpose() * now.frames.thigh[s].RotationMatrix().col(2);
    const double flex = std::atan2(-thigh.x(), thigh.z()) * kRadToDeg;
    (s == kLeft ? m.hip_flexion_l_deg : m.hip_flexion_r_deg) = flex;
  }
  // pelvis = Ry(t) Rz(r) Rx(f): R(1,0) = sin r, R(2,0) = -sin t cos r,
  // R(0,0) = cos t cos r, R(1,2) = -cos r sin f, R(1,1) = cos r cos f.
  m.pelvis_tilt_deg = std::atan2(-pelvis(2, 0), pelvis(0, 0)) * kRadToDeg;
  m.pelvis_rotation_deg = std::asin(std::clamp(pelvis(1, 0), -1.0, 1.0)) * kRadToDeg;
  m.pelvis_drop_deg = -std::atan2(-pelvis(1, 2), pelvis(1, 1)) * kRadToDeg;
  if (now.props.bar != Props::Bar::kNone) {
    m.bar_height_m = now.props.world_from_bar.translation.z();
    m.bar_to_knee_m = m.bar_height_m - 0.5 * (l.knee[kLeft].z() + l.knee[kRight].z());
  } else {
    m.bar_height_m = m.bar_to_knee_m = kNaN;
  }
  m.target_gap_m = target_gap_m;
  return m;
}

double WallGap(const PosedBody& posed, const Anthropometry& body, double wall_x) {
  double back = std::numeric_limits<double>::infinity();
  for (int s = 0; s < 2; ++s) {
    const Capsule g = Glute(posed.frames, body, static_cast<Side>(s));
    back = std::min(back, std::min(g.a.x(), g.b.x()) - g.radius_m);
  }
  return back - wall_x;
}

double BoxGap(const PosedBody& posed, const Anthropometry& body, double box_z) {
  double low = std::numeric_limits<double>::infinity();
  for (int s = 0; s < 2; ++s) {
    const Capsule g = Glute(posed.frames, body, static_cast<Side>(s));
    low = std::min(low, std::min(g.a.z(), g.b.z()) - g.radius_m);
  }
  return low - box_z;
}

std::vector<std::string> TruthLabels(const std::vector<MarkerInstance>& markers,
                                     const Props& props) {
  std::vector<std::string> labels;
  for (const auto& m : markers) labels.push_back("M" + std::to_string(m.id));
  for (const char* l : {"SACRUM", "HIP_L", "HIP_R", "KNEE_L", "KNEE_R", "ANKLE_L", "ANKLE_R",
                        "HEEL_L", "HEEL_R", "TOE_L", "TOE_R", "THORAX", "HEAD", "C7"}) {
    labels.push_back(l);
  }
  if (props.dowel) {
    labels.push_back("DOWEL_TOP");
    labels.push_back("DOWEL_BOTTOM");
  }
  if (props.bar != Props::Bar::kNone) labels.push_back("BAR");
  return labels;
}

void FillTruthFrame(const PosedBody& posed, const std::vector<MarkerInstance>& markers,
                    const Anthropometry& body, const MountOptions& mounts, int frame,
                    Trajectories* truth) {
  std::vector<Vector3d> points;
  for (const auto& m : markers) points.push_back(m.world_from_marker.translation);
  const BodyLandmarks l = Landmarks(posed.frames, body);
  for (const Vector3d& p : {l.sacrum, l.hip[kLeft], l.hip[kRight], l.knee[kLeft], l.knee[kRight],
                            l.ankle[kLeft], l.ankle[kRight], l.heel[kLeft], l.heel[kRight],
                            l.toe[kLeft], l.toe[kRight], l.thoracic_contact, l.occiput, l.c7}) {
    points.push_back(p);
  }
  if (posed.props.dowel) {
    points.push_back(posed.props.world_from_dowel * Vector3d(0, 0, mounts.dowel_length_m));
    points.push_back(posed.props.world_from_dowel.translation);
  }
  if (posed.props.bar != Props::Bar::kNone) points.push_back(posed.props.world_from_bar.translation);
  HL_CHECK(static_cast<int>(points.size()) == truth->num_labels());
  Sample* row = truth->row(frame);
  for (size_t i = 0; i < points.size(); ++i) {
    row[i].position_m = points[i];
    row[i].residual_px = 0.0f;
    row[i].n_cameras = 0;
  }
}

}  // namespace hl::sim
