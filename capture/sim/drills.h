#pragma once

// The twelve drills of drills.md as a body performs them, with good form or
// with faults, and the ground truth of every frame.
//
// A rep runs between key poses (top -> bottom -> top, or for the bridges
// down -> up -> hold -> down) with smooth easing. A fault changes the key
// poses the way a body produces it; the magnitudes sit clearly past the
// thresholds of drills.md for a fault and clearly inside them for good form:
//   knees_forward       shank leans 12 deg forward, more knee bend: knee travel
//                       about 9 cm (good form: shins vertical, under 1 cm)
//   hips_not_back       the hips stay over the heels: sacrum's backward travel
//                       under half of good form's, trunk more upright (box
//                       squat: trunk 12, knees 28 deg: 0.14 m against 0.36)
//   insufficient_hinge  trunk inclination 35 deg at the bottom (good 68-80)
//   dowel_contact_lost  22 deg lumbar + 6 deg thoracic flexion: the dowel, held
//                       on head and upper back, leaves the sacrum by 4-5 cm
//   back_flexion        16 deg lumbar + 12 deg thoracic flexion (good under 3)
//   incomplete_lockout  the rep ends with the hips 25-30 deg flexed (good
//                       under 5); bridges stop 25 deg short of extension
//   no_pause            no hold at the top of a bridge (good: floor 2 s,
//                       bench 3 s)
//   wall_not_reached /  the buttocks stop 10-12 cm short of the wall / box
//   box_not_reached     (good form touches it); at the wall by going down
//                       instead of back (trunk 35, knees 55, shins 6 deg), so
//                       the sacrum travels back almost as far as in good form
//                       and only the buttocks tell (plugins/wall_touch)
//   pelvis_drop         free side of the pelvis 10 deg lower (good under 2)
//   pelvis_rotation     free hip opened 18 deg (good under 2)
//   bar_too_low         rack pull bar 22 cm below the knee joints at the
//   bar_too_high        bottom / 10 cm above them (good: 5 cm below)
// When a fault makes another happen (hips that do not go back cannot reach
// a box behind the heels) the labels name both.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "capture/sim/body.h"
#include "capture/sim/mounts.h"
#include "capture/sim/scene.h"
#include "core/json.h"
#include "core/marker_set.h"
#include "core/trajectory.h"

namespace hl::sim {

struct DrillInfo {
  std::string id;
  std::string title;
  std::vector<std::string> faults;  // the faults drills.md lets it report
  // What the hands hold and the set-up, for humans.
  std::string setup;
};

// The twelve drills, in drills.md's order.
const std::vector<DrillInfo>& Drills();
// nullptr for an unknown id.
const DrillInfo* FindDrill(std::string_view id);
// "a, b, c" of every drill id, for messages.
std::string DrillIdList();

struct DrillMotionOptions {
  // A drill id of drills.md.
  std::string drill = "dowel_hinge";
  // Number of repetitions.
  int reps = 3;
  // Faults of rep i are rep_faults[i]; reps beyond the list have good form.
  std::vector<std::vector<std::string>> rep_faults;
  // Fraction of the drill's full range (scales the bottom key pose) for the
  // drills without a target; wall, box and rack height set their own depth.
  double depth = 1.0;
  // Seconds per rep: down and up (bridges: up and down) take 90 % of it.
  double tempo_s = 3.0;
  // Standing still at the top between reps (bridges: resting down).
  double pause_s = 1.0;
  // Standing still before the first rep.
  double lead_in_s = 1.0;
  // Frames per second of the truth and the scene.
  double fps = 60.0;
  // Seed of the physiological noise; the same seed gives the same motion.
  uint64_t seed = 1;
  // Postural sway (m, amplitude at the hips) and joint-angle noise (deg).
  double sway_m = 0.004;
  double joint_noise_deg = 0.6;
  // single_leg_rdl: "left", "right" or "alternate" (rep 1 on the left leg).
  std::string stance = "alternate";
  // 0: as long as the reps take; else exactly this many frames (cut, or
  // padded standing still). Reps cut short are left out of the labels.
  int num_frames = 0;
  MountOptions mounts;

  // Throws hl::Error("drill", ...) naming the valid drills or faults.
  void Check() const;
};

// The true measures of one frame, in the subject's frame (= world: the
// subject faces +X). Distances in metres, angles in degrees; NaN when the
// drill has no such thing (no dowel, no bar, no wall or box).
struct TrueMeasures {
  // 0 at the top (standing; bridges: hips down) .. 1 at the bottom (bridges: top).
  double phase = 0;
  // Landmark distance to the dowel's axis minus its static-trial value.
  double dowel_gap_sacrum_m = 0, dowel_gap_thorax_m = 0, dowel_gap_head_m = 0;
  // Sacrum travel from the first frame: backwards (-X) and down (-Z).
  double hip_back_m = 0, hip_down_m = 0;
  // Knee joint centre travel forward (+X) from the first frame.
  double knee_forward_l_m = 0, knee_forward_r_m = 0;
  // Angle of the dowel (or the thorax without one) from vertical.
  double trunk_inclination_deg = 0;
  // Angle between the pelvis and the dowel/thorax minus the static trial's.
  double back_flexion_deg = 0;
  // Thigh against pelvis, 0 standing tall, flexion > 0.
  double hip_flexion_l_deg = 0, hip_flexion_r_deg = 0;
  // Pelvis = Ry(tilt) Rz(rotation) Rx(-drop) (body.h): drop > 0 left side
  // lower, rotation > 0 left side turned back/up.
  double pelvis_tilt_deg = 0, pelvis_drop_deg = 0, pelvis_rotation_deg = 0;
  // Bar (barbell middle, dumbbell handle middle) height above the floor and
  // against the mean knee joint height.
  double bar_height_m = 0, bar_to_knee_m = 0;
  // Buttocks to the wall (horizontal) or to the box top (vertical); <= 0 touching.
  double target_gap_m = 0;
};

struct TrueRep {
  double start_s = 0, end_s = 0;
  std::vector<std::string> faults;
  std::string stance;  // single_leg_rdl: "left" or "right"
};

struct SimulatedMotion {
  std::string drill;  // "static" for SimulateStatic
  double fps = 0;
  std::vector<SceneFrame> frames;
  // M<id> for every mounted marker's centre, then the landmarks: SACRUM,
  // HIP_L/R, KNEE_L/R, ANKLE_L/R, HEEL_L/R, TOE_L/R, THORAX, HEAD, C7, and
  // DOWEL_TOP/DOWEL_BOTTOM with a dowel, BAR with a bar.
  Trajectories truth;
  std::vector<TrueMeasures> measures;  // one per frame
  std::vector<TrueRep> reps;
  // {"drill", "fps", "reps": [{"start_s", "end_s", "faults"}]} (design.md).
  Json labels;
};

SimulatedMotion SimulateDrill(const DrillMotionOptions& options, const MarkerSet& markers,
                              const Anthropometry& body);

struct StaticOptions {
  double duration_s = 3.0;
  double fps = 60.0;
  uint64_t seed = 1;
  double sway_m = 0.004;
  double joint_noise_deg = 0.3;
  int num_frames = 0;  // 0: duration_s * fps
  MountOptions mounts;
};

// Standing tall with the dowel in contact at all three points (every marker
// of the set mounted except the bar), for the static trial.
SimulatedMotion SimulateStatic(const StaticOptions& options, const MarkerSet& markers,
                               const Anthropometry& body);

// truth/measures.csv: frame,time_s then one column per TrueMeasures field
// (empty where NaN).
std::string MeasuresCsv(const SimulatedMotion& motion);

}  // namespace hl::sim
