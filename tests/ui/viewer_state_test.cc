#include "ui/viewer_state.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "capture/session.h"
#include "core/error.h"
#include "tests/ui/hinge_scene.h"
#include "tests/ui/temp_dir.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

using test::TempDir;

ViewerState LoadedState() {
  ViewerState state;
  state.SetRecording(test::HingeRecording(), "hinge");
  EXPECT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  state.SetRig(test::HingeRig());
  return state;
}

TEST(ViewerStateTest, PlaybackFollowsSpeedStepsAndClamps) {
  ViewerState state = LoadedState();
  EXPECT_EQ(state.frame(), 0);
  state.Advance(1.0);  // paused: nothing moves
  EXPECT_EQ(state.frame(), 0);
  state.Play();
  state.Advance(0.5);
  EXPECT_EQ(state.frame(), 60);
  state.settings.speed = 2.0;
  state.Advance(0.25);
  EXPECT_EQ(state.frame(), 120);
  state.Step(1);
  EXPECT_FALSE(state.playing());
  EXPECT_EQ(state.frame(), 121);
  state.Step(-5);
  EXPECT_EQ(state.frame(), 116);
  state.Seek(-10);
  EXPECT_EQ(state.frame(), 0);
  state.Seek(1'000'000);
  EXPECT_EQ(state.frame(), test::kFrames - 1);
  state.SeekTime(2.0);
  EXPECT_EQ(state.frame(), 240);
  EXPECT_DOUBLE_EQ(state.time_s(), 2.0);
}

TEST(ViewerStateTest, PlaybackLoopsOrStopsAtTheEnd) {
  ViewerState state = LoadedState();
  state.settings.loop = true;
  state.Seek(test::kFrames - 10);
  state.Play();
  state.Advance(20 / test::kFps);  // 20 frames: 10 to the end, 10 past it
  EXPECT_TRUE(state.playing());
  EXPECT_EQ(state.frame(), 10);

  state.settings.loop = false;
  state.Seek(test::kFrames - 10);
  state.Advance(1.0);
  EXPECT_FALSE(state.playing());
  EXPECT_EQ(state.frame(), test::kFrames - 1);
  state.Play();  // from the end, play restarts
  EXPECT_EQ(state.frame(), 0);
  EXPECT_TRUE(state.playing());
}

TEST(ViewerStateTest, RepsAreSegmentedAndNavigable) {
  ViewerState state = LoadedState();
  ASSERT_NE(state.measures(), nullptr);
  ASSERT_EQ(state.reps().size(), 2u);
  // Reps lie within the motion (1.5-4.5 s and 5-8 s) and hold its middle.
  EXPECT_GE(state.reps()[0].start_frame, 170);
  EXPECT_LE(state.reps()[0].start_frame, 300);
  EXPECT_GE(state.reps()[0].end_frame, 400);
  EXPECT_LE(state.reps()[0].end_frame, 545);
  EXPECT_GE(state.reps()[1].start_frame, 600);
  EXPECT_LE(state.reps()[1].end_frame, 965);
  EXPECT_EQ(state.RepAt(360), 0);
  EXPECT_EQ(state.RepAt(780), 1);
  EXPECT_EQ(state.RepAt(10), -1);

  EXPECT_TRUE(state.NextRep());
  EXPECT_EQ(state.selected_rep(), 0);
  EXPECT_EQ(state.frame(), state.reps()[0].start_frame);
  EXPECT_TRUE(state.NextRep());
  EXPECT_EQ(state.selected_rep(), 1);
  EXPECT_FALSE(state.NextRep());
  state.Seek(780);
  EXPECT_TRUE(state.PrevRep());  // back to the start of the rep we are in
  EXPECT_EQ(state.frame(), state.reps()[1].start_frame);
  EXPECT_TRUE(state.PrevRep());
  EXPECT_EQ(state.selected_rep(), 0);
  EXPECT_FALSE(state.PrevRep());

  // Looping inside the selected rep.
  state.settings.loop_rep = true;
  state.Seek(state.reps()[0].end_frame - 1);
  state.Play();
  state.Advance(3 / test::kFps);
  EXPECT_EQ(state.frame(), state.reps()[0].start_frame + 1);
}

TEST(ViewerStateTest, ContactFollowsTheGapAndTheThreshold) {
  ViewerState state = LoadedState();
  ASSERT_TRUE(state.ContactGapAt(test::kContactFrame).has_value());
  EXPECT_NEAR(*state.ContactGapAt(test::kContactFrame), 0.0, 1e-6);
  EXPECT_NEAR(*state.ContactGapAt(test::kLostFrame), test::kLostGapM, 1e-6);
  EXPECT_FALSE(state.ContactLostAt(test::kContactFrame));
  EXPECT_TRUE(state.ContactLostAt(test::kLostFrame));
  state.settings.contact_threshold_m = 0.1;
  EXPECT_FALSE(state.ContactLostAt(test::kLostFrame));

  Eigen::Vector3d bottom, top;
  ASSERT_TRUE(state.DowelAxisAt(test::kLostFrame, &bottom, &top));
  const Eigen::Vector3d dir = (top - bottom).normalized();
  for (int k = 0; k < 3; ++k) {
    const Eigen::Vector3d p = test::DowelMarker(test::kLostFrame, k) - bottom;
    EXPECT_LT((p - p.dot(dir) * dir).norm(), 1e-9);  // the axis runs through every dowel marker
  }
  EXPECT_NEAR((top - bottom).norm(), 0.7 + 2 * 0.08, 1e-9);
  EXPECT_EQ(state.SegmentOfLabel(state.points().LabelIndex("M20")), "knee_left");
}

