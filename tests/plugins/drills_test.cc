// The drill plugins end to end: synthetic takes (tests/plugins/synthetic_body.h)
// -> measures -> reps -> the plugins built into <build>/bin -> scores.
// Good form scores clean; each fault, made on purpose, is reported.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "plugins/host/drill_score.h"
#include "tests/plugins/synthetic_body.h"

namespace hl {
namespace {

using test::BodyLayout;
using test::BodyPose;
using test::kDeg;

constexpr double kFps = 100.0;

const PluginScan& Plugins() {
  static const PluginScan scan = ScanPlugins({std::filesystem::path(HL_BINARY_DIR) / "bin"});
  return scan;
}

std::shared_ptr<DrillPlugin> Drill(const std::string& id) {
  auto p = Plugins().Find(id);
  EXPECT_NE(p, nullptr) << id;
  return p;
}

// A flat-backed hinge: pelvis and trunk tilt together, hips back, knees soft.
BodyPose GoodHinge() {
  BodyPose p;
  p.hip_back_m = 0.22;  // the hip joints; the sacrum swings forward as the pelvis tilts
  p.hip_down_m = 0.04;
  p.pelvis_tilt_rad = 60 * kDeg;
  p.knee_travel_left_m = p.knee_travel_right_m = 0.02;
  return p;
}

DrillScore Score(const std::string& drill, const std::vector<BodyPose>& bottoms,
                 const BodyLayout& layout = {}, const std::map<std::string, double>& thresholds = {},
                 const BodyPose* top = nullptr, bool with_static = true) {
  test::Motion motion(kFps);
  motion.Hold(1.5);
  for (const auto& b : bottoms) motion.Rep(b, 0.3, top);
  motion.Hold(1.0);
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  ScoreOptions options;
  options.thresholds = thresholds;
  auto plugin = Drill(drill);
  if (!plugin) return {};
  return ScoreTrial(*plugin, trial, test::Segments(layout), with_static ? &stat : nullptr, options);
}

std::vector<std::string> Faults(const DrillScore& s, size_t rep) {
  return rep < s.reps.size() ? s.reps[rep].rep.faults : std::vector<std::string>{"<no rep>"};
}

TEST(Drills, EveryDrillOfDrillsMdIsBuiltAndLoads) {
  for (const char* id : {"dowel_hinge", "wall_touch", "foam_roller", "seated_squat", "glute_bridge",
                         "bench_glute_bridge", "kneeling_squat", "cable_pull_through",
                         "dumbbell_deadlift", "rdl", "single_leg_rdl", "rack_pull"}) {
    auto p = Drill(id);
    if (!p) continue;
    EXPECT_FALSE(p->required_segments().empty()) << id;
    EXPECT_FALSE(p->thresholds().empty()) << id;
    for (const auto& t : p->thresholds()) EXPECT_FALSE(t.source.empty()) << id << " " << t.name;
  }
  EXPECT_TRUE(Plugins().refused.empty());
}

TEST(Drills, DowelHingeGoodFormIsClean) {
  const DrillScore s = Score("dowel_hinge", {GoodHinge(), GoodHinge(), GoodHinge()});
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 3u);
  EXPECT_EQ(s.grade, 3);
  EXPECT_GE(s.score, 90);
  EXPECT_TRUE(s.faults.empty());
  const auto& m = s.reps[0].rep.metrics;
  auto metric = [&](const std::string& name) -> double {
    for (const auto& [n, v] : m) {
      if (n == name) return v;
    }
    ADD_FAILURE() << "no metric " << name;
    return NAN;
  };
  EXPECT_NEAR(metric("trunk_inclination_max_deg"), 60.0, 0.1);
  EXPECT_NEAR(metric("dowel_gap_max_m"), 0.0, 0.001);
  EXPECT_NEAR(metric("knee_travel_max_m"), 0.02, 0.001);
  // Rep 1 starts after the 1.5 s stand; start_s lies within the rest band.
  EXPECT_NEAR(s.reps[0].start_s, 1.5, 0.3);
}

// A knees_forward rep of foam_roller as the simulator makes it: the knees go
// forward first and take the hips 4-6 cm forward with them (more than half
// as far as they then go back). The hips' travel from the start crosses zero on the way down,
// which cut the rep in two when reps were cut from hip_displacement.
TEST(Drills, FoamRollerRepWhoseHipsGoForwardFirstIsOneRep) {
  BodyPose forward;
  forward.hip_back_m = -0.06;
  forward.pelvis_tilt_rad = 5 * kDeg;
  forward.knee_travel_left_m = forward.knee_travel_right_m = 0.04;
  BodyPose bottom;
  bottom.hip_back_m = 0.20;  // the hip joints; the sacrum goes back ~8 cm as the pelvis tilts
  bottom.hip_down_m = 0.02;
  bottom.pelvis_tilt_rad = 55 * kDeg;
  bottom.knee_travel_left_m = bottom.knee_travel_right_m = 0.08;
  test::Motion motion(kFps);
  motion.Hold(1.5);
  for (int rep = 0; rep < 2; ++rep) {
    motion.MoveTo(forward, 0.6).Hold(0.2).MoveTo(bottom, 0.8).Hold(0.3).MoveTo(BodyPose{}, 1.2);
    motion.Hold(0.8);
  }
  const BodyLayout layout;
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  auto plugin = Drill("foam_roller");
  ASSERT_NE(plugin, nullptr);
  const DrillScore s = ScoreTrial(*plugin, trial, test::Segments(layout), &stat, ScoreOptions());
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 2u);
  for (size_t rep = 0; rep < 2; ++rep) {
    EXPECT_EQ(Faults(s, rep), std::vector<std::string>{"knees_forward"}) << rep;
  }
}

