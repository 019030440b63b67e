#include "capture/sim/postures.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>

namespace hl::sim {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

constexpr double kDeg = M_PI / 180.0;

double Wrap(double a) { return std::remainder(a, 2.0 * M_PI); }

// Pitch (rotation about +Y) of a direction in the X-Z plane, as RotY uses it:
// RotY(pitch) * (0, 0, 1) points along `d`.
double PitchOf(double dx, double dz) { return std::atan2(dx, dz); }

double Reach(const Anthropometry& b) {
  return b.m(b.upper_arm_length) + b.m(b.forearm_length) + b.m(b.grip_length);
}

// Joint angles that put the planted leg `s` along the world orientations
// given, under a pelvis of orientation `pelvis`.
void SetLegAngles(Side s, const Matrix3d& pelvis, const Matrix3d& thigh_world, double knee,
                  double ankle, Pose* pose) {
  const auto hip = HipAnglesFor(pelvis, thigh_world);
  const double side = s == kLeft ? 1.0 : -1.0;
  pose->hip_flexion[s] = hip[0];
  pose->hip_adduction[s] = side * hip[1];
  pose->hip_rotation[s] = side * hip[2];
  pose->knee_flexion[s] = knee;
  pose->ankle_dorsiflexion[s] = ankle;
}

Pose StandingPose(const KeyPose& k, const Stage& stage, const Anthropometry& b) {
  Pose pose;
  const double hw = b.m(b.hip_width) / 2.0;
  pose.lumbar_flexion = k.lumbar * kDeg;
  pose.thoracic_flexion = k.thoracic * kDeg;
  pose.neck_flexion = k.neck * kDeg;
  pose.pelvis_tilt = (k.trunk - k.lumbar - k.thoracic) * kDeg;
  const bool single = stage.posture == Posture::kSingleLeg;
  // Single leg: how far the free leg is lifted (0 = planted like the stance leg).
  const double w = single ? std::clamp(k.free_lift, 0.0, 1.0) : 1.0;
  if (single) {
    // Key drop/rotation name the free side; Pose names the left side. They
    // grow with the lift: with both feet down the pelvis is level, both legs
    // plant the same root and the stance leg can change there without a jump.
    const double sign = stage.stance == kRight ? 1.0 : -1.0;
    pose.pelvis_drop = w * sign * k.drop * kDeg;
    pose.pelvis_rotation = w * sign * k.rotation * kDeg;
  }
  const Matrix3d pelvis = PelvisRotation(pose.pelvis_tilt, pose.pelvis_drop, pose.pelvis_rotation);
  const double a = k.ankle * kDeg, kn = k.knee * kDeg;
  const Matrix3d shank_world = RotY(a), thigh_world = RotY(a - kn);
  // The stance leg (the right one in a two-legged drill) is planted and puts
  // the pelvis where it is.
  const double sy = single && stage.stance == kLeft ? 1.0 : -1.0;
  const Vector3d ankle(0.0, sy * hw, b.m(b.ankle_height));
  const Vector3d hip = ankle + shank_world * Vector3d(0, 0, b.m(b.shank_length)) +
                       thigh_world * Vector3d(0, 0, b.m(b.thigh_length));
  pose.root_m = hip - pelvis * Vector3d(0, sy * hw, 0);
  for (int s = 0; s < 2; ++s) {
    const Side side = static_cast<Side>(s);
    SetLegAngles(side, pelvis, thigh_world, kn, a, &pose);
    if (single && side != stage.stance) {
      // Blend from the angles that plant this leg as the stance leg is planted
      // to the free leg's own.
      auto blend = [w](double rest, double free) { return rest + w * (free - rest); };
      pose.hip_flexion[s] = blend(pose.hip_flexion[s], k.free_hip * kDeg);
      pose.hip_adduction[s] = blend(pose.hip_adduction[s], 0.0);
      pose.hip_rotation[s] = blend(pose.hip_rotation[s], 0.0);
      pose.knee_flexion[s] = blend(pose.knee_flexion[s], k.free_knee * kDeg);
      pose.ankle_dorsiflexion[s] = blend(pose.ankle_dorsiflexion[s], 0.0);
    }
  }
  return pose;
}

Pose KneelingPose(const KeyPose& k, const Anthropometry& b) {
  Pose pose;
  const double hw = b.m(b.hip_width) / 2.0;
  pose.lumbar_flexion = k.lumbar * kDeg;
  pose.thoracic_flexion = k.thoracic * kDeg;
  pose.neck_flexion = k.neck * kDeg;
  pose.pelvis_tilt = (k.trunk - k.lumbar - k.thoracic) * kDeg;
  const Matrix3d pelvis = PelvisRotation(pose.pelvis_tilt, 0, 0);
  // Shins flat on the floor pointing back, feet on their laces.
  const double shank_pitch = 90.0 * kDeg, thigh_pitch = -k.thigh * kDeg;
  const double foot_pitch = 170.0 * kDeg;
  for (int s = 0; s < 2; ++s) {
    const double sy = s == kLeft ? 1.0 : -1.0;
    const Vector3d knee(0.0, sy * hw, b.m(b.shank_radius) + 0.01);
    const Vector3d hip = knee + RotY(thigh_pitch) * Vector3d(0, 0, b.m(b.thigh_length));
    pose.root_m = hip - pelvis * Vector3d(0, sy * hw, 0);
    SetLegAngles(static_cast<Side>(s), pelvis, RotY(thigh_pitch), shank_pitch - thigh_pitch,
                 shank_pitch - foot_pitch, &pose);
  }
  return pose;
}

// The bridge: shoulders resting at S, feet flat at A, hips on the trunk line
// at angle phi above horizontal from the shoulders; knees by two-link IK.
struct Bridge {
  Eigen::Vector2d shoulder, ankle;  // (x, z)
  double trunk_len = 0, trunk_offset = 0, hip_floor_phi = 0;
};

Bridge MakeBridge(const Stage& stage, const Anthropometry& b) {
  const BodyFrames neutral = ForwardKinematics(Pose{}, b);
  const Vector3d trunk =
      0.5 * (neutral.shoulder[0] + neutral.shoulder[1]) - neutral.pelvis.translation;
  Bridge br;
  br.trunk_len = trunk.norm();
  br.trunk_offset = PitchOf(trunk.x(), trunk.z());
  const double support = stage.posture == Posture::kSupineBench ? stage.bench_height_m : 0.0;
  const double sz = support + b.m(b.back_surface) + 0.01;
  const double az = b.m(b.ankle_height), ls = b.m(b.shank_length), lt = b.m(b.thigh_length);
  // Feet placed so that at full extension shoulders, hips and knees are in
  // line with the shins vertical.
  const double phi_top = std::asin(std::clamp((az + ls - sz) / (br.trunk_len + lt), -0.9, 0.9));
  const double sx = -br.trunk_len * std::cos(phi_top);
  br.shoulder = {sx, sz};
  br.ankle = {sx + (br.trunk_len + lt) * std::cos(phi_top), az};
  // Lowest: the hip joints a little over a pelvis's depth above the floor.
  const double hip_floor = b.m(b.pelvis_radius) + 0.05;
  br.hip_floor_phi = std::asin(std::clamp((hip_floor - sz) / br.trunk_len, -0.99, 0.99));
  return br;
}

struct BridgeAngles {
  Eigen::Vector2d hip;
  double pelvis_pitch, thigh_pitch, shank_pitch;
  double hip_flexion() const { return Wrap(pelvis_pitch - thigh_pitch); }
};

BridgeAngles SolveBridge(const Bridge& br, double phi, const Anthropometry& b) {
  const double lt = b.m(b.thigh_length), ls = b.m(b.shank_length);
  BridgeAngles r;
  r.hip = br.shoulder + br.trunk_len * Eigen::Vector2d(std::cos(phi), std::sin(phi));
  const Eigen::Vector2d to_ankle = br.ankle - r.hip;
  const double d = std::clamp(to_ankle.norm(), std::abs(lt - ls) + 1e-6, lt + ls - 1e-6);
  const Eigen::Vector2d dir = to_ankle.normalized();
  const double along = (d * d + lt * lt - ls * ls) / (2.0 * d);
  const double up = std::sqrt(std::max(0.0, lt * lt - along * along));
  Eigen::Vector2d n(-dir.y(), dir.x());
  if (n.y() < 0) n = -n;  // knees up
  const Eigen::Vector2d knee = r.hip + along * dir + up * n;
  const Eigen::Vector2d ankle = r.hip + d * dir;
  r.thigh_pitch = PitchOf(r.hip.x() - knee.x(), r.hip.y() - knee.y());
  r.shank_pitch = PitchOf(knee.x() - ankle.x(), knee.y() - ankle.y());
  const Eigen::Vector2d to_shoulder = br.shoulder - r.hip;
  r.pelvis_pitch = PitchOf(to_shoulder.x(), to_shoulder.y()) - br.trunk_offset;
  return r;
}

Pose SupinePose(const KeyPose& k, const Stage& stage, const Anthropometry& b) {
  const Bridge br = MakeBridge(stage, b);
  const double hip_low = SolveBridge(br, br.hip_floor_phi, b).hip_flexion();
  const double target = (1.0 - k.lift) * hip_low + k.lift * k.lift_hip * kDeg;
  // Hip flexion falls as the hips rise: bisect on the trunk angle.
  double lo = br.hip_floor_phi, hi = br.hip_floor_phi + 80.0 * kDeg;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (SolveBridge(br, mid, b).hip_flexion() > target) lo = mid; else hi = mid;
  }
  const BridgeAngles a = SolveBridge(br, 0.5 * (lo + hi), b);
  Pose pose;
  pose.pelvis_tilt = a.pelvis_pitch;
  pose.root_m = Vector3d(a.hip.x(), 0.0, a.hip.y());
  // Floor: the head rests flat; bench: chin tucked, head off the bench.
  pose.neck_flexion = stage.posture == Posture::kSupineFloor
                          ? Wrap(-M_PI / 2 - a.pelvis_pitch)
                          : 20.0 * kDeg;
  const Matrix3d pelvis = PelvisRotation(pose.pelvis_tilt, 0, 0);
  for (int s = 0; s < 2; ++s) {
    SetLegAngles(static_cast<Side>(s), pelvis, RotY(a.thigh_pitch),
                 Wrap(a.shank_pitch - a.thigh_pitch), a.shank_pitch, &pose);
  }
  return pose;
}

