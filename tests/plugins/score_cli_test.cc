// `hingelab score` and `hingelab plugins` as a user runs them: a synthetic take
// written as the design's long CSV, a marker set file, the program in <build>/bin.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/csv_recording.h"
#include "core/file_util.h"
#include "core/json.h"
#include "core/recording.h"
#include "tests/plugins/synthetic_body.h"

namespace hl {
namespace {

namespace fs = std::filesystem;
using test::BodyPose;
using test::kDeg;

struct ProgramRun {
  int status = -1;
  std::string out;
};

ProgramRun Hingelab(const std::string& args) {
  const std::string cmd = std::string(HL_BINARY_DIR) + "/bin/hingelab " + args + " 2>/dev/null";
  ProgramRun r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) r.out.append(buf, n);
  const int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class ScoreCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("hl_score_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
    const test::BodyLayout layout;
    BodyPose good;
    good.hip_back_m = 0.22;
    good.pelvis_tilt_rad = 60 * kDeg;
    BodyPose knees = good;
    knees.knee_travel_right_m = 0.09;
    test::Motion motion(100.0);
    motion.Hold(1.5).Rep(good).Rep(knees).Hold(1.0);
    Recording take;
    take.points = test::MakeTrial(motion.poses(), 100.0, layout);
    WriteCsvRecording(dir_ / "take.csv", take);
    Recording stat;
    stat.points = test::MakeTrial(std::vector<BodyPose>(100, BodyPose{}), 100.0, layout);
    WriteCsvRecording(dir_ / "static.csv", stat);
    std::ofstream(dir_ / "markers.yml") << "dictionary: DICT_4X4_50\nmarker_length_m: 0.05\n"
                                           "markers:\n"
                                           "  - {id: 0, segment: dowel}\n  - {id: 1, segment: dowel}\n"
                                           "  - {id: 2, segment: dowel}\n  - {id: 10, segment: pelvis}\n"
                                           "  - {id: 11, segment: pelvis}\n  - {id: 12, segment: pelvis}\n"
                                           "  - {id: 20, segment: knee_left}\n"
                                           "  - {id: 21, segment: knee_right}\n";
    std::ofstream(dir_ / "lenient.yml") << "# more forgiving knees\ndowel_hinge:\n  knee_travel_m: 0.12\n";
    std::ofstream(dir_ / "typo.yml") << "dowel_hinge:\n  knee_travel: 0.12\n";
    // Misspelt names outside a drill's section: once ignored without a word.
    std::ofstream(dir_ / "typo_common.yml") << "contct_gap_m: 0.001\n";
    std::ofstream(dir_ / "typo_drill.yml") << "dowel_hinj:\n  knee_travel_m: 0.12\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const char* name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ScoreCli, JsonScoreOfATakeWithOneFaultyRep) {
  const ProgramRun r = Hingelab("score " + P("take.csv") + " --drill dowel_hinge --markers " +
                         P("markers.yml") + " --static " + P("static.csv") + " --json --report " +
                         P("report.html"));
  ASSERT_EQ(r.status, 0) << r.out;
  const Json j = Json::Parse(r.out);  // stdout is exactly one JSON object
  EXPECT_EQ(j.at("drill").str(), "dowel_hinge");
  EXPECT_TRUE(j.at("assessable").boolean());
  ASSERT_EQ(j.at("reps").size(), 2u);
  EXPECT_EQ(j.at("reps").array()[0].at("faults").size(), 0u);
  EXPECT_EQ(j.at("reps").array()[1].at("faults").array().at(0).str(), "knees_forward");
  EXPECT_NEAR(j.at("reps").array()[1].at("metrics").at("knee_travel_max_m").number(), 0.09, 0.001);
  EXPECT_EQ(j.at("faults").array().at(0).str(), "knees_forward");
  const std::string html = ReadFileText(P("report.html"));
  EXPECT_NE(html.find("knees_forward"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);

  const ProgramRun lenient = Hingelab("score " + P("take.csv") + " --drill dowel_hinge --markers " +
                               P("markers.yml") + " --thresholds " + P("lenient.yml") + " --json");
  ASSERT_EQ(lenient.status, 0);
  EXPECT_EQ(Json::Parse(lenient.out).at("faults").size(), 0u);
}

TEST_F(ScoreCli, ErrorsAndUsage) {
  EXPECT_EQ(Hingelab("score " + P("take.csv")).status, 2);  // no --drill
  EXPECT_EQ(Hingelab("score " + P("take.csv") + " --drill no_such_drill --markers " +
                     P("markers.yml")).status, 1);
  EXPECT_EQ(Hingelab("score " + P("take.csv") + " --drill dowel_hinge").status, 1);  // no markers
  EXPECT_EQ(Hingelab("score " + P("take.csv") + " --drill dowel_hinge --markers " +
                     P("markers.yml") + " --thresholds " + P("typo.yml")).status, 1);
  EXPECT_EQ(Hingelab("score " + P("missing.csv") + " --drill dowel_hinge --markers " +
                     P("markers.yml")).status, 1);
  for (const char* typo : {"typo_common.yml", "typo_drill.yml"}) {
    EXPECT_EQ(Hingelab("score " + P("take.csv") + " --drill dowel_hinge --markers " +
                       P("markers.yml") + " --thresholds " + P(typo)).status, 1) << typo;
  }
  // A report that cannot be written fails before the scoring, with no JSON.
  const ProgramRun no_folder =
      Hingelab("score " + P("take.csv") + " --drill dowel_hinge --markers " + P("markers.yml") +
               " --json --report " + P("no_such_folder/report.html"));
  EXPECT_EQ(no_folder.status, 1);
  EXPECT_EQ(no_folder.out, "");
  // One drill, given twice, is a usage error: which one was meant?
  EXPECT_EQ(Hingelab("score " + P("take.csv") + " --drill dowel_hinge --drill rdl --markers " +
                     P("markers.yml")).status, 2);
}

TEST_F(ScoreCli, PluginsListsEveryDrill) {
  const ProgramRun r = Hingelab("plugins --json");
  ASSERT_EQ(r.status, 0);
  const Json j = Json::Parse(r.out);
  EXPECT_EQ(j.at("plugins").size(), 12u);
  EXPECT_EQ(j.at("refused").size(), 0u);
  const Json& first = j.at("plugins").array().at(0);
  EXPECT_EQ(first.at("api_version").str(), "1.0");
  EXPECT_GT(first.at("required_segments").size(), 0u);
}

}  // namespace
}  // namespace hl