TEST(Drills, DowelHingeReportsEachFault) {
  BodyPose gap = GoodHinge();
  gap.gap_m = 0.05;
  BodyPose knees = GoodHinge();
  knees.knee_travel_left_m = knees.knee_travel_right_m = 0.10;
  BodyPose shallow = GoodHinge();
  shallow.pelvis_tilt_rad = 30 * kDeg;
  BodyPose squat = GoodHinge();  // hips straight down, knees forward, trunk upright-ish
  squat.hip_back_m = 0.08;
  squat.hip_down_m = 0.20;
  squat.pelvis_tilt_rad = 50 * kDeg;
  const DrillScore s = Score("dowel_hinge", {GoodHinge(), gap, knees, shallow, squat});
  ASSERT_EQ(s.reps.size(), 5u);
  EXPECT_TRUE(Faults(s, 0).empty());
  EXPECT_EQ(Faults(s, 1), std::vector<std::string>{"dowel_contact_lost"});
  EXPECT_EQ(Faults(s, 2), std::vector<std::string>{"knees_forward"});
  EXPECT_EQ(Faults(s, 3), std::vector<std::string>{"insufficient_hinge"});
  EXPECT_EQ(Faults(s, 4), std::vector<std::string>{"hips_not_back"});
  EXPECT_EQ(s.reps[0].rep.grade, 3);
  for (size_t r = 1; r < 5; ++r) {
    EXPECT_LT(s.reps[r].rep.score, s.reps[0].rep.score) << r;
    EXPECT_LE(s.reps[r].rep.grade, 2) << r;
    EXPECT_FALSE(s.reps[r].rep.cues.at(0).empty());
  }
  EXPECT_EQ(s.faults, (std::vector<std::string>{"dowel_contact_lost", "insufficient_hinge",
                                                "knees_forward", "hips_not_back"}));
}

TEST(Drills, ThresholdsAreConfigurable) {
  BodyPose gap = GoodHinge();
  gap.gap_m = 0.05;
  EXPECT_EQ(Faults(Score("dowel_hinge", {gap}), 0), std::vector<std::string>{"dowel_contact_lost"});
  EXPECT_TRUE(Faults(Score("dowel_hinge", {gap}, {}, {{"contact_gap_m", 0.06}}), 0).empty());
}

