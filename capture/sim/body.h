#pragma once

// A kinematic body for the simulated studio: rigid segments joined by hinge
// and ball joints, posed by joint angles, in the world frame (metres, Z up,
// the subject standing at the origin facing +X, left = +Y).
//
// Chain (root = pelvis, origin at the midpoint of the two hip joint centres):
//   pelvis -> lumbar_lower (L5/S1) -> lumbar_upper (L3) -> thorax (L1) -> head (C7)
//   pelvis -> thigh (hip) -> shank (knee) -> foot (ankle), per side
// Every segment frame has +Z along the segment towards its proximal joint
// ("up" when standing), +X forward and +Y to the subject's left, so in the
// neutral pose (all angles 0) every frame is axis-aligned with the world.
//
// Sagittal angles are rotations about the segment's Y axis; a positive angle
// is the anatomical direction named (flexion, dorsiflexion, anterior tilt).
// Lumbar flexion is shared equally by L5/S1 and L3, so the lumbar spine
// bends as an arc: the upper body then pivots well above the sacrum and the
// back-surface contact points leave the line of a dowel held on the upper back,
// as they do in a person.

#include <Eigen/Core>
#include <array>
#include <vector>

#include "capture/sim/scene.h"
#include "core/camera.h"

namespace hl::sim {

enum Side { kLeft = 0, kRight = 1 };

// Segment sizes scaled from standing height with the proportions of
// Winter, "Biomechanics and Motor Control of Human Movement" (2009, fig. 4.1);
// every fraction below is of height_m.
struct Anthropometry {
  // Standing height (m).
  double height_m = 1.75;
  // Ankle joint centre above the floor (Winter 0.039).
  double ankle_height = 0.039;
  // Heel to toe (Winter 0.152); the ankle sits 0.2 of it in front of the heel.
  double foot_length = 0.152;
  // Ankle to knee joint centre (Winter 0.285 - 0.039).
  double shank_length = 0.246;
  // Knee to hip joint centre (Winter 0.530 - 0.285).
  double thigh_length = 0.245;
  // Distance between the hip joint centres.
  double hip_width = 0.10;
  // Hip-joint midpoint to the L5/S1 joint, up.
  double pelvis_height = 0.05;
  // L5/S1 to L1 (two equal lumbar segments).
  double lumbar_length = 0.09;
  // L1 to C7 (C7 at Winter's shoulder height 0.818).
  double thorax_length = 0.148;
  // C7 to the top of the head (1 - 0.818).
  double head_neck_length = 0.182;
  // Spine joints lie this far behind the hip-joint midpoint.
  double spine_back = 0.02;
  // The back surface (sacrum, between the shoulder blades, occiput) lies this
  // far behind the spine joints in the neutral pose, all on one vertical line.
  double back_surface = 0.045;
  // The sacrum contact point above the hip-joint midpoint.
  double sacrum_height = 0.025;
  // Between the shoulder blades (thoracic contact), up from L1.
  double thoracic_contact_height = 0.07;
  // Occiput contact above C7.
  double occiput_height = 0.06;
  // Shoulder joint centres: half of Winter's biacromial width 0.259, down from C7.
  double shoulder_half_width = 0.1295;
  double shoulder_drop = 0.01;
  double upper_arm_length = 0.186;
  double forearm_length = 0.146;
  // Wrist to the middle of the grip (half of Winter's hand length 0.108).
  double grip_length = 0.054;
  // Capsule radii of the occluders.
  double foot_radius = 0.022;
  double shank_radius = 0.029;
  double thigh_radius = 0.04;
  double pelvis_radius = 0.06;
  double glute_radius = 0.05;
  double lumbar_radius = 0.06;
  double thorax_radius = 0.065;
  double neck_radius = 0.03;
  double head_radius = 0.055;
  double upper_arm_radius = 0.025;
  double forearm_radius = 0.02;
  double hand_radius = 0.025;