TEST(ViewerStateTest, RescoreReplacesRepsAndKeepsTheSelection) {
  ViewerState state = LoadedState();
  state.SelectRep(0);
  const int start = state.reps()[0].start_frame;
  int calls = 0;
  const auto scorer = [&](const Trajectories& trial, const SegmentLabels& segments) {
    ++calls;
    EXPECT_EQ(trial.num_frames(), test::kFrames);
    EXPECT_EQ(segments.at("dowel").size(), 3u);
    DrillScore s;
    s.drill = "dowel_hinge";
    s.assessable = true;
    ScoredRep r;
    r.index = 1;
    r.rep.start_frame = start;
    r.rep.end_frame = start + 200;
    r.rep.grade = 1;
    r.rep.score = 40;
    r.rep.faults = {"dowel_contact_lost"};
    r.rep.cues = {"keep the dowel on your sacrum"};
    s.reps.push_back(r);
    return s;
  };
  ASSERT_TRUE(state.Rescore(scorer));
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(state.reps().size(), 1u);
  EXPECT_EQ(state.reps()[0].grade, 1);
  EXPECT_EQ(state.reps()[0].faults.front(), "dowel_contact_lost");
  EXPECT_EQ(state.selected_rep(), 0);
  EXPECT_EQ(state.drill(), "dowel_hinge");

  // A scorer that fails leaves the reps and reports why.
  const auto failing = [](const Trajectories&, const SegmentLabels&) -> DrillScore {
    throw Error("libhl_drill_x.so", "plugin failed");
  };
  EXPECT_FALSE(state.Rescore(failing));
  EXPECT_EQ(state.reps().size(), 1u);
  EXPECT_NE(state.last_error().find("plugin failed"), std::string::npos);
}

TEST(ViewerStateTest, LoadErrorsAreMessagesAndTheViewerStaysUsable) {
  const fs::path dir = TempDir("viewer_state_errors");
  ViewerState state;
  {
    std::ofstream(dir / "corrupt.c3d") << "this is not a c3d file";
  }
  EXPECT_FALSE(state.Open(dir / "corrupt.c3d"));
  EXPECT_NE(state.last_error().find("corrupt.c3d"), std::string::npos);
  EXPECT_FALSE(state.has_recording());
  state.Play();
  state.Advance(1.0);
  state.Step(3);
  EXPECT_FALSE(state.NextRep());
  EXPECT_EQ(state.frame(), 0);
  EXPECT_FALSE(state.ContactGapAt(0).has_value());

  EXPECT_FALSE(state.Open(dir / "missing.c3d"));
  EXPECT_NE(state.last_error().find("does not exist"), std::string::npos);

  // A marker set that matches none of the recording's ids is refused and the
  // one in use stays.
  ViewerState loaded = LoadedState();
  const MarkerSet wrong = ParseMarkerSet(
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.04\nmarkers:\n  - {id: 40, segment: dowel}\n", "wrong");
  EXPECT_FALSE(loaded.SetMarkerSet(wrong, "wrong.yml"));
  EXPECT_NE(loaded.last_error().find("none of its marker ids"), std::string::npos);
  EXPECT_NE(loaded.measures(), nullptr);
  EXPECT_EQ(loaded.reps().size(), 2u);

  // A marker set file that does not parse.
  {
    std::ofstream(dir / "bad.yml") << "dictionary: DICT_NOPE\nmarkers: []\n";
  }
  EXPECT_FALSE(loaded.LoadMarkerSet(dir / "bad.yml"));
  EXPECT_NE(loaded.last_error().find("bad.yml"), std::string::npos);
}

TEST(ViewerStateTest, OpensASessionWithItsRigAndMarkerSet) {
  const fs::path session = TempDir("viewer_state_session");
  WriteSession(session, SessionInfo{"S01", "2024-05-01"});
  WriteRig(session / "rig.yml", test::HingeRig());
  {
    std::ofstream(session / "markers.yml") << test::HingeMarkerSetYaml();
  }
  TakeInfo take;
  take.kind = "drill";
  take.drill = "dowel_hinge";
  take.fps = test::kFps;
  take.cameras = {"cam_front", "cam_back"};
  WriteTake(session / "hinge1", take);
  WriteRecording(session / "hinge1" / "recording.c3d", test::HingeRecording());

  ViewerState state;
  ASSERT_TRUE(state.Open(session)) << state.last_error();
  EXPECT_TRUE(state.has_recording());
  EXPECT_TRUE(state.has_rig());
  EXPECT_TRUE(state.has_marker_set());
  EXPECT_EQ(state.rig().cameras.size(), 2u);
  EXPECT_EQ(state.drill(), "dowel_hinge");
  EXPECT_EQ(state.num_frames(), test::kFrames);
  EXPECT_TRUE(state.ContactLostAt(test::kLostFrame));

  // The take alone, without a rig beside it: opens, and says cameras are not drawn.
  const fs::path lone = TempDir("viewer_state_lone_take");
  WriteTake(lone, take);
  WriteRecording(lone / "recording.c3d", test::HingeRecording());
  ViewerState no_rig;
  ASSERT_TRUE(no_rig.Open(lone)) << no_rig.last_error();
  EXPECT_FALSE(no_rig.has_rig());
  bool said = false;
  for (const auto& m : no_rig.messages()) said |= m.text.find("no rig") != std::string::npos;
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace hl
