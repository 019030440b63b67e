#include "capture/sim/body.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace hl::sim {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

Rigid3d Make(const Matrix3d& r, const Vector3d& t) { return Rigid3d(Eigen::Quaterniond(r), t); }

Rigid3d Child(const Rigid3d& parent, const Vector3d& joint_in_parent, const Matrix3d& rel) {
  return Make(parent.RotationMatrix() * rel, parent * joint_in_parent);
}

Capsule Cap(const Vector3d& a, const Vector3d& b, double r, uint8_t gray) {
  Capsule c;
  c.a = a;
  c.b = b;
  c.radius_m = r;
  c.gray = gray;
  return c;
}

}  // namespace

void Anthropometry::Check() const {
  if (!(height_m >= 1.0 && height_m <= 2.3)) {
    throw Error("anthropometry", "height " + std::to_string(height_m) +
                                     " m is outside 1.0-2.3 m; give a person's standing height");
  }
}

Matrix3d RotX(double a) { return Eigen::AngleAxisd(a, Vector3d::UnitX()).toRotationMatrix(); }
Matrix3d RotY(double a) { return Eigen::AngleAxisd(a, Vector3d::UnitY()).toRotationMatrix(); }
Matrix3d RotZ(double a) { return Eigen::AngleAxisd(a, Vector3d::UnitZ()).toRotationMatrix(); }

Matrix3d PelvisRotation(double tilt, double drop, double rotation) {
  return RotY(tilt) * RotZ(rotation) * RotX(-drop);
}

BodyFrames ForwardKinematics(const Pose& pose, const Anthropometry& b) {
  BodyFrames f;
  f.pelvis = Make(PelvisRotation(pose.pelvis_tilt, pose.pelvis_drop, pose.pelvis_rotation),
                  pose.root_m);
  const Matrix3d half_lumbar = RotY(pose.lumbar_flexion / 2.0);
  f.lumbar_lower = Child(f.pelvis, {-b.m(b.spine_back), 0, b.m(b.pelvis_height)}, half_lumbar);
  f.lumbar_upper = Child(f.lumbar_lower, {0, 0, b.m(b.lumbar_length) / 2.0}, half_lumbar);
  f.thorax = Child(f.lumbar_upper, {0, 0, b.m(b.lumbar_length) / 2.0}, RotY(pose.thoracic_flexion));
  f.head = Child(f.thorax, {0, 0, b.m(b.thorax_length)}, RotY(pose.neck_flexion));
  for (int s = 0; s < 2; ++s) {
    const double side = s == kLeft ? 1.0 : -1.0;
    const Matrix3d hip_rel = RotY(-pose.hip_flexion[s]) * RotX(side * pose.hip_adduction[s]) *
                             RotZ(side * pose.hip_rotation[s]);
    f.thigh[s] = Child(f.pelvis, {0, side * b.m(b.hip_width) / 2.0, 0}, hip_rel);
    f.shank[s] = Child(f.thigh[s], {0, 0, -b.m(b.thigh_length)}, RotY(pose.knee_flexion[s]));
    f.foot[s] = Child(f.shank[s], {0, 0, -b.m(b.shank_length)}, RotY(-pose.ankle_dorsiflexion[s]));
    f.shoulder[s] = f.thorax * Vector3d(0.0, side * b.m(b.shoulder_half_width),
                                        b.m(b.thorax_length) - b.m(b.shoulder_drop));
    f.elbow[s] = f.shoulder[s] - Vector3d(0, 0, b.m(b.upper_arm_length));
    f.hand[s] = f.elbow[s] - Vector3d(0, 0, b.m(b.forearm_length) + b.m(b.grip_length));
  }
  return f;
}