void PlaceHands(const Stage& stage, const Anthropometry& b, const MountOptions& mounts,
                PosedBody* out) {
  BodyFrames& f = out->frames;
  Props& props = out->props;
  const Matrix3d thorax = f.thorax.RotationMatrix();
  const Vector3d mid_shoulder = 0.5 * (f.shoulder[0] + f.shoulder[1]);
  switch (stage.held) {
    case Held::kDowel: {
      props.dowel = true;
      props.world_from_dowel = DowelInWorld(f, b, mounts);
      const auto grips = DowelGrips(b, mounts);
      PlaceArm(kLeft, props.world_from_dowel * Vector3d(0.03, 0, grips[kLeft]),
               thorax * Vector3d(-0.3, 1.0, -0.2), b, &f);
      PlaceArm(kRight, props.world_from_dowel * Vector3d(0.03, 0, grips[kRight]),
               thorax * Vector3d(-0.2, -1.0, 0.8), b, &f);
      break;
    }
    case Held::kBarbell: {
      // Arms hang straight under the shoulders; the bar hangs from the hands.
      for (int s = 0; s < 2; ++s) {
        PlaceArm(static_cast<Side>(s), f.shoulder[s] - Vector3d(0, 0, Reach(b)), {-1, 0, 0}, b, &f);
      }
      props.bar = Props::Bar::kBarbell;
      props.world_from_bar = Rigid3d(Eigen::Quaterniond::Identity(), 0.5 * (f.hand[0] + f.hand[1]));
      break;
    }
    case Held::kDumbbell:
    case Held::kCableRope: {
      const double dy = std::max(0.0, b.m(b.shoulder_half_width) - 0.045);
      const double drop = std::sqrt(std::max(0.0, Reach(b) * Reach(b) - dy * dy));
      for (int s = 0; s < 2; ++s) {
        const double sy = s == kLeft ? 1.0 : -1.0;
        const Vector3d hand(mid_shoulder.x(), mid_shoulder.y() + sy * 0.045, mid_shoulder.z() - drop);
        PlaceArm(static_cast<Side>(s), hand, {-1, 0, 0}, b, &f);
      }
      if (stage.held == Held::kDumbbell) {
        // Held by the top head: the handle's middle is one head below the hands.
        props.bar = Props::Bar::kDumbbell;
        props.world_from_bar = Rigid3d(Eigen::Quaterniond::Identity(),
                                       0.5 * (f.hand[0] + f.hand[1]) - Vector3d(0, 0, 0.12));
      }
      break;
    }
    case Held::kNothing:
      if (stage.posture == Posture::kSupineFloor || stage.posture == Posture::kSupineBench) {
        const bool bench = stage.posture == Posture::kSupineBench;
        for (int s = 0; s < 2; ++s) {
          const double sy = s == kLeft ? 1.0 : -1.0;
          // Forearms resting on the bench by the head (hands reaching back),
          // or alongside the body on the floor, nearly straight. Arms out
          // sideways along the bench hid the lateral pelvis plates from the
          // head-side cameras in half the frames (engineer R's visibility bench).
          const double reach = 0.92 * Reach(b);
          const Vector3d hand =
              bench ? f.shoulder[s] + reach * Vector3d(-1.0, 0.35 * sy, 0.0).normalized()
                    : Vector3d(f.shoulder[s].x() + std::sqrt(std::max(0.0, reach * reach - 0.01)),
                               f.shoulder[s].y() + sy * 0.1, 0.03);
          PlaceArm(static_cast<Side>(s), hand, {0, sy, 0.3}, b, &f);
        }
      }
      break;
  }
}

}  // namespace