TEST(Drills, RdlGoodFormAndEachFault) {
  BodyLayout layout;
  layout.dowel = false;  // hands hold the bar: the thorax plate gives the trunk line
  layout.thorax = true;
  BodyPose flexed = GoodHinge();
  flexed.back_flexion_rad = 20 * kDeg;
  BodyPose knees = GoodHinge();
  knees.knee_travel_left_m = 0.09;
  BodyPose no_hips = GoodHinge();
  no_hips.hip_back_m = 0.08;
  const DrillScore s = Score("rdl", {GoodHinge(), flexed, knees, no_hips}, layout);
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 4u);
  EXPECT_TRUE(Faults(s, 0).empty());
  EXPECT_EQ(Faults(s, 1), std::vector<std::string>{"back_flexion"});
  EXPECT_EQ(Faults(s, 2), std::vector<std::string>{"knees_forward"});
  EXPECT_EQ(Faults(s, 3), std::vector<std::string>{"hips_not_back"});

  // Standing up only part way: the hips stay flexed at the end of each rep.
  BodyPose half_up;
  half_up.pelvis_tilt_rad = 25 * kDeg;
  half_up.hip_back_m = 0.05;
  const DrillScore lazy = Score("rdl", {GoodHinge(), GoodHinge()}, layout, {}, &half_up);
  ASSERT_GE(lazy.reps.size(), 1u);
  for (size_t r = 0; r < lazy.reps.size(); ++r) {
    EXPECT_NE(std::find(lazy.reps[r].rep.faults.begin(), lazy.reps[r].rep.faults.end(),
                        "incomplete_lockout"),
              lazy.reps[r].rep.faults.end())
        << r;
  }
}

TEST(Drills, ARepWhoseKneesWereNotTrackedIsNotScored) {
  // Rep 2 has the knees 9 cm forward, but neither knee plate is tracked
  // during it: it once came out "clean" (no knee travel in no frames).
  BodyPose knees = GoodHinge();
  knees.knee_travel_left_m = knees.knee_travel_right_m = 0.09;
  test::Motion motion(kFps);
  motion.Hold(1.5);
  motion.Rep(GoodHinge(), 0.3);
  motion.Rep(knees, 0.3);
  motion.Hold(1.0);
  const BodyLayout layout;
  Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  auto plugin = Drill("dowel_hinge");
  ASSERT_NE(plugin, nullptr);
  const SegmentLabels segments = test::Segments(layout);
  const DrillScore full = ScoreTrial(*plugin, trial, segments, &stat);
  ASSERT_EQ(full.reps.size(), 2u);
  EXPECT_EQ(Faults(full, 1), std::vector<std::string>{"knees_forward"});
  const int first = full.reps[1].rep.start_frame, last = full.reps[1].rep.end_frame;
  for (const char* segment : {"knee_left", "knee_right"}) {
    for (const std::string& label : segments.at(segment)) {
      const int l = trial.LabelIndex(label);
      ASSERT_GE(l, 0) << label;
      for (int f = first; f <= last; ++f) trial.at(f, l) = Sample::Invalid();
    }
  }
  const DrillScore s = ScoreTrial(*plugin, trial, segments, &stat);
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 1u);
  EXPECT_EQ(s.reps[0].index, 1);
  EXPECT_TRUE(s.faults.empty());
  const bool said = std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) {
    return n.find("is not scored: knee_left tracked in 0 % of its frames") != std::string::npos;
  });
  EXPECT_TRUE(said) << "no note says why rep 2 is missing";

  // One dowel marker hidden through rep 2 (the line needs two): both reps
  // scored. The first version judged the dowel by its top marker alone.
  for (const std::string& hidden : segments.at("dowel")) {
    Trajectories one_hidden = test::MakeTrial(motion.poses(), kFps, layout);
    const int l = one_hidden.LabelIndex(hidden);
    ASSERT_GE(l, 0) << hidden;
    for (int f = first; f <= last; ++f) one_hidden.at(f, l) = Sample::Invalid();
    EXPECT_EQ(ScoreTrial(*plugin, one_hidden, segments, &stat).reps.size(), 2u) << hidden;
  }
}