BodyLandmarks Landmarks(const BodyFrames& f, const Anthropometry& b) {
  BodyLandmarks l;
  const double back = -b.m(b.spine_back) - b.m(b.back_surface);
  l.sacrum = f.pelvis * Vector3d(back, 0, b.m(b.sacrum_height));
  l.thoracic_contact = f.thorax * Vector3d(-b.m(b.back_surface), 0, b.m(b.thoracic_contact_height));
  l.occiput = f.head * Vector3d(-b.m(b.back_surface), 0, b.m(b.occiput_height));
  l.c7 = f.head.translation;
  for (int s = 0; s < 2; ++s) {
    l.hip[s] = f.thigh[s].translation;
    l.knee[s] = f.shank[s].translation;
    l.ankle[s] = f.foot[s].translation;
    const double sole = -b.m(b.ankle_height) / 2.0;
    l.heel[s] = f.foot[s] * Vector3d(-0.2 * b.m(b.foot_length), 0, sole);
    l.toe[s] = f.foot[s] * Vector3d(0.8 * b.m(b.foot_length), 0, sole);
  }
  return l;
}

void PlaceArm(Side side, const Vector3d& hand_target, const Vector3d& pole, const Anthropometry& b,
              BodyFrames* f) {
  const Vector3d s = f->shoulder[side];
  const double l1 = b.m(b.upper_arm_length);
  const double l2 = b.m(b.forearm_length) + b.m(b.grip_length);
  Vector3d to_hand = hand_target - s;
  double d = to_hand.norm();
  const Vector3d dir = d > 1e-9 ? Vector3d(to_hand / d) : Vector3d(0, 0, -1);
  // Reach as far as the arm allows; a fully straight arm has no elbow plane.
  d = std::clamp(d, std::abs(l1 - l2) + 1e-6, l1 + l2 - 1e-6);
  const double along = (d * d + l1 * l1 - l2 * l2) / (2.0 * d);
  const double out = std::sqrt(std::max(0.0, l1 * l1 - along * along));
  Vector3d perp = pole - pole.dot(dir) * dir;
  if (perp.norm() < 1e-9) perp = dir.unitOrthogonal();
  perp.normalize();
  f->elbow[side] = s + along * dir + out * perp;
  f->hand[side] = s + d * dir;
}

Capsule Glute(const BodyFrames& f, const Anthropometry& b, Side s) {
  // Behind and below the hip joints, so they stand out behind the sacrum.
  const double side = s == kLeft ? 1.0 : -1.0;
  const double h = b.height_m;
  return Cap(f.pelvis * Vector3d(-0.03 * h, side * 0.035 * h, -0.04 * h),
             f.pelvis * Vector3d(-0.03 * h, side * 0.01 * h, -0.04 * h), b.m(b.glute_radius), 70);
}

