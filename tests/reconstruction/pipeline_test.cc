#include "reconstruction/pipeline.h"

#include <random>

#include <gtest/gtest.h>

#include "capture/sim/rig_presets.h"
#include "core/marker_set.h"
#include "tests/reconstruction/synthetic_views.h"

namespace hl {
namespace {

MarkerSet TestSet() {
  return ParseMarkerSet(
      "dictionary: DICT_4X4_50\nmarker_length_m: 0.04\nmarkers:\n"
      "  - {id: 0, segment: dowel}\n  - {id: 1, segment: dowel}\n"
      "  - {id: 2, segment: dowel}\n  - {id: 3, segment: dowel}\n"
      "  - {id: 30, segment: head, length_m: 0.05}\n  - {id: 31, segment: thorax}\n",
      "test set");
}

struct Take {
  std::vector<FrameDetections> detections;
  std::vector<Rigid3d> dowel;  // world_from_segment per frame
  std::vector<Rigid3d> head;   // world_from_marker per frame
};

// A swinging dowel and a head marker, as per-camera detections. Marker 2 is
// hidden from every camera in frames 40-49 (the segment still places it);
// the head marker vanishes in frames 70-73 (a short gap for the spline).
Take MakeTake(const std::vector<Camera>& cams, int frames) {
  const RigidBodyLayout layout = testing::DowelLayout();
  std::mt19937 rng(23);
  Take take;
  for (int f = 0; f < frames; ++f) {
    const double lean = 0.6 * (0.5 - 0.5 * std::cos(2 * M_PI * f / 80.0));
    const Rigid3d pose(Eigen::Quaterniond(Eigen::AngleAxisd(lean, Eigen::Vector3d::UnitY())),
                       Eigen::Vector3d(0.0, 0.02 * std::sin(f / 15.0), 0.5));
    const Rigid3d head(Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitY())),
                       Eigen::Vector3d(0.1 - 0.001 * f, 0.05, 1.6 - 0.002 * f));
    take.dowel.push_back(pose);
    take.head.push_back(head);
    FrameObservations obs;
    for (int k = 0; k < layout.size(); ++k) {
      if (layout.ids[k] == 2 && f >= 40 && f < 50) continue;
      testing::AddSyntheticViews(cams, layout.ids[k], 0.04, pose * layout.segment_from_marker[k], 0.25,
                                 &rng, &obs);
    }
    if (f < 70 || f >= 74) testing::AddSyntheticViews(cams, 30, 0.05, head, 0.25, &rng, &obs);
    FrameDetections det(cams.size());
    for (const auto& [id, views] : obs) {
      for (const MarkerView& v : views) det[v.camera].markers.push_back({id, v.corners_px});
    }
    if (f == 10) det[0].unknown_ids.push_back(49);
    if (f == 11) det[1].duplicate_ids.push_back(31);
    take.detections.push_back(std::move(det));
  }
  return take;
}

TEST(PipelineTest, TrajectoriesFromDetectionsWithRigidAndSplineFilling) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const Take take = MakeTake(cams, 120);
  Reconstructor rec(cams, TestSet(), ReconstructionOptions());
  for (const auto& d : take.detections) rec.AddDetections(d);
  ReconstructionSummary summary;
  const Trajectories tr = rec.Finish(60.0, &summary);

  ASSERT_EQ(tr.num_frames(), 120);
  EXPECT_EQ(tr.labels(), (std::vector<std::string>{"M0", "M1", "M2", "M3", "M30"}));
  EXPECT_EQ(tr.rate_hz(), 60.0);
  EXPECT_EQ(summary.unknown_marker_ids, std::vector<int>{49});
  EXPECT_EQ(summary.duplicate_detections, 1);
  EXPECT_EQ(summary.rigid_filled_samples, 10);
  EXPECT_EQ(summary.spline_filled_samples, 4);
  EXPECT_DOUBLE_EQ(summary.reconstructed_fraction, 1.0);
  EXPECT_GT(summary.median_residual_px, 0.1);
  EXPECT_LT(summary.median_residual_px, 0.5);
  ASSERT_EQ(summary.layouts.size(), 1u);
  EXPECT_EQ(summary.layouts[0].markers, 4);

  // The layout is learned in the frame of one of the dowel's markers; compare
  // marker centres, which do not depend on that choice.
  const RigidBodyLayout truth = testing::DowelLayout();
  double sum_sq = 0, filled_max = 0;
  int n = 0;
  for (int f = 0; f < 120; ++f) {
    for (int k = 0; k < 4; ++k) {
      const Sample& s = tr.at(f, tr.LabelIndex("M" + std::to_string(k)));
      ASSERT_TRUE(s.valid()) << f << " " << k;
      const double e = (s.position_m - take.dowel[f] * truth.segment_from_marker[k].translation).norm();
      if (s.flags & Sample::kFilled) {
        EXPECT_EQ(s.n_cameras, 0);
        filled_max = std::max(filled_max, e);
      } else {
        EXPECT_GE(s.n_cameras, 1);
        sum_sq += e * e;
        ++n;
      }
    }
    const Sample& h = tr.at(f, tr.LabelIndex("M30"));
    ASSERT_TRUE(h.valid());
    EXPECT_EQ(bool(h.flags & Sample::kFilled), f >= 70 && f < 74) << f;
    EXPECT_LT((h.position_m - take.head[f].translation).norm(), f >= 70 && f < 74 ? 2e-3 : 1e-3) << f;
  }
  EXPECT_LT(std::sqrt(sum_sq / n), 0.4e-3);
  EXPECT_LT(filled_max, 1e-3);
}

TEST(PipelineTest, LayoutsFromAStaticTrialAreUsedAsGiven) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const Take take = MakeTake(cams, 30);
  ReconstructionOptions options;
  options.layouts = {testing::DowelLayout(), RigidBodyLayout::Single(30, 0.05, "head")};
  options.gap_fill.max_gap_s = 0;
  options.rigid_body_fill = false;
  Reconstructor rec(cams, TestSet(), options);
  for (const auto& d : take.detections) rec.AddDetections(d);
  ReconstructionSummary summary;
  const Trajectories tr = rec.Finish(60.0, &summary);
  EXPECT_TRUE(summary.layouts.empty());  // nothing learned
  const RigidBodyLayout truth = testing::DowelLayout();
  double sum_sq = 0;
  for (int f = 0; f < 30; ++f) {
    const Sample& s = tr.at(f, tr.LabelIndex("M3"));
    ASSERT_TRUE(s.valid());
    const double e = (s.position_m - take.dowel[f] * truth.segment_from_marker[3].translation).norm();
    EXPECT_LT(e, 1e-3);
    sum_sq += e * e;
  }
  // The top marker, 1 m from the bottom, from 0.25 px corner noise.
  EXPECT_LT(std::sqrt(sum_sq / 30), 0.5e-3);
}

TEST(PipelineTest, LowPassIsApplied) {
  const std::vector<Camera> cams = sim::MakeRigPreset("studio4").cameras;
  const Take take = MakeTake(cams, 60);
  ReconstructionOptions options;
  options.lowpass_cutoff_hz = 8.0;
  Reconstructor rec(cams, TestSet(), options);
  for (const auto& d : take.detections) rec.AddDetections(d);
  const Trajectories tr = rec.Finish(60.0, nullptr);
  EXPECT_TRUE(tr.at(30, tr.LabelIndex("M0")).flags & Sample::kFiltered);
}

}  // namespace
}  // namespace hl