TEST(Drills, MissingSegmentsMakeADrillNotAssessable) {
  BodyLayout no_dowel;
  no_dowel.dowel = false;
  DrillScore s = Score("dowel_hinge", {GoodHinge()}, no_dowel);
  EXPECT_FALSE(s.assessable);
  EXPECT_EQ(s.grade, 0);
  EXPECT_EQ(s.missing_segments, std::vector<std::string>{"dowel"});
  EXPECT_TRUE(s.reps.empty());

  s = Score("rdl", {GoodHinge()}, no_dowel);  // neither dowel nor thorax
  EXPECT_EQ(s.missing_segments, (std::vector<std::string>{"dowel", "thorax"}));
  const Json j = ScoreToJson(s);
  EXPECT_EQ(j.Dump(), R"({"drill":"rdl","assessable":false,"missing_segments":["dowel","thorax"],)"
                      R"("grade":0,"score":0,"faults":[],"reps":[]})");
}

TEST(Drills, BridgesNeedAStaticTrialAndCatchAMissingPause) {
  BodyLayout layout;
  layout.dowel = false;
  layout.thorax = true;
  // Lying down is not modelled; a hip rise with the trunk and thigh lining up
  // again at the top is what the bridge plugins judge.
  BodyPose lying;
  lying.pelvis_tilt_rad = -40 * kDeg;
  BodyPose top;
  top.hip_down_m = -0.20;
  test::Motion motion(kFps, lying);
  motion.Hold(1.5).MoveTo(top, 1.0).Hold(2.5).MoveTo(lying, 1.0).Hold(1.0)
      .MoveTo(top, 1.0).Hold(0.2).MoveTo(lying, 1.0).Hold(1.0);
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  auto bench = Drill("bench_glute_bridge");
  ASSERT_NE(bench, nullptr);
  const DrillScore s = ScoreTrial(*bench, trial, test::Segments(layout), &stat);
  ASSERT_EQ(s.reps.size(), 2u);
  EXPECT_TRUE(Faults(s, 0).empty());
  EXPECT_EQ(Faults(s, 1), std::vector<std::string>{"no_pause"});

  const DrillScore no_static = ScoreTrial(*bench, trial, test::Segments(layout), nullptr);
  EXPECT_FALSE(no_static.assessable);
  EXPECT_TRUE(no_static.missing_segments.empty());
  EXPECT_TRUE(std::any_of(no_static.notes.begin(), no_static.notes.end(), [](const std::string& n) {
    return n.find("static") != std::string::npos;
  }));
}

TEST(Drills, BridgesNeedNoThoraxWhenThePelvisGivesTheHipAngle) {
  // Supine, the thorax rests on the floor or bench and is rarely seen: hip
  // flexion then comes from the pelvis plate against the thigh line.
  BodyLayout layout;
  layout.dowel = false;
  layout.thorax = false;
  BodyPose lying;  // hips down and flexed: the pelvis tilted forward against the thigh line
  lying.pelvis_tilt_rad = 40 * kDeg;
  BodyPose top;
  top.hip_down_m = -0.20;
  BodyPose short_top = top;  // hips stop 25 deg short of extension
  short_top.pelvis_tilt_rad = 25 * kDeg;
  test::Motion motion(kFps, lying);
  motion.Hold(1.5).MoveTo(top, 1.0).Hold(2.5).MoveTo(lying, 1.0).Hold(1.0)
      .MoveTo(short_top, 1.0).Hold(2.5).MoveTo(lying, 1.0).Hold(1.0);
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  for (const char* id : {"glute_bridge", "bench_glute_bridge"}) {
    auto bridge = Drill(id);
    ASSERT_NE(bridge, nullptr);
    const DrillScore s = ScoreTrial(*bridge, trial, test::Segments(layout), &stat);
    ASSERT_TRUE(s.assessable) << id;
    ASSERT_EQ(s.reps.size(), 2u) << id;
    EXPECT_TRUE(Faults(s, 0).empty()) << id;
    EXPECT_EQ(Faults(s, 1), std::vector<std::string>{"incomplete_lockout"}) << id;
  }
}

