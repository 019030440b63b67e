#include "capture/sim/drills.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "capture/sim/postures.h"
#include "capture/sim/truth.h"
#include "core/error.h"

namespace hl::sim {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

enum class Target { kNone, kWall, kBox, kBar };

// How the simulator performs a drill.
struct DrillPlan {
  Posture posture;
  Held held;
  Target target = Target::kNone;
  bool foam_roller = false;
  KeyPose bottom;           // good form, full depth
  double top_hold_s = 0.0;  // bridges: the squeeze at the top
};

DrillPlan PlanOf(const std::string& id) {
  using P = Posture;
  using H = Held;
  auto standing = [](double trunk, double knee, double ankle) {
    KeyPose k;
    k.trunk = trunk;
    k.knee = knee;
    k.ankle = ankle;
    return k;
  };
  if (id == "dowel_hinge") return {P::kStanding, H::kDowel, Target::kNone, false, standing(72, 25, -4)};
  if (id == "wall_touch") return {P::kStanding, H::kDowel, Target::kWall, false, standing(72, 25, -4)};
  if (id == "foam_roller") return {P::kStanding, H::kDowel, Target::kNone, true, standing(72, 25, -4)};
  if (id == "seated_squat") return {P::kStanding, H::kDowel, Target::kBox, false, standing(50, 100, 0)};
  if (id == "cable_pull_through") {
    return {P::kStanding, H::kCableRope, Target::kNone, false, standing(68, 25, -4)};
  }
  if (id == "dumbbell_deadlift") {
    return {P::kStanding, H::kDumbbell, Target::kNone, false, standing(55, 45, 3)};
  }
  if (id == "rdl") return {P::kStanding, H::kBarbell, Target::kNone, false, standing(75, 25, -5)};
  if (id == "rack_pull") return {P::kStanding, H::kBarbell, Target::kBar, false, standing(60, 22, 0)};
  if (id == "single_leg_rdl") {
    KeyPose k = standing(80, 20, -2);
    k.free_knee = 8;
    k.free_lift = 1;
    return {P::kSingleLeg, H::kDowel, Target::kNone, false, k};
  }
  if (id == "kneeling_squat") {
    KeyPose k;
    k.thigh = 60;
    k.trunk = 40;
    return {P::kKneeling, H::kDowel, Target::kNone, false, k};
  }
  KeyPose top;
  top.lift = 1.0;
  if (id == "glute_bridge") return {P::kSupineFloor, H::kNothing, Target::kNone, false, top, 2.0};
  return {P::kSupineBench, H::kNothing, Target::kNone, false, top, 3.0};
}

bool IsSupine(Posture p) { return p == Posture::kSupineFloor || p == Posture::kSupineBench; }

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// A rep's key poses after its faults.
struct RepKeys {
  KeyPose bottom;  // bridges: the top
  KeyPose end;     // where the rep ends (standing: the lockout; bridges: hips down)
  double top_hold_s = 0;
  double target_gap_m = 0;  // wall/box: how far the buttocks stop from it
  double bar_to_knee_m = -0.05;
  std::vector<std::string> faults;
};

RepKeys ApplyFaults(const std::string& id, const DrillPlan& plan, const KeyPose& neutral,
                    const std::vector<std::string>& faults, double depth) {
  RepKeys r;
  r.faults = faults;
  r.top_hold_s = plan.top_hold_s;
  r.end = neutral;
  KeyPose& b = r.bottom;
  b = IsSupine(plan.posture) || plan.target != Target::kNone ? plan.bottom
                                                             : Lerp(neutral, plan.bottom, depth);
  const KeyPose good = b;
  const bool knees = Has(faults, "knees_forward");
  if (knees) {
    // The shins lean and the knees bend more; the trunk rises a little, and
    // the hips still travel back (less than in good form).
    const bool box = id == "seated_squat";
    b.ankle = box ? 14 : 12;
    b.knee = box ? good.knee : good.knee + 25;
    b.trunk = std::min(b.trunk, good.trunk - 15);
  }
  if (Has(faults, "hips_not_back")) {
    if (plan.posture == Posture::kKneeling) {
      b.thigh = 18;
      b.trunk = 20;
    } else if (id == "seated_squat") {
      // Straight down with the knees: too high to sit on a box behind the heels.
      b.trunk = 12;
      b.knee = 28;
      if (!knees) b.ankle = 3;
      if (!Has(r.faults, "box_not_reached")) r.faults.push_back("box_not_reached");
    } else if (id == "dumbbell_deadlift") {
      b.trunk = 30;
      b.knee = 40;
      if (!knees) b.ankle = 12;
    } else {
      b.trunk = std::min(b.trunk, 50.0);
      b.knee = knees ? b.knee : 15;
      if (!knees) b.ankle = 3;
    }
  }
  if (Has(faults, "insufficient_hinge")) {
    // The trunk stays up; knees and shins as in good form, so the hips
    // still go back.
    b.trunk = 35;
  }
  if (Has(faults, "dowel_contact_lost")) {
    b.lumbar = 22;
    b.thoracic = 6;
  }
  if (Has(faults, "back_flexion")) {
    b.lumbar = 16;
    b.thoracic = 12;
  }
  if (Has(faults, "pelvis_drop")) b.drop = 10;
  if (Has(faults, "pelvis_rotation")) b.rotation = 18;
  if (Has(faults, "incomplete_lockout")) {
    if (IsSupine(plan.posture)) {
      b.lift_hip = 25;
    } else if (plan.posture == Posture::kKneeling) {
      r.end.thigh = 15;
      r.end.trunk = 12;
    } else {
      r.end.trunk = 18;
      r.end.knee = 10;
    }
  }
  if (Has(faults, "wall_not_reached")) {
    // Down instead of back: the trunk stays up and the knees bend, so the
    // buttocks stop short of the wall however low the hips go.
    b.trunk = 35;
    b.knee = 55;
    if (!knees) b.ankle = 6;
  }
  if (Has(faults, "no_pause")) r.top_hold_s = 0.0;
  if (Has(faults, "wall_not_reached") || Has(faults, "box_not_reached")) {
    r.target_gap_m = plan.target == Target::kWall ? 0.10 : 0.12;
  }
  if (Has(faults, "bar_too_low")) {
    r.bar_to_knee_m = -0.22;
    b.knee = 35;
  }
  if (Has(faults, "bar_too_high")) r.bar_to_knee_m = 0.10;
  if (IsSupine(plan.posture)) {
    r.end = KeyPose{};
    r.end.lift_hip = b.lift_hip;
  }
  return r;
}

// Smooth physiological noise: three slow sines per channel.
class Wobble {
 public:
  Wobble(std::mt19937_64* rng, double amplitude) {
    std::uniform_real_distribution<double> freq(0.15, 1.2), phase(0.0, 2.0 * M_PI);
    for (auto& w : waves_) w = {freq(*rng) * 2.0 * M_PI, phase(*rng)};
    scale_ = amplitude / std::sqrt(1.5);
  }
  double operator()(double t) const {
    double v = 0;
    for (const auto& w : waves_) v += std::sin(w.first * t + w.second);
    return scale_ * v;
  }