  // A length above in metres (fraction * height_m).
  double m(double fraction) const { return fraction * height_m; }
  // Throws hl::Error("anthropometry", ...) for a height outside 1.0-2.3 m.
  void Check() const;
};

// Joint angles (radians) and the root. Index [kLeft] / [kRight] per side.
struct Pose {
  // World position of the hip-joint midpoint.
  Eigen::Vector3d root_m = Eigen::Vector3d::Zero();
  // Pelvis orientation in the world: R = Ry(tilt) * Rz(rotation) * Rx(-drop),
  // drop and rotation about the pelvis's own axes after the tilt, so they
  // mean the same in a hinge as standing. tilt > 0 leans the pelvis forward
  // (anterior tilt, as in a hinge); drop > 0 lowers the left side (about the
  // pelvis's front-back axis); rotation > 0 turns the left side backwards
  // about the pelvis's long axis (in a single-leg RDL: the free hip opens
  // towards the ceiling when the free leg is the left).
  double pelvis_tilt = 0.0;
  double pelvis_drop = 0.0;
  double pelvis_rotation = 0.0;
  double lumbar_flexion = 0.0;    // L5/S1 + L3, forward bending > 0
  double thoracic_flexion = 0.0;  // at L1
  double neck_flexion = 0.0;      // at C7, chin to chest > 0
  // Thigh relative to the pelvis: Ry(-hip_flexion) * Rx(hip_adduction) * Rz(hip_rotation).
  std::array<double, 2> hip_flexion{0.0, 0.0};
  std::array<double, 2> hip_adduction{0.0, 0.0};
  std::array<double, 2> hip_rotation{0.0, 0.0};
  std::array<double, 2> knee_flexion{0.0, 0.0};
  // The shank leans forward over a flat foot by this angle.
  std::array<double, 2> ankle_dorsiflexion{0.0, 0.0};
};

// World poses of every segment (origin at the segment's proximal joint).
struct BodyFrames {
  Rigid3d pelvis;        // at the hip-joint midpoint
  Rigid3d lumbar_lower;  // at L5/S1
  Rigid3d lumbar_upper;  // at L3
  Rigid3d thorax;        // at L1
  Rigid3d head;          // at C7
  std::array<Rigid3d, 2> thigh;  // at the hip joint centre
  std::array<Rigid3d, 2> shank;  // at the knee joint centre
  std::array<Rigid3d, 2> foot;   // at the ankle joint centre
  // Arms are placed by whatever the hands hold (see PlaceArm).
  std::array<Eigen::Vector3d, 2> shoulder;
  std::array<Eigen::Vector3d, 2> elbow;
  std::array<Eigen::Vector3d, 2> hand;  // middle of the grip
};

// Anatomical points (world, metres) the truth and the measures refer to.
struct BodyLandmarks {
  Eigen::Vector3d sacrum;            // back surface over S2, where the dowel touches
  Eigen::Vector3d thoracic_contact;  // back surface between the shoulder blades
  Eigen::Vector3d occiput;           // back of the head
  Eigen::Vector3d c7;
  std::array<Eigen::Vector3d, 2> hip, knee, ankle, heel, toe;
};

Eigen::Matrix3d RotX(double a);
Eigen::Matrix3d RotY(double a);
Eigen::Matrix3d RotZ(double a);
// The rotation of Pose's pelvis convention.
Eigen::Matrix3d PelvisRotation(double tilt, double drop, double rotation);

// Forward kinematics. Shoulders are set; elbows and hands are left hanging
// straight down from the shoulders until PlaceArm moves them.
BodyFrames ForwardKinematics(const Pose& pose, const Anthropometry& body);

BodyLandmarks Landmarks(const BodyFrames& frames, const Anthropometry& body);

// Moves one arm so the grip reaches `hand_target` (or as far as the arm
// reaches along that line); the elbow bends in the plane containing `pole`
// (a world direction the elbow points to).
void PlaceArm(Side side, const Eigen::Vector3d& hand_target, const Eigen::Vector3d& pole,
              const Anthropometry& body, BodyFrames* frames);

// The buttock of one side (the part of the body a wall or a box meets).
Capsule Glute(const BodyFrames& frames, const Anthropometry& body, Side side);

// Capsule occluders for every segment, arms included.
std::vector<Capsule> BodyCapsules(const BodyFrames& frames, const Anthropometry& body);

// The hip angles (flexion, adduction, rotation of Pose) that give a thigh the
// world orientation `world_from_thigh` under a pelvis of orientation
// `world_from_pelvis`. Used to plant a foot whatever the pelvis does.
std::array<double, 3> HipAnglesFor(const Eigen::Matrix3d& world_from_pelvis,
                                   const Eigen::Matrix3d& world_from_thigh);

// Whole-body centre of mass with Winter's segment mass fractions (feet,
// shanks, thighs, pelvis, lumbar, thorax, head, arms).
Eigen::Vector3d CenterOfMass(const BodyFrames& frames, const Anthropometry& body);

}  // namespace hl::sim
