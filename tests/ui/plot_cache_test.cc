// The plots panel's cache: the plots and their decimation are reused while
// nothing they depend on changed, and rebuilt (equal to building afresh) when
// the thresholds, the measures, the frame range or the column count change.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/ui/hinge_scene.h"
#include "ui/drill_state.h"
#include "ui/plot_data.h"

namespace hl {
namespace {

const std::filesystem::path kBin = std::filesystem::path(HL_BINARY_DIR) / "bin";

const PlotSeries* Find(const std::vector<PlotSeries>& plots, const std::string& measure) {
  for (const PlotSeries& p : plots) {
    if (p.measure == measure) return &p;
  }
  return nullptr;
}

void ExpectSameColumns(const std::vector<PlotColumn>& a, const std::vector<PlotColumn>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].valid, b[i].valid) << i;
    EXPECT_EQ(a[i].min, b[i].min) << i;
    EXPECT_EQ(a[i].max, b[i].max) << i;
  }
}

TEST(PlotCacheTest, ReusedUntilThresholdsMeasuresRangeOrWidthChange) {
  ViewerState state;
  state.SetRecording(test::HingeRecording(), "hinge");
  ASSERT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  DrillState drill;
  drill.Scan({kBin});
  ASSERT_TRUE(drill.Select("dowel_hinge")) << "no libhl_drill_dowel_hinge.so in " << kBin;

  PlotCache cache;
  const std::vector<PlotSeries>* plots = &cache.Plots(state, drill);
  ASSERT_EQ(cache.plot_builds(), 1);
  const PlotSeries* gap = Find(*plots, "dowel_gap_m");
  ASSERT_NE(gap, nullptr);
  ASSERT_EQ(gap->thresholds.size(), 1u);
  EXPECT_NEAR(gap->thresholds[0].value, 2.5, 1e-12);
  const size_t gap_index = static_cast<size_t>(gap - plots->data());
  const int last = state.num_frames() - 1;
  const std::vector<PlotColumn> cols = cache.Columns(gap_index, 0, last, 400);
  ExpectSameColumns(cols, DecimateMinMax(*gap->series, gap->scale, 0, last, 400));
  EXPECT_EQ(cache.decimations(), 1);

  // Nothing changed (seeking, re-setting a threshold to its value): all reused.
  state.Seek(10);
  EXPECT_TRUE(drill.SetThreshold("contact_gap_m", 0.025));
  for (int frame = 0; frame < 3; ++frame) {
    EXPECT_EQ(&cache.Plots(state, drill), plots);
    ExpectSameColumns(cache.Columns(gap_index, 0, last, 400), cols);
  }
  EXPECT_EQ(cache.plot_builds(), 1);
  EXPECT_EQ(cache.decimations(), 1);

  // Another width or range re-decimates that plot only.
  ExpectSameColumns(cache.Columns(gap_index, 0, last, 200),
                    DecimateMinMax(*gap->series, gap->scale, 0, last, 200));
  ExpectSameColumns(cache.Columns(gap_index, 100, 300, 200),
                    DecimateMinMax(*gap->series, gap->scale, 100, 300, 200));
  EXPECT_EQ(cache.decimations(), 3);
  EXPECT_EQ(cache.plot_builds(), 1);

  // A changed threshold rebuilds the plots, as BuildPlots would.
  ASSERT_TRUE(drill.SetThreshold("contact_gap_m", 0.04));
  plots = &cache.Plots(state, drill);
  EXPECT_EQ(cache.plot_builds(), 2);
  gap = Find(*plots, "dowel_gap_m");
  ASSERT_NE(gap, nullptr);
  EXPECT_NEAR(gap->thresholds[0].value, 4.0, 1e-12);
  const std::vector<PlotSeries> fresh = BuildPlots(state, drill.plugin(), drill.thresholds());
  ASSERT_EQ(plots->size(), fresh.size());
  for (size_t i = 0; i < fresh.size(); ++i) {
    EXPECT_EQ((*plots)[i].measure, fresh[i].measure);
    EXPECT_EQ((*plots)[i].lo, fresh[i].lo);
    EXPECT_EQ((*plots)[i].hi, fresh[i].hi);
    EXPECT_EQ((*plots)[i].thresholds.size(), fresh[i].thresholds.size());
  }
  // ... and its columns, even for the range and width of the last call.
  cache.Columns(gap_index, 100, 300, 200);
  EXPECT_EQ(cache.decimations(), 4);
  drill.ResetThresholds();
  cache.Plots(state, drill);
  EXPECT_EQ(cache.plot_builds(), 3);

  // New measures (the marker set loaded again) rebuild too; no plugin: the four shared plots.
  ASSERT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  cache.Plots(state, drill);
  EXPECT_EQ(cache.plot_builds(), 4);
  drill.SelectIndex(-1);
  EXPECT_EQ(cache.Plots(state, drill).size(), 4u);
  EXPECT_EQ(cache.plot_builds(), 5);
}

TEST(PlotCacheTest, CopiesOfAStateNeverShareACacheEntry) {
  ViewerState state;
  state.SetRecording(test::HingeRecording(), "hinge");
  ASSERT_TRUE(state.SetMarkerSet(ParseMarkerSet(test::HingeMarkerSetYaml(), "set"), "set"));
  const ViewerState copy = state;
  EXPECT_NE(copy.measures_generation(), state.measures_generation());
  DrillState none;
  PlotCache cache;
  ASSERT_EQ(cache.Plots(state, none).size(), 4u);
  EXPECT_EQ(cache.Plots(state, none)[0].series, state.measures()->Find("dowel_gap_m"));
  // The copy's plots point into the copy's measures, not the original's.
  EXPECT_EQ(cache.Plots(copy, none)[0].series, copy.measures()->Find("dowel_gap_m"));
  EXPECT_EQ(cache.plot_builds(), 2);
}

}  // namespace
}  // namespace hl