 private:
  std::array<std::pair<double, double>, 3> waves_;
  double scale_ = 0;
};

struct Noise {
  Noise(uint64_t seed, double sway_m, double joint_deg, const Anthropometry& b) {
    std::mt19937_64 rng(seed);
    // Sway is a whole-body lean about the ankles.
    const double sway_deg = sway_m / (b.m(b.shank_length) + b.m(b.thigh_length)) * 180.0 / M_PI;
    for (int i = 0; i < kChannels; ++i) {
      ch.emplace_back(&rng, i == kAnkle ? 0.5 * joint_deg + sway_deg : joint_deg);
    }
  }
  KeyPose Apply(KeyPose k, double t, const Stage& stage) const {
    k.trunk += ch[kTrunk](t);
    k.lumbar += ch[kLumbar](t);
    k.thoracic += ch[kThoracic](t);
    k.neck += ch[kNeck](t);
    k.knee += 0.5 * ch[kKnee](t);
    k.ankle += ch[kAnkle](t);
    k.thigh += ch[kThigh](t);
    if (stage.posture == Posture::kSingleLeg) {
      // KeyPose names the free side and StandingPose turns that into the left
      // side's angle by the stance's sign: undo it here, so the pelvis's noise
      // does not flip sign when the stance leg changes.
      const double sign = stage.stance == kRight ? 1.0 : -1.0;
      k.drop += sign * ch[kDrop](t);
      k.rotation += sign * ch[kRotation](t);
    }
    k.lift_hip += 0.5 * ch[kThigh](t);
    return k;
  }
  enum { kTrunk, kLumbar, kThoracic, kNeck, kKnee, kAnkle, kThigh, kDrop, kRotation, kChannels };
  std::vector<Wobble> ch;
};

struct Segment {
  double t0, t1;
  KeyPose a, b;
  Side stance;
  double ph0, ph1;
};

double Ease(double u) { return 0.5 - 0.5 * std::cos(M_PI * std::clamp(u, 0.0, 1.0)); }

// Scale of the way from `top` to `bottom` at which gap(scale) == target.
template <typename Gap>
double SolveScale(const Gap& gap, double target) {
  double lo = 0.0, hi = 1.0;
  if (gap(hi) > target) return hi;
  for (int i = 0; i < 50; ++i) {
    const double mid = 0.5 * (lo + hi);
    if (gap(mid) > target) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

void CheckFps(double fps) {
  if (!(fps >= 1.0 && fps <= 1000.0)) {
    throw Error("fps", "must be within 1-1000 frames per second");
  }
}

SimulatedMotion Assemble(const std::string& drill, double fps, int num_frames,
                         const std::vector<Segment>& segments, const Stage& base_stage,
                         Target target, double wall_x, double box_z, const Noise& noise,
                         const MarkerSet& set, const Anthropometry& b, const MountOptions& mounts) {
  SimulatedMotion out;
  out.drill = drill;
  out.fps = fps;
  PosedBody first;
  std::vector<std::string> labels;
  size_t seg = 0;
  for (int f = 0; f < num_frames; ++f) {
    const double t = f / fps;
    while (seg + 1 < segments.size() && t >= segments[seg].t1) ++seg;
    const Segment& s = segments[seg];
    const double u = s.t1 > s.t0 ? Ease((t - s.t0) / (s.t1 - s.t0)) : 1.0;
    Stage stage = base_stage;
    stage.stance = s.stance;
    const KeyPose key = noise.Apply(Lerp(s.a, s.b, u), t, stage);
    PosedBody posed = BuildPose(key, stage, b, mounts);
    SceneFrame frame;
    frame.time_s = t;
    frame.markers = MountMarkers(set, posed.frames, b, posed.props, mounts);
    frame.occluders = posed.capsules;
    if (f == 0) {
      first = posed;
      out.truth = Trajectories(TruthLabels(frame.markers, posed.props), num_frames, fps);
    }
    const double gap = target == Target::kWall  ? WallGap(posed, b, wall_x)
                       : target == Target::kBox ? BoxGap(posed, b, box_z)
                                                : kNaN;
    out.measures.push_back(MeasureFrame(posed, first, b, mounts, s.ph0 + u * (s.ph1 - s.ph0), gap));
    FillTruthFrame(posed, frame.markers, b, mounts, f, &out.truth);
    out.frames.push_back(std::move(frame));
  }
  return out;
}

Json Labels(const SimulatedMotion& m) {
  Json j = Json::MakeObject();
  j["drill"] = m.drill;
  j["fps"] = m.fps;
  Json reps = Json::MakeArray();
  for (const TrueRep& r : m.reps) {
    Json rep = Json::MakeObject();
    rep["start_s"] = r.start_s;
    rep["end_s"] = r.end_s;
    rep["faults"] = Json::ArrayOf(r.faults);
    if (!r.stance.empty()) rep["stance"] = r.stance;
    reps.push_back(rep);
  }
  j["reps"] = reps;
  return j;
}

}  // namespace

const std::vector<DrillInfo>& Drills() {
  static const std::vector<DrillInfo> drills = {
      {"dowel_hinge", "bar on back",
       {"dowel_contact_lost", "insufficient_hinge", "knees_forward", "hips_not_back"},
       "dowel along the spine, hands behind the neck and at the lower back"},
      {"wall_touch", "wall touches", {"wall_not_reached", "knees_forward"},
       "back to a wall 30 cm behind the heels, dowel on the back"},
      {"foam_roller", "don't knock the foam roller over", {"knees_forward", "hips_not_back"},
       "a foam roller upright just in front of the shins, dowel on the back"},
      {"seated_squat", "seated (box) squat", {"box_not_reached", "knees_forward", "hips_not_back"},
       "a box 20 cm behind the heels, top at 0.25 of standing height, dowel on the back"},
      {"glute_bridge", "glute bridge", {"incomplete_lockout", "no_pause"},
       "lying on the back, knees bent, feet flat"},
      {"bench_glute_bridge", "bench glute bridge", {"incomplete_lockout", "no_pause"},
       "upper back on a 40 cm bench, feet flat"},
      {"kneeling_squat", "kneeling squat", {"hips_not_back", "incomplete_lockout"},
       "kneeling, dowel on the back"},
      {"cable_pull_through", "cable pull-through",
       {"hips_not_back", "insufficient_hinge", "incomplete_lockout", "knees_forward"},
       "rope between the legs, arms hanging"},
      {"dumbbell_deadlift", "dumbbell deadlift", {"back_flexion", "hips_not_back", "incomplete_lockout"},
       "one dumbbell on its end held by the top head"},
      {"rdl", "Romanian deadlift",
       {"back_flexion", "knees_forward", "hips_not_back", "incomplete_lockout"},
       "barbell, knees soft"},
      {"single_leg_rdl", "single-leg RDL",
       {"back_flexion", "pelvis_drop", "pelvis_rotation", "knees_forward"},
       "one leg, dowel on the back"},
      {"rack_pull", "rack pull", {"bar_too_low", "bar_too_high", "back_flexion", "incomplete_lockout"},
       "barbell from safeties just below the knees"},
  };
  return drills;
}

const DrillInfo* FindDrill(std::string_view id) {
  for (const auto& d : Drills()) {
    if (d.id == id) return &d;
  }
  return nullptr;
}

std::string DrillIdList() {
  std::string s;
  for (const auto& d : Drills()) s += (s.empty() ? "" : ", ") + d.id;
  return s;
}

void DrillMotionOptions::Check() const {
  const DrillInfo* info = FindDrill(drill);
  if (!info) throw Error("drill " + drill, "unknown drill; use one of: " + DrillIdList());
  for (const auto& faults : rep_faults) {
    for (const auto& f : faults) {
      if (!Has(info->faults, f)) {
        std::string valid;
        for (const auto& v : info->faults) valid += (valid.empty() ? "" : ", ") + v;
        throw Error("fault " + f, "drill " + drill + " cannot have it; its faults are: " + valid);
      }
    }
  }
  if (reps < 1 || reps > 1000) throw Error("reps", "must be within 1-1000");
  if (!(depth > 0.0 && depth <= 1.0)) throw Error("depth", "must be within (0, 1]");
  if (!(tempo_s >= 0.5 && tempo_s <= 60.0)) throw Error("tempo", "must be within 0.5-60 s per rep");
  if (!(pause_s >= 0.0 && pause_s <= 60.0)) throw Error("pause", "must be within 0-60 s");
  if (!(lead_in_s >= 0.0 && lead_in_s <= 60.0)) throw Error("lead-in", "must be within 0-60 s");
  CheckFps(fps);
  if (stance != "left" && stance != "right" && stance != "alternate") {
    throw Error("stance " + stance, "use left, right or alternate");
  }
  if (num_frames < 0 || num_frames > 1000000) throw Error("frames", "must be within 0-1000000");
}

SimulatedMotion SimulateDrill(const DrillMotionOptions& o, const MarkerSet& set,
                              const Anthropometry& b) {
  o.Check();
  b.Check();
  const DrillPlan plan = PlanOf(o.drill);
  Stage stage;
  stage.posture = plan.posture;
  stage.held = plan.held;
  const bool supine = IsSupine(plan.posture);
  KeyPose rest;  // standing tall, kneeling tall, or lying with the hips down
  const double heel_x = -0.2 * b.m(b.foot_length);
  const double wall_x = heel_x - 0.30;
  const double box_z = 0.25 * b.height_m;

  std::vector<Segment> segs;
  std::vector<TrueRep> reps;
  double t = 0.0;
  KeyPose cur = rest;
  Side stance = o.stance == "right" ? kRight : kLeft;
  auto add = [&](double dur, const KeyPose& to, double ph0, double ph1) {
    segs.push_back({t, t + dur, cur, to, stance, ph0, ph1});
    t += dur;
    cur = to;
  };
  add(o.lead_in_s, rest, 0, 0);
  for (int i = 0; i < o.reps; ++i) {
    const std::vector<std::string> none;
    const auto& faults = i < static_cast<int>(o.rep_faults.size()) ? o.rep_faults[i] : none;
    if (plan.posture == Posture::kSingleLeg && o.stance == "alternate") {
      stance = i % 2 == 0 ? kLeft : kRight;
    }
    stage.stance = stance;
    RepKeys k = ApplyFaults(o.drill, plan, rest, faults, o.depth);
    // Targets set the depth: scale the way down until the buttocks (or the
    // bar) are where this rep puts them.
    if (plan.target == Target::kWall || plan.target == Target::kBox) {
      const KeyPose full = k.bottom;
      auto gap = [&](double s) {
        const PosedBody p = BuildPose(Lerp(rest, full, s), stage, b, o.mounts);
        return plan.target == Target::kWall ? WallGap(p, b, wall_x) : BoxGap(p, b, box_z);
      };
      const double s = SolveScale(gap, k.target_gap_m);
      k.bottom = Lerp(rest, full, s);
      const char* miss = plan.target == Target::kWall ? "wall_not_reached" : "box_not_reached";
      if (gap(s) > k.target_gap_m + 0.03 && !Has(k.faults, miss)) k.faults.push_back(miss);
    } else if (plan.target == Target::kBar) {
      const double knee_z = b.m(b.ankle_height) + b.m(b.shank_length) * std::cos(k.bottom.ankle * M_PI / 180);
      double lo = 0.0, hi = 110.0;
      for (int it = 0; it < 50; ++it) {
        KeyPose trial = k.bottom;
        trial.trunk = 0.5 * (lo + hi);
        const PosedBody p = BuildPose(trial, stage, b, o.mounts);
        if (p.props.world_from_bar.translation.z() > knee_z + k.bar_to_knee_m) lo = trial.trunk;
        else hi = trial.trunk;
      }
      k.bottom.trunk = 0.5 * (lo + hi);
    }
    TrueRep rep;
    rep.faults = k.faults;
    if (plan.posture == Posture::kSingleLeg) rep.stance = stance == kLeft ? "left" : "right";
    rep.start_s = t;
    const double move = 0.45 * o.tempo_s;
    if (supine) {
      add(move, k.bottom, 0, 1);
      add(k.top_hold_s, k.bottom, 1, 1);
      add(move, k.end, 1, 0);
      rep.end_s = t;
      add(o.pause_s, k.end, 0, 0);
    } else {
      add(move, k.bottom, 0, 1);
      add(0.1 * o.tempo_s, k.bottom, 1, 1);
      add(move, k.end, 1, 0);
      rep.end_s = t;
      add(o.pause_s, k.end, 0, 0);
    }
    reps.push_back(rep);
  }
  const int natural = static_cast<int>(std::ceil(t * o.fps - 1e-9)) + 1;
  const int n = o.num_frames > 0 ? o.num_frames : natural;
  const Noise noise(o.seed, o.sway_m, o.joint_noise_deg, b);
  SimulatedMotion m = Assemble(o.drill, o.fps, n, segs, stage, plan.target, wall_x, box_z, noise,
                               set, b, o.mounts);
  if (plan.foam_roller) {
    // Upright just in front of the shins, between the knees.
    Capsule roller;
    const double x = b.m(b.shank_radius) + 0.075 + 0.02;
    roller.a = Eigen::Vector3d(x, 0, 0.075);
    roller.b = Eigen::Vector3d(x, 0, 0.9 - 0.075);
    roller.radius_m = 0.075;
    roller.gray = 210;
    for (auto& f : m.frames) f.occluders.push_back(roller);
  }
  const double duration = (n - 1) / o.fps;
  for (const auto& r : reps) {
    if (r.end_s <= duration + 1e-9) m.reps.push_back(r);
  }
  m.labels = Labels(m);
  return m;
}

SimulatedMotion SimulateStatic(const StaticOptions& o, const MarkerSet& set,
                               const Anthropometry& b) {
  b.Check();
  CheckFps(o.fps);
  if (!(o.duration_s > 0.0 && o.duration_s <= 600.0)) {
    throw Error("duration", "a static trial lasts 0-600 s");
  }
  Stage stage;
  stage.held = Held::kDowel;
  const KeyPose rest;
  const int n = o.num_frames > 0 ? o.num_frames : static_cast<int>(std::ceil(o.duration_s * o.fps));
  const std::vector<Segment> segs = {{0.0, n / o.fps, rest, rest, kLeft, 0, 0}};
  const Noise noise(o.seed, o.sway_m, o.joint_noise_deg, b);
  SimulatedMotion m = Assemble("static", o.fps, n, segs, stage, Target::kNone, 0, 0, noise, set, b,
                               o.mounts);
  m.labels = Labels(m);
  return m;
}

std::string MeasuresCsv(const SimulatedMotion& m) {
  std::string out =
      "frame,time_s,phase,dowel_gap_sacrum_m,dowel_gap_thorax_m,dowel_gap_head_m,hip_back_m,"
      "hip_down_m,knee_forward_l_m,knee_forward_r_m,trunk_inclination_deg,back_flexion_deg,"
      "hip_flexion_l_deg,hip_flexion_r_deg,pelvis_tilt_deg,pelvis_drop_deg,pelvis_rotation_deg,"
      "bar_height_m,bar_to_knee_m,target_gap_m\n";
  auto num = [](double v) { return std::isfinite(v) ? FormatDouble(v + 0.0) : std::string(); };
  for (size_t f = 0; f < m.measures.size(); ++f) {
    const TrueMeasures& x = m.measures[f];
    out += std::to_string(f) + "," + num(f / m.fps);
    for (double v : {x.phase, x.dowel_gap_sacrum_m, x.dowel_gap_thorax_m, x.dowel_gap_head_m,
                     x.hip_back_m, x.hip_down_m, x.knee_forward_l_m, x.knee_forward_r_m,
                     x.trunk_inclination_deg, x.back_flexion_deg, x.hip_flexion_l_deg,
                     x.hip_flexion_r_deg, x.pelvis_tilt_deg, x.pelvis_drop_deg,
                     x.pelvis_rotation_deg, x.bar_height_m, x.bar_to_knee_m, x.target_gap_m}) {
      out += "," + num(v);
    }
    out += "\n";
  }
  return out;
}

}  // namespace hl::sim
