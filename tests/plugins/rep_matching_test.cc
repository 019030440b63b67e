// MatchReps (sim_pipeline.h), the rep matching behind the confusion tables of
// truth_confusion_test and scoring_bench: a labelled rep takes the scored rep
// overlapping it most when that covers more than half of it; scored reps left
// over are extra and count every fault they say as a false alarm.

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "tests/plugins/sim_pipeline.h"

namespace hl::test {
namespace {

sim::TrueRep Labelled(double start_s, double end_s, std::vector<std::string> faults) {
  sim::TrueRep r;
  r.start_s = start_s, r.end_s = end_s, r.faults = std::move(faults);
  return r;
}

ScoredRep Scored(double start_s, double end_s, std::vector<std::string> faults) {
  ScoredRep r;
  r.start_s = start_s, r.end_s = end_s, r.rep.faults = std::move(faults);
  return r;
}

TEST(MatchReps, FoundMissedAndExtraRepsFillTheConfusionCells) {
  const std::vector<sim::TrueRep> truth = {Labelled(0.0, 2.0, {"a"}), Labelled(3.0, 5.0, {"a"}),
                                           Labelled(6.0, 8.0, {})};
  // The first is found with its fault, the second only 30 % covered (not
  // found), the third found with a false alarm, and one scored rep lies apart.
  const std::vector<ScoredRep> scored = {Scored(0.2, 2.1, {"a"}), Scored(4.4, 5.5, {"a", "b"}),
                                         Scored(6.1, 7.9, {"b"}), Scored(9.0, 10.0, {"b"})};
  RepConfusion confusion;
  const std::vector<RepMatch> matches = MatchReps(truth, scored, {"a", "b"}, &confusion);
  ASSERT_EQ(matches.size(), 5u);  // 3 labelled, then 2 scored reps nobody matched
  EXPECT_EQ(matches[0].scored, &scored[0]);
  EXPECT_EQ(matches[1].scored, nullptr);
  EXPECT_EQ(matches[2].scored, &scored[2]);
  EXPECT_EQ(matches[3].truth, nullptr);
  EXPECT_EQ(matches[3].scored, &scored[1]);
  EXPECT_EQ(matches[4].scored, &scored[3]);
  ASSERT_EQ(matches[1].calls.size(), 2u);
  EXPECT_TRUE(matches[1].calls[0].truth_has);
  EXPECT_FALSE(matches[1].calls[0].said);  // a rep not found says nothing
  EXPECT_EQ(confusion.true_reps, 3);
  EXPECT_EQ(confusion.missed_reps, 1);
  EXPECT_EQ(confusion.extra_reps, 2);
  const ConfusionCell a = confusion.faults.at("a"), b = confusion.faults.at("b");
  auto tp_fn_fp_tn = [](const ConfusionCell& c) { return std::array{c.tp, c.fn, c.fp, c.tn}; };
  EXPECT_EQ(tp_fn_fp_tn(a), (std::array{1, 1, 1, 2}));
  EXPECT_EQ(tp_fn_fp_tn(b), (std::array{0, 0, 3, 2}));
  EXPECT_DOUBLE_EQ(a.recall_percent(), 50.0);
  EXPECT_DOUBLE_EQ(b.false_alarm_percent(), 60.0);
  const ConfusionCell all = confusion.Total();
  EXPECT_EQ(all.tp + all.fn + all.fp + all.tn, 10);  // 5 reps x 2 faults
}

TEST(MatchReps, TheLargestOverlapWinsAndHalfIsNotEnough) {
  const std::vector<sim::TrueRep> truth = {Labelled(0.0, 2.0, {}), Labelled(4.0, 6.0, {})};
  const std::vector<ScoredRep> scored = {Scored(-1.0, 0.8, {}), Scored(0.7, 3.0, {}),
                                         Scored(5.0, 7.0, {})};
  RepConfusion confusion;
  const std::vector<RepMatch> matches = MatchReps(truth, scored, {}, &confusion);
  ASSERT_EQ(matches.size(), 4u);
  EXPECT_EQ(matches[0].scored, &scored[1]);  // 1.3 s of 2 beats 0.8 s
  EXPECT_EQ(matches[1].scored, nullptr);     // exactly half covered
  EXPECT_EQ(matches[2].scored, &scored[0]);
  EXPECT_EQ(matches[3].scored, &scored[2]);
  EXPECT_EQ(confusion.missed_reps, 1);
  EXPECT_EQ(confusion.extra_reps, 2);
  EXPECT_TRUE(confusion.faults.empty());
}

}  // namespace
}  // namespace hl::test
