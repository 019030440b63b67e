#include "capture/sim/mounts.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "capture/sim/textures.h"

namespace hl::sim {
namespace {

using Eigen::Matrix3d;
using Eigen::Vector3d;

constexpr double kDeg = M_PI / 180.0;

// A marker on `segment` at `pos` (segment frame) whose printed face looks
// along `normal` with its top edge towards `up`.
MarkerInstance MarkerOn(const Rigid3d& segment, const Vector3d& pos, const Vector3d& normal,
                        const Vector3d& up, int id, double length_m) {
  const Vector3d z = normal.normalized();
  const Vector3d y = (up - up.dot(z) * z).normalized();
  Matrix3d r;
  r.col(0) = y.cross(z);
  r.col(1) = y;
  r.col(2) = z;
  MarkerInstance m;
  m.id = id;
  m.length_m = length_m;
  m.world_from_marker = segment * Rigid3d(Eigen::Quaterniond(r), pos);
  return m;
}

// x of the back surface of a capsule lying along the pelvis's left-right
// axis, at lateral offset y.
double CapsuleBackX(double axis_x, double half_length, double radius, double y) {
  const double dy = std::max(0.0, std::abs(y) - half_length);
  return axis_x - std::sqrt(std::max(0.0, radius * radius - dy * dy));
}

// Half the printed square: the black square plus one quiet cell each side
// (as the renderer prints it, capture/sim/textures.h).
double PrintedHalfSide(int dictionary_id, double length_m) {
  return 0.5 * MarkerQuadSide(dictionary_id, length_m);
}

// Candidate positions along the dowel, clear of the hands.
std::vector<double> DowelSlots(const Anthropometry& body, const MountOptions& o) {
  const auto grips = DowelGrips(body, o);
  std::vector<double> s;
  for (double x = 0.05; x <= o.dowel_length_m - 0.03; x += 0.05) {
    if (std::abs(x - grips[0]) < 0.08 || std::abs(x - grips[1]) < 0.08) continue;
    s.push_back(x);
  }
  return s;
}

}  // namespace

Rigid3d DowelInWorld(const BodyFrames& frames, const Anthropometry& body,
                     const MountOptions& o) {
  const BodyFrames neutral = ForwardKinematics(Pose{}, body);
  const BodyLandmarks l = Landmarks(neutral, body);
  const Vector3d bottom(l.sacrum.x() - o.dowel_side_m / 2.0, 0.0,
                        l.sacrum.z() - o.dowel_below_sacrum_m);
  // Dowel +X points away from the back (-X of the world in the neutral pose).
  const Matrix3d world_from_dowel_rot = RotZ(M_PI);
  const Rigid3d neutral_dowel(Eigen::Quaterniond(world_from_dowel_rot), bottom);
  const Rigid3d thorax_from_dowel = neutral.thorax.Inverse() * neutral_dowel;
  return frames.thorax * thorax_from_dowel;
}

std::array<double, 2> DowelGrips(const Anthropometry& body, const MountOptions& o) {
  const BodyFrames neutral = ForwardKinematics(Pose{}, body);
  const BodyLandmarks l = Landmarks(neutral, body);
  const double bottom = l.sacrum.z() - o.dowel_below_sacrum_m;
  return {neutral.lumbar_upper.translation.z() - bottom, l.c7.z() + 0.02 - bottom};
}

std::vector<MarkerInstance> MountMarkers(const MarkerSet& set, const BodyFrames& f,
                                         const Anthropometry& b, const Props& props,
                                         const MountOptions& o) {
  std::map<std::string, int> slot_of_segment;
  std::vector<MarkerInstance> out;
  const std::vector<double> dowel_slots = DowelSlots(b, o);
  const double back = -b.m(b.spine_back) - b.m(b.back_surface);
  for (const MarkerSpec& spec : set.markers) {
    const int k = slot_of_segment[spec.segment]++;
    const double len = spec.length_m;
    const std::string& seg = spec.segment;
    if (seg == "dowel") {
      if (!props.dowel) continue;
      // Spread the segment's markers over the free slots, faces cycling.
      const int n = static_cast<int>(std::count_if(set.markers.begin(), set.markers.end(),
                                                   [](const MarkerSpec& m) { return m.segment == "dowel"; }));
      const int slots = static_cast<int>(dowel_slots.size());
      const int idx = n <= 1 ? slots / 2 : static_cast<int>(std::lround(1.0 * k * (slots - 1) / (n - 1)));
      const double s = dowel_slots[std::clamp(idx, 0, slots - 1)];
      static const Vector3d kFaces[3] = {{1, 0, 0}, {0, 1, 0}, {0, -1, 0}};
      const Vector3d normal = kFaces[k % 3];
      const Vector3d pos = normal * (o.dowel_side_m / 2.0 + 0.001) + Vector3d(0, 0, s);
      out.push_back(MarkerOn(props.world_from_dowel, pos, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "pelvis") {
      // A 2 x 2 grid either side of the dowel's line, columns far enough out
      // that the dowel (it stands ~3 cm proud of the plate) does not hide a
      // column from the camera on the other side; turned 15 deg outwards:
      // studio4's back cameras stand 45 deg either side of straight back, so
      // both see every marker (a segment's layout is learned from markers
      // two cameras see). 8 cm squares leave no room for a wider row on a
      // pelvis. Each sits off the curved back so no edge dips in; rows a
      // printed square (plus 1 cm) apart. The hand holding a dowel at the
      // lower back hides the upper left one (measured in the bench).
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      const double y = side * std::max(0.10 * b.height_m / 1.75, half + 0.04);
      const double yaw = side * 15 * kDeg;
      const double z = b.m(b.sacrum_height) + 0.01 + (2 * half + 0.01) * (k / 2);
      const Vector3d normal(-std::cos(yaw), std::sin(yaw), 0);
      const Vector3d along(std::sin(yaw), std::cos(yaw), 0);  // in the face, horizontal
      double x = 1e9;
      for (double t = -half; t <= half + 1e-9; t += half / 8) {
        const double surface = CapsuleBackX(back + b.m(b.pelvis_radius), 0.04 * b.height_m,
                                            b.m(b.pelvis_radius), y + t * along.y());
        x = std::min(x, surface - o.standoff_m - t * along.x());
      }
      out.push_back(MarkerOn(f.pelvis, {x, y, z}, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "knee_left" || seg == "knee_right") {
      // A plate on the outside of the knee above the joint, the markers side
      // by side (first in front) in a shallow V that hugs the thigh, facing
      // out: a side's front and back cameras stand 45 deg either side of
      // lateral, so both see each marker. One row only: a barbell hangs just
      // above it. Further ids (not in the default set) go a row higher.
      const int s = seg == "knee_left" ? kLeft : kRight;
      const double side = s == kLeft ? 1.0 : -1.0;
      const double fwd = (k % 2 == 0) ? 1.0 : -1.0;
      const double turn = 10 * kDeg;
      const double half = PrintedHalfSide(set.dictionary_id, len);
      const Vector3d normal(fwd * std::sin(turn), side * std::cos(turn), 0);
      const Vector3d along(fwd * std::cos(turn), -side * std::sin(turn), 0);  // away from the V
      const double r = b.m(b.thigh_radius) + o.standoff_m;
      const double z = -b.m(b.thigh_length) + 0.065 + (2 * half + 0.01) * (k / 2);
      const Vector3d pos = Vector3d(0.005 * fwd, side * r, z) + half * along;
      out.push_back(MarkerOn(f.thigh[s], pos, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "head") {
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      const double hx = -b.m(b.back_surface) + b.m(b.head_radius);
      const double z = b.m(b.occiput_height) + 0.03 + 0.05 * (k / 2);
      out.push_back(MarkerOn(f.head, {hx, side * (b.m(b.head_radius) + o.standoff_m / 2), z},
                             {0, side, 0}, {0, 0, 1}, spec.id, len));
    } else if (seg == "thorax") {
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      const double y = side * 0.075 * b.height_m / 1.75;
      const double r = b.m(b.thorax_radius);
      const double x = -b.m(b.back_surface) + r - std::sqrt(std::max(0.0, r * r - y * y)) - o.standoff_m;
      const double z = b.m(b.thoracic_contact_height) + 0.06 * (k / 2);
      const Vector3d normal(-std::cos(20 * kDeg), side * std::sin(20 * kDeg), 0);
      out.push_back(MarkerOn(f.thorax, {x, y, z}, normal, {0, 0, 1}, spec.id, len));
    } else if (seg == "foot_left" || seg == "foot_right") {
      const int s = seg == "foot_left" ? kLeft : kRight;
      const double side = s == kLeft ? 1.0 : -1.0;
      const double x = 0.3 * b.m(b.foot_length) - 0.04 * k;
      const double y = side * (b.m(b.foot_radius) + o.standoff_m);
      const Vector3d normal(0, side * std::cos(30 * kDeg), std::sin(30 * kDeg));
      out.push_back(MarkerOn(f.foot[s], {x, y, -b.m(b.ankle_height) * 0.4}, normal, {1, 0, 0},
                             spec.id, len));
    } else if (seg == "bar") {
      if (props.bar == Props::Bar::kNone) continue;
      const double side = k % 2 == 0 ? 1.0 : -1.0;
      if (props.bar == Props::Bar::kBarbell) {
        // End caps first, then further ones on the bar's front, inside the plates.
        if (k < 2) {
          out.push_back(MarkerOn(props.world_from_bar, {0, side * (o.barbell_length_m / 2 + 0.002), 0},
                                 {0, side, 0}, {0, 0, 1}, spec.id, len));
        } else {
          const double y = side * (0.45 + 0.06 * (k / 2 - 1));
          out.push_back(MarkerOn(props.world_from_bar, {0.016, y, 0}, {1, 0, 0}, {0, 0, 1}, spec.id, len));
        }
      } else {
        const double z = -0.12 + 0.05 * (k / 2);
        out.push_back(MarkerOn(props.world_from_bar, {0, side * 0.072, z}, {0, side, 0}, {0, 0, 1},
                               spec.id, len));
      }
    }
    // Segments the body does not carry (none in the default set) have no mount.
  }
  return out;
}

std::vector<Capsule> PropCapsules(const Props& props, const MountOptions& o) {
  std::vector<Capsule> c;
  auto add = [&](const Rigid3d& frame, const Vector3d& a, const Vector3d& bb, double r,
                 uint8_t gray) {
    Capsule cap;
    cap.a = frame * a;
    cap.b = frame * bb;
    cap.radius_m = r;
    cap.gray = gray;
    c.push_back(cap);
  };
  if (props.dowel) {
    // Slightly inside the faces so the dowel never hides its own markers.
    add(props.world_from_dowel, {0, 0, 0}, {0, 0, o.dowel_length_m}, o.dowel_side_m * 0.48, 200);
  }
  if (props.bar == Props::Bar::kBarbell) {
    const double h = o.barbell_length_m / 2.0;
    add(props.world_from_bar, {0, -h, 0}, {0, h, 0}, 0.014, 60);
    for (double side : {1.0, -1.0}) {
      add(props.world_from_bar, {0, side * 0.78, 0}, {0, side * 0.80, 0}, o.plate_radius_m, 30);
    }
  } else if (props.bar == Props::Bar::kDumbbell) {
    add(props.world_from_bar, {0, 0, -0.07}, {0, 0, 0.07}, 0.017, 60);
    add(props.world_from_bar, {0, 0, 0.10}, {0, 0, 0.14}, 0.07, 30);
    add(props.world_from_bar, {0, 0, -0.14}, {0, 0, -0.10}, 0.07, 30);
  }
  return c;
}

}  // namespace hl::sim