KeyPose Lerp(const KeyPose& a, const KeyPose& b, double u) {
  auto l = [u](double x, double y) { return x + u * (y - x); };
  KeyPose r;
  r.trunk = l(a.trunk, b.trunk);
  r.lumbar = l(a.lumbar, b.lumbar);
  r.thoracic = l(a.thoracic, b.thoracic);
  r.neck = l(a.neck, b.neck);
  r.knee = l(a.knee, b.knee);
  r.ankle = l(a.ankle, b.ankle);
  r.thigh = l(a.thigh, b.thigh);
  r.free_hip = l(a.free_hip, b.free_hip);
  r.free_knee = l(a.free_knee, b.free_knee);
  r.free_lift = l(a.free_lift, b.free_lift);
  r.drop = l(a.drop, b.drop);
  r.rotation = l(a.rotation, b.rotation);
  r.lift = l(a.lift, b.lift);
  r.lift_hip = l(a.lift_hip, b.lift_hip);
  return r;
}

PosedBody BuildPose(const KeyPose& key, const Stage& stage, const Anthropometry& b,
                    const MountOptions& mounts) {
  PosedBody out;
  switch (stage.posture) {
    case Posture::kStanding:
    case Posture::kSingleLeg:
      out.pose = StandingPose(key, stage, b);
      break;
    case Posture::kKneeling:
      out.pose = KneelingPose(key, b);
      break;
    case Posture::kSupineFloor:
    case Posture::kSupineBench:
      out.pose = SupinePose(key, stage, b);
      break;
  }
  out.frames = ForwardKinematics(out.pose, b);
  PlaceHands(stage, b, mounts, &out);
  out.capsules = BodyCapsules(out.frames, b);
  for (const Capsule& c : PropCapsules(out.props, mounts)) out.capsules.push_back(c);
  if (stage.posture == Posture::kSupineBench) {
    const BodyFrames& f = out.frames;
    const double x = 0.5 * (f.shoulder[0].x() + f.shoulder[1].x()) - 0.05;
    Capsule bench;
    bench.a = Vector3d(x - 0.1, -0.2, stage.bench_height_m - 0.06);
    bench.b = Vector3d(x - 0.1, 0.2, stage.bench_height_m - 0.06);
    bench.radius_m = 0.06;
    bench.gray = 110;
    out.capsules.push_back(bench);
  }
  return out;
}

}  // namespace hl::sim