TEST(Drills, AMeasureTheHostCannotComputeMakesTheDrillNotAssessableAndSaysWhy) {
  // Pelvis markers on one line leave the pelvis orientation, and with it
  // back flexion, unobservable: rdl cannot judge back_flexion, so it says so
  // instead of passing every rep.
  BodyLayout layout;
  layout.dowel = false;
  layout.thorax = true;
  layout.pelvis_in_line = true;
  const SegmentLabels segments = test::Segments(layout);
  test::Motion motion(kFps);
  motion.Hold(1.5).Rep(GoodHinge()).Hold(1.0);
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  const DrillScore s = ScoreTrial(*Drill("rdl"), trial, segments, &stat);
  EXPECT_FALSE(s.assessable);
  EXPECT_EQ(s.grade, 0);
  EXPECT_TRUE(std::any_of(s.notes.begin(), s.notes.end(), [](const std::string& n) {
    return n.find("back_flexion_rad") != std::string::npos &&
           n.find("3 pelvis markers") != std::string::npos;
  })) << ::testing::PrintToString(s.notes);
}

TEST(Drills, WallTouchJudgesTheButtocksNotTheSacrum) {
  // Squatting down with the trunk up takes the sacrum further back (0.11 m)
  // than a hinge whose buttocks touch the wall (0.086 m): the pelvis tilt
  // swings the buttocks, below the sacrum, back by another 0.11 m.
  BodyPose squat;
  squat.hip_back_m = 0.12;
  squat.hip_down_m = 0.10;
  squat.pelvis_tilt_rad = 10 * kDeg;
  BodyPose hinge;
  hinge.hip_back_m = 0.16;
  hinge.pelvis_tilt_rad = 50 * kDeg;
  const DrillScore s = Score("wall_touch", {squat, hinge});
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 2u);
  EXPECT_EQ(Faults(s, 0), std::vector<std::string>{"wall_not_reached"});
  EXPECT_TRUE(Faults(s, 1).empty());
  auto metric = [&](size_t rep, const std::string& name) -> double {
    for (const auto& [n, v] : s.reps[rep].rep.metrics) {
      if (n == name) return v;
    }
    return NAN;
  };
  EXPECT_GT(metric(0, "hip_back_max_m"), metric(1, "hip_back_max_m"));
  EXPECT_LT(metric(0, "buttocks_back_max_m"), metric(1, "buttocks_back_max_m"));
}

TEST(Drills, ScoreJsonHasTheDesignKeysInOrder) {
  const DrillScore s = Score("dowel_hinge", {GoodHinge()});
  const Json j = ScoreToJson(s);
  std::vector<std::string> keys;
  for (const auto& [k, v] : j.object()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"drill", "assessable", "missing_segments", "grade",
                                            "score", "faults", "reps"}));
  const Json& rep = j.at("reps").array().at(0);
  keys.clear();
  for (const auto& [k, v] : rep.object()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"index", "start_s", "end_s", "grade", "score", "faults",
                                            "metrics"}));
  EXPECT_EQ(rep.at("index").number(), 1);
  EXPECT_TRUE(rep.at("metrics").contains("dowel_gap_max_m"));
  EXPECT_TRUE(rep.at("metrics").contains("hip_displacement_m"));
  // Round trip through the parser.
  EXPECT_EQ(Json::Parse(j.Dump()).Dump(), j.Dump());
}

TEST(Drills, LiveFeedbackFlagsFaultsAndCountsReps) {
  const BodyLayout layout;
  BodyPose knees = GoodHinge();
  knees.knee_travel_left_m = 0.10;
  test::Motion motion(kFps);
  motion.Hold(1.5).Rep(knees).Rep(GoodHinge()).Hold(1.0);
  const Trajectories trial = test::MakeTrial(motion.poses(), kFps, layout);
  const Trajectories stat = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), kFps, layout);
  const Measures m = ComputeMeasures(trial, test::Segments(layout), &stat);
  auto instance = Drill("dowel_hinge")->Create({}, kFps);
  int frames_with_fault = 0;
  LiveFeedback last;
  for (int f = 0; f < m.num_frames; ++f) {
    std::vector<std::pair<std::string, double>> values;
    for (const auto& s : m.series) values.emplace_back(s.name, s.valid[f] ? s.values[f] : NAN);
    last = instance->Update(f / kFps, values);
    frames_with_fault += last.faults.empty() ? 0 : 1;
  }
  EXPECT_EQ(last.rep_count, 2);
  EXPECT_FALSE(last.in_rep);
  EXPECT_GT(frames_with_fault, 20);  // the knees were past 5 cm for a good part of rep 1
}

}  // namespace
}  // namespace hl
