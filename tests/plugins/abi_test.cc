// The plugin ABI from the host's side, with the deliberately odd plugins of
// plugins/test_plugins/ (built into <build>/test_plugins/): refusals name the
// file and both versions, and no failing plugin takes the host down.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/error.h"
#include "plugins/hingelab_plugin.h"
#include "plugins/host/measures.h"
#include "plugins/host/plugin_child.h"
#include "plugins/host/plugin_host.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

fs::path TestPlugin(const std::string& name) {
  return fs::path(HL_BINARY_DIR) / "test_plugins" / (HL_PLUGIN_FILE_PREFIX + name + ".so");
}

std::string LoadError(const std::string& name) {
  try {
    DrillPlugin::Load(TestPlugin(name));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A 100-frame recording with one rep over frames 10..90 and the given knee travel.
struct Input {
  std::vector<MeasureSeries> series;
  std::vector<RepSpan> reps{{10, 90, 50, 0.2}};
  std::vector<std::string> segments{"pelvis", "knee_left", "knee_right"};
  explicit Input(double knee_travel_m) {
    MeasureSeries knee{HL_MEASURE_KNEE_TRAVEL, std::vector<double>(100, 0.0), std::vector<uint8_t>(100, 1)};
    knee.values[50] = knee_travel_m;
    series.push_back(knee);
  }
};

TEST(PluginAbi, ACPluginLoadsAndScores) {
  auto plugin = DrillPlugin::Load(TestPlugin("test_c_plugin"));
  EXPECT_EQ(plugin->id(), "test_c_plugin");
  EXPECT_EQ(plugin->version(), "0.1.0");
  EXPECT_EQ(plugin->api_version(), HL_PLUGIN_API_VERSION);
  ASSERT_EQ(plugin->required_segments().size(), 2u);
  EXPECT_EQ(plugin->required_segments()[1], (std::vector<std::string>{"knee_left", "knee_right"}));
  EXPECT_EQ(plugin->optional_segments(), std::vector<std::string>{"dowel"});
  ASSERT_EQ(plugin->thresholds().size(), 1u);
  EXPECT_EQ(plugin->thresholds()[0].name, "knee_travel_m");
  EXPECT_EQ(plugin->thresholds()[0].default_value, 0.05);
  EXPECT_EQ(plugin->thresholds()[0].source, "ours");
  EXPECT_EQ(plugin->MissingSegments({"pelvis", "knee_right"}), std::vector<std::string>{});
  EXPECT_EQ(plugin->MissingSegments({"dowel"}),
            (std::vector<std::string>{"pelvis", "knee_left|knee_right"}));

  auto instance = plugin->Create({}, 100.0);
  Input bad(0.08), good(0.02);
  PluginScore s = instance->Score(100.0, 100, bad.series, bad.reps, bad.segments, true);
  ASSERT_TRUE(s.assessable);
  ASSERT_EQ(s.reps.size(), 1u);
  EXPECT_EQ(s.reps[0].faults, std::vector<std::string>{"knees_forward"});
  EXPECT_EQ(s.reps[0].grade, 2);
  ASSERT_EQ(s.reps[0].metrics.size(), 1u);
  EXPECT_EQ(s.reps[0].metrics[0].second, 0.08);
  s = instance->Score(100.0, 100, good.series, good.reps, good.segments, true);
  EXPECT_TRUE(s.reps.at(0).faults.empty());

  // Thresholds reach the plugin; unknown ones are refused before it sees them.
  auto lenient = plugin->Create({{"knee_travel_m", 0.10}}, 100.0);
  s = lenient->Score(100.0, 100, bad.series, bad.reps, bad.segments, true);
  EXPECT_TRUE(s.reps.at(0).faults.empty());
  try {
    plugin->Create({{"knee_travel_cm", 10}}, 100.0);
    FAIL() << "unknown threshold accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("knee_travel_m"), std::string::npos) << e.what();
  }
}

TEST(PluginAbi, AnotherMajorVersionIsRefusedNamingFileAndVersions) {
  const std::string why = LoadError("test_api_v2");
  EXPECT_NE(why.find("libhl_drill_test_api_v2.so"), std::string::npos) << why;
  EXPECT_NE(why.find("API 2.0"), std::string::npos) << why;
  EXPECT_NE(why.find("API 1.0"), std::string::npos) << why;
}

TEST(PluginAbi, ATooSmallDescriptorIsRefused) {
  const std::string why = LoadError("test_small_struct");
  EXPECT_NE(why.find("libhl_drill_test_small_struct.so"), std::string::npos) << why;
  EXPECT_NE(why.find("24 bytes"), std::string::npos) << why;
  EXPECT_NE(why.find(std::to_string(sizeof(hl_plugin_descriptor))), std::string::npos) << why;
}

TEST(PluginAbi, NotAPluginAtAll) {
  const fs::path junk = fs::temp_directory_path() / "libhl_drill_junk_abi_test.so";
  { std::FILE* f = std::fopen(junk.c_str(), "w"); ASSERT_NE(f, nullptr); std::fputs("junk", f); std::fclose(f); }
  EXPECT_THROW(DrillPlugin::Load(junk), Error);
  fs::remove(junk);
  EXPECT_THROW(DrillPlugin::Load("/nonexistent/libhl_drill_x.so"), Error);
}

TEST(PluginAbi, ScanListsGoodPluginsAndRefusedOnesWithReasons) {
  const PluginScan scan = ScanPlugins({fs::path(HL_BINARY_DIR) / "test_plugins"});
  EXPECT_NE(scan.Find("test_c_plugin"), nullptr);
  EXPECT_NE(scan.Find("test_garbage"), nullptr);
  EXPECT_NE(scan.Find("test_throws"), nullptr);
  EXPECT_EQ(scan.Find("test_api_v2"), nullptr);
  ASSERT_EQ(scan.refused.size(), 2u);
  for (const auto& r : scan.refused) {
    const std::string name = r.path.filename().string();
    EXPECT_TRUE(name == "libhl_drill_test_api_v2.so" || name == "libhl_drill_test_small_struct.so")
        << name;
    EXPECT_FALSE(r.reason.empty());
  }
  // The same folder twice: each file loads once, no duplicates reported.
  const PluginScan twice =
      ScanPlugins({fs::path(HL_BINARY_DIR) / "test_plugins", fs::path(HL_BINARY_DIR) / "test_plugins"});
  EXPECT_EQ(twice.plugins.size(), scan.plugins.size());
}

TEST(PluginAbi, AFailingOrGarbageReturningPluginDoesNotTakeTheHostDown) {
  auto plugin = DrillPlugin::Load(TestPlugin("test_garbage"));
  Input input(0.0);
  const char* expected[] = {"refuses to score", "repetitions", "vocabulary", "score", "outside",
                            "status"};
  for (int mode = 0; mode <= 5; ++mode) {
    auto instance = plugin->Create({{"mode", mode}}, 100.0);
    try {
      instance->Score(100.0, 100, input.series, input.reps, input.segments, true);
      ADD_FAILURE() << "mode " << mode << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(expected[mode]), std::string::npos)
          << "mode " << mode << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("test_garbage"), std::string::npos) << e.what();
    }
  }
  // A crash, a score() that never returns, an abort(): each an error naming
  // the plugin, and the host (this test) goes on.
  ASSERT_EQ(setenv("HINGELAB_PLUGIN_TIMEOUT_S", "2", 1), 0);
  const std::pair<int, const char*> fatal[] = {
      {7, "crashed while scoring"}, {8, "did not finish scoring within 2 s"},
      {9, "crashed while scoring"}};
  for (const auto& [mode, says] : fatal) {
    auto instance = plugin->Create({{"mode", mode}}, 100.0);
    try {
      instance->Score(100.0, 100, input.series, input.reps, input.segments, true);
      ADD_FAILURE() << "mode " << mode << " accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << mode << ": " << e.what();
      EXPECT_NE(std::string(e.what()).find("test_garbage"), std::string::npos) << e.what();
    }
  }
  unsetenv("HINGELAB_PLUGIN_TIMEOUT_S");
  auto behaving = plugin->Create({{"mode", 6}}, 100.0);
  EXPECT_EQ(behaving->Score(100.0, 100, input.series, input.reps, input.segments, true).reps.size(), 1u);
  EXPECT_THROW(behaving->Update(0.0, {{HL_MEASURE_HIP_BACK, 0.1}}), Error);  // 99 faults
}

