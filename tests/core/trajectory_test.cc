#include "core/trajectory.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"

namespace hl {
namespace {

// A value that encodes where it came from, so a misplaced sample shows.
Eigen::Vector3d Encode(int frame, int label) {
  return {frame * 1e-3, label * 1e-2, frame * 1e-3 + label};
}

TEST(TrajectoryTest, NewTableIsAllInvalid) {
  const Trajectories tr({"A", "B", "C"}, 4, 100.0);
  EXPECT_EQ(tr.num_frames(), 4);
  EXPECT_EQ(tr.num_labels(), 3);
  EXPECT_EQ(tr.samples().size(), 12u);
  for (const Sample& s : tr.samples()) {
    EXPECT_FALSE(s.valid());
    EXPECT_EQ(s.n_cameras, 0);
  }
  EXPECT_EQ(tr.LabelIndex("B"), 1);
  EXPECT_EQ(tr.LabelIndex("Z"), -1);
  EXPECT_EQ(tr.RequireLabel("C", "rec"), 2);
}

TEST(TrajectoryTest, RowIsFrameMajorAndMatchesAt) {
  Trajectories tr({"A", "B"}, 3, 50.0);
  tr.at(1, 0).position_m = Encode(1, 0);
  tr.at(1, 1).position_m = Encode(1, 1);
  tr.at(1, 1).residual_px = 0.5f;
  const Sample* row = tr.row(1);
  EXPECT_EQ(row[0].position_m, Encode(1, 0));
  EXPECT_EQ(row[1].position_m, Encode(1, 1));
  EXPECT_TRUE(row[1].valid());
  EXPECT_EQ(&tr.at(2, 0), tr.row(2));
  EXPECT_EQ(tr.CountValid(1), 1);
  EXPECT_EQ(tr.CountValid(0), 0);
}

TEST(TrajectoryTest, TimeFollowsFirstFrameAndRate) {
  Trajectories tr({"A"}, 10, 200.0);
  EXPECT_EQ(tr.time_s(0), 0.0);
  tr.set_first_frame(704);
  EXPECT_EQ(tr.first_frame(), 704);
  EXPECT_DOUBLE_EQ(tr.time_s(0), 704 / 200.0);
  EXPECT_DOUBLE_EQ(tr.time_s(6), 710 / 200.0);
  tr.set_rate_hz(0.0);
  EXPECT_EQ(tr.time_s(3), 0.0);  // unknown rate: no clock
}

TEST(TrajectoryTest, AddLabelKeepsExistingSamples) {
  Trajectories tr({"A", "B"}, 3, 100.0);
  for (int f = 0; f < 3; ++f) {
    for (int l = 0; l < 2; ++l) {
      tr.at(f, l).position_m = Encode(f, l);
      tr.at(f, l).residual_px = 1.0f;
    }
  }
  EXPECT_EQ(tr.AddLabel("C"), 2);
  EXPECT_EQ(tr.AddLabel("A"), 0);  // existing: unchanged
  ASSERT_EQ(tr.num_labels(), 3);
  EXPECT_EQ(tr.labels(), (std::vector<std::string>{"A", "B", "C"}));
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(tr.at(f, 0).position_m, Encode(f, 0));
    EXPECT_EQ(tr.at(f, 1).position_m, Encode(f, 1));
    EXPECT_FALSE(tr.at(f, 2).valid());
  }
  EXPECT_EQ(tr.LabelIndex("C"), 2);
}

TEST(TrajectoryTest, DuplicateLabelIsAnError) {
  try {
    Trajectories tr({"A", "B", "A"}, 1, 100.0);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("label A"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("appears twice"), std::string::npos) << e.what();
  }
  Trajectories tr({"A"}, 1, 100.0);
  EXPECT_THROW(tr.RequireLabel("B", "rec"), Error);
}

TEST(TrajectoryTest, SliceOfALongRecordingHasTheRightValues) {
  // A long session: 72000 frames (12 min at 100 Hz) x 40 labels.
  constexpr int kFrames = 72000, kLabels = 40;
  std::vector<std::string> labels;
  for (int l = 0; l < kLabels; ++l) labels.push_back("M" + std::to_string(l));
  Trajectories tr(labels, kFrames, 100.0);
  tr.set_first_frame(5);
  for (int f = 0; f < kFrames; ++f) {
    Sample* row = tr.row(f);
    for (int l = 0; l < kLabels; ++l) {
      if ((f + l) % 13 == 0) continue;
      row[l].position_m = Encode(f, l);
      row[l].residual_px = static_cast<float>(l);
      row[l].n_cameras = static_cast<uint8_t>(f % 7);
    }
  }
  // All labels over a frame range.
  const Trajectories all = tr.Slice(60000, 61000);
  EXPECT_EQ(all.num_frames(), 1000);
  EXPECT_EQ(all.labels(), labels);
  EXPECT_EQ(all.first_frame(), 60005);
  EXPECT_EQ(all.rate_hz(), 100.0);
  EXPECT_DOUBLE_EQ(all.time_s(0), tr.time_s(60000));
  // Some labels, reordered.
  const std::vector<std::string> picked = {"M39", "M0", "M17"};
  const std::vector<int> picked_index = {39, 0, 17};
  const Trajectories some = tr.Slice(71000, 72000, picked);
  ASSERT_EQ(some.labels(), picked);
  ASSERT_EQ(some.num_frames(), 1000);
  for (int f = 0; f < 1000; ++f) {
    for (int k = 0; k < 3; ++k) {
      const int src_f = 71000 + f, src_l = picked_index[k];
      const Sample& s = some.at(f, k);
      ASSERT_EQ(s.valid(), (src_f + src_l) % 13 != 0) << f << " " << k;
      if (!s.valid()) continue;
      ASSERT_EQ(s.position_m, Encode(src_f, src_l));
      ASSERT_EQ(s.residual_px, static_cast<float>(src_l));
      ASSERT_EQ(s.n_cameras, src_f % 7);
    }
  }
  for (int f = 0; f < 1000; ++f) {
    for (int l = 0; l < kLabels; ++l) {
      ASSERT_EQ(all.at(f, l).valid(), tr.at(60000 + f, l).valid());
      ASSERT_EQ(all.at(f, l).position_m, tr.at(60000 + f, l).position_m);
    }
  }
  EXPECT_EQ(tr.Slice(100, 100).num_frames(), 0);
  EXPECT_THROW(tr.Slice(0, 10, {"M0", "NOPE"}), Error);
}

}  // namespace
}  // namespace hl
