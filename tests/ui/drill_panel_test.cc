// The drill panel's logic without a window: picking a plugin, re-scoring with
// changed thresholds, the plots that follow them, and the panel's text held
// against `hingelab score --json` for a simulated dowel_hinge take.
#include "ui/drill_state.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/json.h"
#include "tests/ui/hinge_scene.h"
#include "ui/plot_data.h"

namespace hl {
namespace {

namespace fs = std::filesystem;

const fs::path kBin = fs::path(HL_BINARY_DIR) / "bin";

ViewerState HingeState() {
  ViewerState state;
  state.SetRecording(test::HingeRecording(), "hinge");
  EXPECT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  return state;
}

DrillState DowelHinge() {
  DrillState drill;
  drill.Scan({kBin});
  EXPECT_TRUE(drill.Select("dowel_hinge")) << "no libhl_drill_dowel_hinge.so in " << kBin;
  return drill;
}

bool RepHasFault(const ViewerRep& r, const std::string& fault) {
  return std::find(r.faults.begin(), r.faults.end(), fault) != r.faults.end();
}

TEST(DrillStateTest, RescoringWithAChangedThresholdChangesTheFaults) {
  ViewerState state = HingeState();
  DrillState drill = DowelHinge();
  ASSERT_NE(drill.plugin(), nullptr);
  EXPECT_EQ(drill.thresholds().at("contact_gap_m"), 0.025);
  EXPECT_TRUE(drill.ChangedThresholds().empty());
  ASSERT_TRUE(drill.Rescore(&state)) << state.last_error();
  ASSERT_EQ(state.reps().size(), 2u);
  // The first rep loses contact by 6 cm for a second, the second never does.
  EXPECT_TRUE(RepHasFault(state.reps()[0], "dowel_contact_lost"));
  EXPECT_FALSE(RepHasFault(state.reps()[1], "dowel_contact_lost"));
  const int grade_before = state.reps()[0].grade;

  state.SelectRep(0);
  EXPECT_FALSE(drill.SetThreshold("contact_gap", 0.1));  // not a threshold of this drill
  EXPECT_FALSE(drill.SetThreshold("contact_gap_m", std::nan("")));
  ASSERT_TRUE(drill.SetThreshold("contact_gap_m", 0.10));
  EXPECT_EQ(drill.ChangedThresholds().size(), 1u);
  ASSERT_TRUE(drill.Rescore(&state)) << state.last_error();
  ASSERT_EQ(state.reps().size(), 2u);
  EXPECT_FALSE(RepHasFault(state.reps()[0], "dowel_contact_lost"));
  EXPECT_GT(state.reps()[0].grade, grade_before);
  EXPECT_EQ(state.selected_rep(), 0);  // the selection survives a re-score

  drill.ResetThresholds();
  ASSERT_TRUE(drill.Rescore(&state));
  EXPECT_TRUE(RepHasFault(state.reps()[0], "dowel_contact_lost"));
  EXPECT_EQ(state.reps()[0].grade, grade_before);

  // With no plugin picked, re-scoring says so and keeps the reps.
  drill.SelectIndex(-1);
  EXPECT_EQ(drill.plugin(), nullptr);
  EXPECT_FALSE(drill.Rescore(&state));
  EXPECT_NE(state.last_error().find("no drill plugin picked"), std::string::npos);
  EXPECT_EQ(state.reps().size(), 2u);
}

TEST(DrillStateTest, PanelTextFollowsTheScore) {
  ViewerState state = HingeState();
  EXPECT_TRUE(MakeDrillPanelText(state).summary.empty());  // not scored yet
  DrillState drill = DowelHinge();
  ASSERT_TRUE(drill.Rescore(&state));
  const DrillPanelText text = MakeDrillPanelText(state);
  ASSERT_EQ(text.reps.size(), 2u);
  EXPECT_EQ(text.summary.rfind("dowel_hinge: grade ", 0), 0u) << text.summary;
  EXPECT_NE(text.summary.find("dowel_contact_lost"), std::string::npos);
  EXPECT_EQ(text.reps[0].title.rfind("rep 1  ", 0), 0u) << text.reps[0].title;
  ASSERT_FALSE(text.reps[0].faults.empty());
  EXPECT_EQ(text.reps[0].faults[0].rfind("dowel_contact_lost: ", 0), 0u);  // with its cue
  EXPECT_GT(text.reps[0].faults[0].size(), std::string("dowel_contact_lost: ").size());
  EXPECT_EQ(FormatMetric("dowel_gap_max_m", 0.06004), "dowel_gap_max_m  60.0 mm");
  EXPECT_EQ(FormatMetric("trunk_inclination_max_deg", 62.004),
            "trunk_inclination_max_deg  62.00 deg");
  EXPECT_EQ(FormatRepTitle(2, 5.0, 8.0041, 3, 95), "rep 2  5.000-8.004 s  grade 3  score 95");
}

TEST(PlotDataTest, PlotsCarryTheDrillsThresholdsInDisplayUnits) {
  ViewerState state = HingeState();
  const std::vector<PlotSeries> shared = BuildPlots(state, nullptr, {});
  ASSERT_EQ(shared.size(), 4u);
  EXPECT_EQ(shared[0].measure, "dowel_gap_m");
  EXPECT_EQ(shared[0].unit, "cm");
  EXPECT_EQ(shared[3].measure, "trunk_inclination_rad");
  EXPECT_EQ(shared[3].unit, "deg");
  for (const PlotSeries& p : shared) EXPECT_TRUE(p.thresholds.empty());
  // The gap plot spans the 6 cm loss of contact.
  EXPECT_GT(shared[0].hi, 5.5);

  DrillState drill = DowelHinge();
  std::vector<PlotSeries> plots = BuildPlots(state, drill.plugin(), drill.thresholds());
  auto find = [&](const std::string& m) -> const PlotSeries* {
    for (const PlotSeries& p : plots) {
      if (p.measure == m) return &p;
    }
    return nullptr;
  };
  ASSERT_NE(find("hip_flexion_rad"), nullptr);  // the plugin's rep signal
  ASSERT_NE(find("hip_back_m"), nullptr);       // limited by hips_back_min_m
  ASSERT_EQ(find("dowel_gap_m")->thresholds.size(), 1u);
  EXPECT_NEAR(find("dowel_gap_m")->thresholds[0].value, 2.5, 1e-12);
  ASSERT_EQ(find("trunk_inclination_rad")->thresholds.size(), 1u);
  EXPECT_NEAR(find("trunk_inclination_rad")->thresholds[0].value, 45.0, 1e-9);
  ASSERT_TRUE(drill.SetThreshold("contact_gap_m", 0.04));
  plots = BuildPlots(state, drill.plugin(), drill.thresholds());
  EXPECT_NEAR(find("dowel_gap_m")->thresholds[0].value, 4.0, 1e-12);
}

TEST(PlotDataTest, DecimationKeepsEachColumnsExtremes) {
  MeasureSeries s;
  for (int i = 0; i < 1000; ++i) {
    s.values.push_back(i % 100 == 37 ? 5.0 : (i % 100 == 71 ? -3.0 : 0.0));
    s.valid.push_back(i >= 200 && i < 300 ? 0 : 1);
  }
  const std::vector<PlotColumn> cols = DecimateMinMax(s, 2.0, 0, 999, 10);
  ASSERT_EQ(cols.size(), 10u);
  for (int c = 0; c < 10; ++c) {
    if (c == 2) {
      EXPECT_FALSE(cols[c].valid);  // frames 200-299 are invalid
      continue;
    }
    ASSERT_TRUE(cols[c].valid) << c;
    EXPECT_EQ(cols[c].max, 10.0) << c;
    EXPECT_EQ(cols[c].min, -6.0) << c;
  }
  // More columns than frames, a sub-range, and nonsense bounds.
  const std::vector<PlotColumn> fine = DecimateMinMax(s, 1.0, 30, 40, 100);
  EXPECT_TRUE(std::any_of(fine.begin(), fine.end(),
                          [](const PlotColumn& c) { return c.valid && c.max == 5.0; }));
  EXPECT_TRUE(std::none_of(fine.begin(), fine.end(),
                           [](const PlotColumn& c) { return c.valid && c.min < 0; }));
  const std::vector<PlotColumn> none = DecimateMinMax(s, 1.0, 500, 10, 5);
  EXPECT_TRUE(std::none_of(none.begin(), none.end(), [](const PlotColumn& c) { return c.valid; }));
  EXPECT_TRUE(DecimateMinMax(s, 1.0, 0, 999, 0).empty());
}

// ---- Acceptance 1: the panel's text against `hingelab score --json` ----

int Hingelab(const std::string& args, std::string* out) {
  const std::string cmd = (kBin / "hingelab").string() + " " + args + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), p)) > 0) out->append(buf, n);
  const int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::vector<std::string> Strings(const Json& array) {
  std::vector<std::string> out;
  for (const Json& j : array.array()) out.push_back(j.str());
  return out;
}