TEST(PluginAbi, TheScoringProcessSendsTheWholeScoreBack) {
  PluginScore score;
  score.assessable = true;
  score.message = "two reps";
  score.missing_segments = {"thorax|dowel"};
  RepScore rep;
  rep.start_frame = 3;
  rep.end_frame = 250;
  rep.score = 71.5;
  rep.grade = 2;
  rep.faults = {"knees_forward"};
  rep.cues = {"send the hips back"};
  rep.metrics = {{"knee_travel_max_m", 0.071}, {"dowel_gap_max_m", -0.0}};
  score.reps = {rep, RepScore{}};
  const std::string bytes = plugin_detail::EncodeScore(score);
  const PluginScore back = plugin_detail::DecodeScore(bytes, "p");
  EXPECT_EQ(back.assessable, score.assessable);
  EXPECT_EQ(back.message, score.message);
  EXPECT_EQ(back.missing_segments, score.missing_segments);
  ASSERT_EQ(back.reps.size(), 2u);
  EXPECT_EQ(back.reps[0].start_frame, 3);
  EXPECT_EQ(back.reps[0].end_frame, 250);
  EXPECT_EQ(back.reps[0].score, 71.5);
  EXPECT_EQ(back.reps[0].grade, 2);
  EXPECT_EQ(back.reps[0].faults, rep.faults);
  EXPECT_EQ(back.reps[0].cues, rep.cues);
  EXPECT_EQ(back.reps[0].metrics, rep.metrics);
  EXPECT_TRUE(back.reps[1].faults.empty());
  // Every cut of the bytes is an error naming the plugin, never a crash.
  for (size_t len = 0; len < bytes.size(); ++len) {
    EXPECT_THROW(plugin_detail::DecodeScore(bytes.substr(0, len), "p"), Error) << len;
  }
}

TEST(PluginAbi, AnExceptionInsideAPluginIsCaughtByItsWrapper) {
  auto plugin = DrillPlugin::Load(TestPlugin("test_throws"));
  auto instance = plugin->Create({}, 100.0);
  Input input(0.0);
  try {
    instance->Score(100.0, 100, input.series, input.reps, input.segments, true);
    FAIL() << "a throwing plugin reported success";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("deliberate failure inside the plugin"), std::string::npos)
        << e.what();
  }
  // Still usable afterwards.
  EXPECT_FALSE(instance->Score(100.0, 100, {}, {}, {}, true).assessable);
}

TEST(PluginAbi, SearchPathPutsTheEnvironmentFirstThenTheProgramFolder) {
  ASSERT_EQ(setenv("HINGELAB_PLUGIN_PATH", "/a/b::/c", 1), 0);
  const auto dirs = DefaultPluginDirs();
  unsetenv("HINGELAB_PLUGIN_PATH");
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], "/a/b");
  EXPECT_EQ(dirs[1], "/c");
  EXPECT_EQ(dirs[2], fs::read_symlink("/proc/self/exe").parent_path());
}

}  // namespace
}  // namespace hl
