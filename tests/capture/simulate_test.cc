// End to end: a tiny simulated take, its session folder and truth files.

#include "capture/sim/simulate.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <sys/wait.h>

#include <opencv2/imgcodecs.hpp>

#include "capture/sim/drills.h"
#include "core/csv_recording.h"
#include "core/error.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/marker_set.h"

namespace hl::sim {
namespace {

namespace fs = std::filesystem;

fs::path FreshDir(const std::string& name) {
  const fs::path dir = fs::path(HL_BINARY_DIR) / "test_tmp" / name;
  fs::remove_all(dir);
  return dir;
}

SimulateOptions Tiny(const fs::path& dir) {
  SimulateOptions o;
  o.scene = "drill";
  o.drill = "dowel_hinge";
  o.faults = {"knees_forward"};
  o.reps = 1;
  o.markers_path = HL_SOURCE_DIR "/data/markersets/default.yml";
  o.width = 160;
  o.height = 90;
  o.frames = 3;
  o.fps = 30;
  o.render.supersampling = 1;
  o.output_dir = dir;
  return o;
}

TEST(Simulate, WritesTheSessionLayout) {
  const fs::path dir = FreshDir("simulate_layout");
  const SimulateSummary s = SimulateTake(Tiny(dir));
  const fs::path take = dir / "dowel_hinge_knees_forward";
  EXPECT_EQ(s.take_dir, take);
  EXPECT_EQ(s.frames, 3);
  EXPECT_EQ(s.cameras, 4);  // studio4
  for (const char* f : {"session.yml", "rig.yml", "markers.yml"})
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  EXPECT_NE(ReadFileText(dir / "session.yml").find("format: hingelab-session-1"),
            std::string::npos);
  const std::string take_yml = ReadFileText(take / "take.yml");
  EXPECT_NE(take_yml.find("kind: drill"), std::string::npos);
  EXPECT_NE(take_yml.find("drill: dowel_hinge"), std::string::npos);
  EXPECT_NE(take_yml.find("fps: 30"), std::string::npos);
  for (const char* cam : {"cam0", "cam1", "cam2", "cam3"}) {
    for (const char* frame : {"000000.png", "000002.png"}) {
      const cv::Mat img = cv::imread((take / cam / frame).string(), cv::IMREAD_UNCHANGED);
      ASSERT_FALSE(img.empty()) << cam << "/" << frame;
      EXPECT_EQ(img.cols, 160);
      EXPECT_EQ(img.rows, 90);
    }
    EXPECT_FALSE(fs::exists(take / cam / "000003.png"));
  }
  const Recording truth = ReadCsvRecording(take / "truth" / "markers.csv");
  EXPECT_EQ(truth.points.num_frames(), 3);
  EXPECT_GE(truth.points.LabelIndex("M0"), 0);
  EXPECT_GE(truth.points.LabelIndex("M10"), 0);
  EXPECT_GE(truth.points.LabelIndex("SACRUM"), 0);
  EXPECT_GE(truth.points.LabelIndex("DOWEL_TOP"), 0);
  EXPECT_LT(truth.points.LabelIndex("M44"), 0);  // no bar in this drill
  const std::string corners = ReadFileText(take / "truth" / "corners.csv");
  EXPECT_EQ(corners.rfind("camera,frame,id,corner,u,v,visible\n", 0), 0u);
  EXPECT_NE(corners.find(",1\n"), std::string::npos);  // some corners visible
  EXPECT_NE(corners.find(",0\n"), std::string::npos);  // and some hidden
  EXPECT_TRUE(fs::exists(take / "truth" / "rig.toml"));
  EXPECT_TRUE(fs::exists(take / "truth" / "measures.csv"));
  const Json labels = Json::Parse(ReadFileText(take / "truth" / "labels.json"));
  EXPECT_EQ(labels.at("drill").str(), "dowel_hinge");
  EXPECT_EQ(labels.at("fps").number(), 30.0);
  // Three frames hold no whole rep.
  EXPECT_EQ(labels.at("reps").size(), 0u);
}

TEST(Simulate, SameSeedSameTruthAndImages) {
  const fs::path a = FreshDir("simulate_seed_a"), b = FreshDir("simulate_seed_b");
  SimulateOptions oa = Tiny(a), ob = Tiny(b);
  oa.frames = ob.frames = 2;
  SimulateTake(oa);
  SimulateTake(ob);
  const fs::path take = "dowel_hinge_knees_forward";
  EXPECT_EQ(ReadFileText(a / take / "truth" / "markers.csv"),
            ReadFileText(b / take / "truth" / "markers.csv"));
  EXPECT_EQ(ReadFileText(a / take / "cam1" / "000001.png"),
            ReadFileText(b / take / "cam1" / "000001.png"));
}

TEST(Simulate, TruthOnlyDrillLabelsEveryRep) {
  const fs::path dir = FreshDir("simulate_truth_only");
  SimulateOptions o = Tiny(dir);
  o.render_images = false;
  o.frames = 0;
  o.reps = 2;
  o.drill = "rack_pull";
  o.faults = {"bar_too_high", "incomplete_lockout"};
  const SimulateSummary s = SimulateTake(o);
  EXPECT_EQ(s.reps, 2);
  const fs::path take = dir / "rack_pull_bar_too_high_incomplete_lockout";
  EXPECT_FALSE(fs::exists(take / "cam0"));
  const Json labels = Json::Parse(ReadFileText(take / "truth" / "labels.json"));
  ASSERT_EQ(labels.at("reps").size(), 2u);
  const Json& rep = labels.at("reps").array()[1];
  EXPECT_LT(rep.at("start_s").number(), rep.at("end_s").number());
  ASSERT_EQ(rep.at("faults").size(), 2u);
  EXPECT_EQ(rep.at("faults").array()[0].str(), "bar_too_high");
  const Recording truth = ReadCsvRecording(take / "truth" / "markers.csv");
  EXPECT_GE(truth.points.LabelIndex("M44"), 0);
  EXPECT_GE(truth.points.LabelIndex("BAR"), 0);
}

TEST(Simulate, StaticAndCalibrationScenes) {
  const fs::path dir = FreshDir("simulate_scenes");
  SimulateOptions o = Tiny(dir);
  o.scene = "static";
  o.frames = 2;
  const SimulateSummary s = SimulateTake(o);
  EXPECT_EQ(s.take_dir, dir / "static");
  EXPECT_NE(ReadFileText(dir / "static" / "take.yml").find("kind: static"), std::string::npos);
  o.scene = "calibration";
  o.render_images = false;
  o.frames = 5;
  o.fps = 0;
  const SimulateSummary c = SimulateTake(o);
  EXPECT_EQ(c.frames, 5);
  EXPECT_NE(ReadFileText(dir / "calibration" / "take.yml").find("kind: calibration"),
            std::string::npos);
  const Json board = Json::Parse(ReadFileText(dir / "calibration" / "truth" / "board.json"));
  EXPECT_EQ(board.at("world_from_board").size(), 5u);
  EXPECT_NE(ReadFileText(dir / "calibration" / "truth" / "corners.csv").find(",1\n"),
            std::string::npos);
}

TEST(Simulate, ASessionsTakesAndRigAreNotWrittenOver) {
  const fs::path dir = FreshDir("simulate_no_overwrite");
  SimulateOptions o = Tiny(dir);
  o.render_images = false;
  SimulateTake(o);
  // A calibrated rig in the session (here: the same rig with a comment) is kept.
  const std::string calibrated = ReadFileText(dir / "rig.yml") + "# calibrated\n";
  WriteFileAtomic(dir / "rig.yml", calibrated);
  o.take = "second";
  EXPECT_TRUE(SimulateTake(o).kept_session_rig);
  EXPECT_EQ(ReadFileText(dir / "rig.yml"), calibrated);
  // Another size is another rig: refused, the session's rig left as it is.
  SimulateOptions other_size = o;
  other_size.take = "other_size";
  other_size.width = 320;
  other_size.height = 180;
  EXPECT_THROW(SimulateTake(other_size), Error);
  EXPECT_EQ(ReadFileText(dir / "rig.yml"), calibrated);
  // The same take again: refused, naming the folder; with replace, written anew.
  try {
    SimulateTake(o);
    ADD_FAILURE() << "a second take into the same folder was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("already holds a take"), std::string::npos) << e.what();
  }
  fs::create_directories(dir / "second" / "cam0");
  WriteFileAtomic(dir / "second" / "cam0" / "000099.png", "stale");
  o.replace = true;
  SimulateTake(o);
  EXPECT_FALSE(fs::exists(dir / "second" / "cam0" / "000099.png"));
  EXPECT_TRUE(fs::exists(dir / "second" / "take.yml"));
  // --replace never empties a folder that holds no take.
  fs::create_directories(dir / "notes");
  WriteFileAtomic(dir / "notes" / "keep.txt", "mine");
  o.take = "notes";
  EXPECT_THROW(SimulateTake(o), Error);
  EXPECT_EQ(ReadFileText(dir / "notes" / "keep.txt"), "mine");
  // Another marker set would relabel the session's takes: refused.
  WriteFileAtomic(dir / "markers.yml", "another set\n");
  o.take = "third";
  EXPECT_THROW(SimulateTake(o), Error);
  EXPECT_FALSE(fs::exists(dir / "third"));
}

TEST(Simulate, BadOptionsNameTheProblem) {
  const fs::path dir = FreshDir("simulate_bad");
  SimulateOptions o = Tiny(dir);
  o.faults = {"bar_too_low"};
  try {
    SimulateTake(o);
    FAIL() << "a fault the drill cannot have was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("dowel_contact_lost"), std::string::npos) << e.what();
  }
  o = Tiny(dir);
  o.take = "../escape";
  EXPECT_THROW(SimulateTake(o), Error);
  o = Tiny(dir);
  o.rig = "no_such_rig";
  EXPECT_THROW(SimulateTake(o), Error);
}

// Runs the program; returns its exit status and stdout.
int RunHingelab(const std::string& args, std::string* out) {
  const std::string cmd = std::string(HL_BINARY_DIR) + "/bin/hingelab " + args + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) out->append(buf, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(SimulateCommand, UsageErrorsAndJson) {
  if (!fs::exists(fs::path(HL_BINARY_DIR) / "bin" / "hingelab")) {
    GTEST_SKIP() << "the hingelab program is not built in this build tree";
  }
  const fs::path dir = FreshDir("simulate_cli");
  std::string out;
  EXPECT_EQ(RunHingelab("simulate --drill squat -o " + dir.string(), &out), 2);
  EXPECT_EQ(RunHingelab("simulate --drill dowel_hinge --fault bar_too_low -o " + dir.string(), &out), 2);
  EXPECT_EQ(RunHingelab("simulate --drill rdl --size 12x34x -o " + dir.string(), &out), 2);
  EXPECT_FALSE(fs::exists(dir));
  out.clear();
  ASSERT_EQ(RunHingelab("simulate --scene static --frames 2 --size 64x36 --json -o " + dir.string(), &out), 0);
  const Json j = Json::Parse(out);
  EXPECT_EQ(j.at("kind").str(), "static");
  EXPECT_EQ(j.at("frames").number(), 2.0);
  EXPECT_TRUE(fs::exists(dir / "static" / "cam3" / "000001.png"));
  out.clear();
  // The session's rig is the 64x36 one: a take at another size would be refused.
  EXPECT_EQ(RunHingelab("simulate --drill rdl --truth-only --take t0 -o " + dir.string(), &out), 1);
  ASSERT_EQ(RunHingelab("simulate --drill rdl --fault back_flexion --fault knees_forward --reps 1 "
                        "--truth-only --json --size 64x36 --take t1 -o " + dir.string(), &out), 0);
  const Json labels = Json::Parse(ReadFileText(dir / "t1" / "truth" / "labels.json"));
  ASSERT_EQ(labels.at("reps").size(), 1u);
  EXPECT_EQ(labels.at("reps").array()[0].at("faults").size(), 2u);
}

}  // namespace
}  // namespace hl::sim
