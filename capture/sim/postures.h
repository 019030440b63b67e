#pragma once

// Key poses of the drills, in the few numbers a coach would name, and how
// one becomes a posed body with its props: feet planted (or knees, or
// shoulders and feet in a bridge) by solving the leg chain, the pelvis placed
// where the legs put it, and the hands on whatever they hold.

#include <vector>

#include "capture/sim/body.h"
#include "capture/sim/mounts.h"
#include "capture/sim/scene.h"

namespace hl::sim {

enum class Posture {
  kStanding,     // both feet flat at hip width, facing +X
  kSingleLeg,    // one foot flat, the other leg free behind
  kKneeling,     // knees and shins on the floor, shins pointing back (-X)
  kSupineFloor,  // lying on the back, head at -X, feet flat, knees up
  kSupineBench,  // the same with the upper back on a bench
};

enum class Held { kNothing, kDowel, kBarbell, kDumbbell, kCableRope };

// Angles in degrees. Unused fields of a posture are ignored.
struct KeyPose {
  double trunk = 0;     // thorax (and dowel) inclination from vertical, forward > 0
  double lumbar = 0;    // lumbar flexion
  double thoracic = 0;  // thoracic flexion
  double neck = 0;      // neck flexion (standing and kneeling)
  double knee = 0;      // knee flexion of the planted leg(s)
  double ankle = 0;     // shank lean forward over the flat foot (knee travel)
  double thigh = 0;     // kneeling: thigh lean back from vertical (hips towards heels)
  double free_hip = 0;  // single leg: free hip flexion (0 = leg in line with the pelvis)
  double free_knee = 0;
  // Single leg: 0 = the free leg planted like the stance leg (rest, both feet
  // down), 1 = as free_hip and free_knee say; a switch of stance leg between
  // reps happens at 0, so the legs trade roles without a jump.
  double free_lift = 0;
  double drop = 0;      // single leg: free side of the pelvis lower
  double rotation = 0;  // single leg: free side of the pelvis open (turned up/back)
  double lift = 0;      // bridges: 0 = hips down, 1 = hips fully extended
  double lift_hip = 0;  // bridges: hip flexion (deg) kept at lift 1 (0 = full extension)
};

KeyPose Lerp(const KeyPose& a, const KeyPose& b, double u);

// What stays fixed through a take.
struct Stage {
  Posture posture = Posture::kStanding;
  Held held = Held::kNothing;
  Side stance = kLeft;         // single leg: the planted leg
  double bench_height_m = 0.40;
};

struct PosedBody {
  Pose pose;
  BodyFrames frames;
  Props props;
  std::vector<Capsule> capsules;  // body and props
};

PosedBody BuildPose(const KeyPose& key, const Stage& stage, const Anthropometry& body,
                    const MountOptions& mounts);

}  // namespace hl::sim