std::vector<Capsule> BodyCapsules(const BodyFrames& f, const Anthropometry& b) {
  std::vector<Capsule> c;
  const BodyLandmarks l = Landmarks(f, b);
  const uint8_t skin = 150, cloth = 70, shoe = 40;
  for (int s = 0; s < 2; ++s) {
    c.push_back(Cap(l.heel[s], l.toe[s], b.m(b.foot_radius), shoe));
    c.push_back(Cap(l.ankle[s], l.knee[s], b.m(b.shank_radius), cloth));
    c.push_back(Cap(l.knee[s], l.hip[s], b.m(b.thigh_radius), cloth));
    c.push_back(Cap(f.shoulder[s], f.elbow[s], b.m(b.upper_arm_radius), skin));
    c.push_back(Cap(f.elbow[s], f.hand[s], b.m(b.forearm_radius), skin));
    c.push_back(Cap(f.hand[s], f.hand[s], b.m(b.hand_radius), skin));
    c.push_back(Glute(f, b, static_cast<Side>(s)));
  }
  // Trunk capsules have their back surface on the contact line of the neutral pose.
  const double pelvis_x = -b.m(b.spine_back) - b.m(b.back_surface) + b.m(b.pelvis_radius);
  c.push_back(Cap(f.pelvis * Vector3d(pelvis_x, 0.04 * b.height_m, 0.02 * b.height_m),
                  f.pelvis * Vector3d(pelvis_x, -0.04 * b.height_m, 0.02 * b.height_m),
                  b.m(b.pelvis_radius), cloth));
  const double lumbar_x = -b.m(b.back_surface) + b.m(b.lumbar_radius);
  c.push_back(Cap(f.lumbar_lower * Vector3d(lumbar_x, 0, 0),
                  f.lumbar_upper * Vector3d(lumbar_x, 0, b.m(b.lumbar_length) / 2.0),
                  b.m(b.lumbar_radius), cloth));
  const double thorax_x = -b.m(b.back_surface) + b.m(b.thorax_radius);
  c.push_back(Cap(f.thorax * Vector3d(thorax_x, 0, 0.01 * b.height_m),
                  f.thorax * Vector3d(thorax_x, 0, b.m(b.thorax_length) - b.m(b.thorax_radius)),
                  b.m(b.thorax_radius), cloth));
  c.push_back(Cap(f.shoulder[kLeft], f.shoulder[kRight], b.m(b.upper_arm_radius) * 1.6, cloth));
  const double head_x = -b.m(b.back_surface) + b.m(b.head_radius);
  const double head_low = b.m(b.occiput_height);
  const double head_high = b.m(b.head_neck_length) - b.m(b.head_radius);
  c.push_back(Cap(f.head * Vector3d(0, 0, 0), f.head * Vector3d(head_x / 2.0, 0, head_low),
                  b.m(b.neck_radius), skin));
  c.push_back(Cap(f.head * Vector3d(head_x, 0, head_low), f.head * Vector3d(head_x, 0, head_high),
                  b.m(b.head_radius), skin));
  return c;
}

std::array<double, 3> HipAnglesFor(const Matrix3d& world_from_pelvis,
                                   const Matrix3d& world_from_thigh) {
  // rel = Ry(a) Rx(b) Rz(g): rel(1,2) = -sin b, rel(0,2) = cos b sin a,
  // rel(2,2) = cos b cos a, rel(1,0) = cos b sin g, rel(1,1) = cos b cos g.
  const Matrix3d rel = world_from_pelvis.transpose() * world_from_thigh;
  const double beta = std::asin(std::clamp(-rel(1, 2), -1.0, 1.0));
  const double alpha = std::atan2(rel(0, 2), rel(2, 2));
  const double gamma = std::atan2(rel(1, 0), rel(1, 1));
  return {-alpha, beta, gamma};
}

Eigen::Vector3d CenterOfMass(const BodyFrames& f, const Anthropometry& b) {
  // Winter (2009, table 4.1): mass fraction and centre along the segment
  // from its proximal end.
  const BodyLandmarks l = Landmarks(f, b);
  Vector3d sum = Vector3d::Zero();
  double mass = 0.0;
  auto add = [&](double m, const Vector3d& proximal, const Vector3d& distal, double along) {
    sum += m * (proximal + along * (distal - proximal));
    mass += m;
  };
  for (int s = 0; s < 2; ++s) {
    add(0.0145, l.heel[s], l.toe[s], 0.5);
    add(0.0465, l.knee[s], l.ankle[s], 0.433);
    add(0.100, l.hip[s], l.knee[s], 0.433);
    add(0.028, f.shoulder[s], f.elbow[s], 0.436);
    add(0.022, f.elbow[s], f.hand[s], 0.5);
  }
  const Vector3d mid_hip = f.pelvis.translation;
  add(0.142, mid_hip, f.lumbar_lower.translation, 0.5);
  add(0.139, f.lumbar_lower.translation, f.thorax.translation, 0.5);
  add(0.216, f.thorax.translation, f.head.translation, 0.5);
  add(0.081, f.head.translation, f.head * Vector3d(0, 0, b.m(b.head_neck_length)), 0.5);
  return sum / mass;
}

}  // namespace hl::sim