TEST(DrillPanelAcceptance, TextMatchesTheScoreJsonOfASimulatedDowelHingeTake) {
  const fs::path dir = fs::path(HL_BINARY_DIR) / "test_tmp" / "ui" / "drill_panel_sim";
  fs::remove_all(dir);
  std::string out;
  ASSERT_EQ(
      Hingelab("simulate --drill dowel_hinge --fault dowel_contact_lost --reps 2 --truth-only "
               "--take t1 -o " +
                   dir.string(),
               &out),
      0)
      << out;
  const fs::path take = dir / "t1";
  out.clear();
  ASSERT_EQ(
      Hingelab("score " + (take / "truth" / "markers.csv").string() +
                   " --drill dowel_hinge --markers " + (dir / "markers.yml").string() + " --json",
               &out),
      0)
      << out;
  const Json score = Json::Parse(out, "score --json");

  ViewerState state;
  ASSERT_TRUE(state.Open(take)) << state.last_error();
  ASSERT_TRUE(state.has_marker_set());
  EXPECT_EQ(state.drill(), "dowel_hinge");
  DrillState drill;
  drill.Scan({kBin});
  ASSERT_TRUE(drill.Select(state.drill()));
  ASSERT_TRUE(drill.Rescore(&state)) << state.last_error();
  const DrillPanelText text = MakeDrillPanelText(state);

  EXPECT_EQ(text.summary,
            FormatSummary(score.at("drill").str(), score.at("assessable").boolean(),
                          static_cast<int>(score.at("grade").number()),
                          static_cast<int>(score.at("score").number()), Strings(score.at("faults")),
                          Strings(score.at("missing_segments"))));
  const Json::Array& reps = score.at("reps").array();
  ASSERT_EQ(text.reps.size(), reps.size());
  ASSERT_GE(reps.size(), 2u);
  bool any_fault = false;
  for (size_t i = 0; i < reps.size(); ++i) {
    const Json& r = reps[i];
    EXPECT_EQ(text.reps[i].title,
              FormatRepTitle(static_cast<int>(r.at("index").number()), r.at("start_s").number(),
                             r.at("end_s").number(), static_cast<int>(r.at("grade").number()),
                             static_cast<int>(r.at("score").number())));
    const std::vector<std::string> faults = Strings(r.at("faults"));
    ASSERT_EQ(text.reps[i].faults.size(), faults.size());
    for (size_t k = 0; k < faults.size(); ++k) {
      EXPECT_EQ(text.reps[i].faults[k].rfind(faults[k] + ": ", 0), 0u) << text.reps[i].faults[k];
      any_fault = true;
    }
    const Json::Object& metrics = r.at("metrics").object();
    ASSERT_EQ(text.reps[i].metrics.size(), metrics.size());
    for (size_t k = 0; k < metrics.size(); ++k) {
      EXPECT_EQ(text.reps[i].metrics[k],
                FormatMetric(metrics[k].first, metrics[k].second.number()));
    }
  }
  EXPECT_TRUE(any_fault) << "the simulated fault should show in the panel";
  fs::remove_all(dir);
}

}  // namespace
}  // namespace hl
